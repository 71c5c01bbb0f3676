"""Normal-form (strategic-form) games with any number of players.

A game stores one array, ``payoffs``, of shape ``(n_players, n_1, ..., n_N)``:
``payoffs[i, a_1, ..., a_N]`` is player ``i``'s payoff when each player ``j``
plays action ``a_j``. Players and actions carry labels so that results can be
reported in words. :class:`GameBatch` adds a leading axis of parameter points,
so that a sweep is one array rather than a million objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from sim.errors import GameError

__all__ = ["MAX_PAYOFF", "MAX_PROFILES", "GameBatch", "NormalFormGame"]

#: The largest absolute payoff accepted: beyond it differences of payoffs overflow.
MAX_PAYOFF = 1e100

#: The largest number of pure-strategy profiles a game may have (about 8 MB of
#: payoffs per player). A typo in a file must not be able to exhaust memory.
MAX_PROFILES = 1_000_000

FloatArray = npt.NDArray[np.float64]


def _labels(given: Sequence[str] | None, count: int, default: str, what: str) -> tuple[str, ...]:
    if given is None:
        return tuple(f"{default}{k + 1}" for k in range(count))
    labels = tuple(str(label) for label in given)
    if len(labels) != count:
        raise GameError(f"{what}: expected {count} labels; got {len(labels)}")
    if len(set(labels)) != len(labels):
        repeated = sorted({x for x in labels if labels.count(x) > 1})
        raise GameError(f"{what}: labels must be distinct; repeated {repeated}")
    return labels


def _check_shape(shape: tuple[int, ...], what: str) -> None:
    if any(n < 1 for n in shape):
        raise GameError(f"{what}: every player needs at least one action; got shape {shape}")
    if int(np.prod(shape, dtype=np.float64)) > MAX_PROFILES:
        raise GameError(
            f"{what}: {' x '.join(map(str, shape))} has more than {MAX_PROFILES:,} "
            "pure-strategy profiles"
        )


@dataclass(frozen=True, eq=False)
class NormalFormGame:
    """A finite game in normal form.

    Parameters
    ----------
    payoffs
        Array of shape ``(n_players, n_1, ..., n_N)``; copied and made read-only.
    players
        Player names, default ``"Player 1"``, ``"Player 2"``, ...
    actions
        One sequence of action labels per player, default ``"1"``, ``"2"``, ...
    title
        A short description of the game.

    Examples
    --------
    The summit game: Seoul hosts, Tokyo decides whether to come.

    >>> game = NormalFormGame.from_matrices(
    ...     [[3, 0], [1, 1]], [[2, 0], [0, 1]],
    ...     players=["Seoul", "Tokyo"], actions=[["host", "cancel"], ["attend", "skip"]])
    >>> game.shape
    (2, 2)
    >>> float(game.payoffs[1, 0, 0])
    2.0
    """

    payoffs: FloatArray
    players: tuple[str, ...] = ()
    actions: tuple[tuple[str, ...], ...] = ()
    title: str = ""
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __init__(
        self,
        payoffs: npt.ArrayLike,
        players: Sequence[str] | None = None,
        actions: Sequence[Sequence[str]] | None = None,
        title: str = "",
    ) -> None:
        try:
            array = np.array(payoffs, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise GameError(f"payoffs must be numbers: {exc}") from None
        if array.ndim < 2:
            raise GameError(
                f"payoffs must have shape (n_players, n_1, ..., n_N); got {array.shape}"
            )
        n_players, shape = array.shape[0], array.shape[1:]
        if n_players != len(shape):
            raise GameError(
                f"payoffs of shape {array.shape} describe {len(shape)} players' actions "
                f"but {n_players} players' payoffs"
            )
        _check_shape(shape, "game")
        if not np.all(np.isfinite(array)):
            raise GameError("payoffs must be finite numbers")
        if array.size and np.abs(array).max() > MAX_PAYOFF:
            raise GameError(f"payoffs must be at most {MAX_PAYOFF:g} in absolute value")
        array.flags.writeable = False
        player_labels = _labels(players, n_players, "Player ", "players")
        if actions is None:
            action_labels = tuple(_labels(None, n, "", "actions") for n in shape)
        else:
            if len(actions) != n_players:
                raise GameError(f"actions: expected {n_players} lists; got {len(actions)}")
            action_labels = tuple(
                _labels(a, n, "", f"actions of {p!r}")
                for a, n, p in zip(actions, shape, player_labels, strict=True)
            )
        object.__setattr__(self, "payoffs", array)
        object.__setattr__(self, "players", player_labels)
        object.__setattr__(self, "actions", action_labels)
        object.__setattr__(self, "title", str(title))

    @classmethod
    def from_matrices(
        cls,
        row: npt.ArrayLike,
        column: npt.ArrayLike,
        *,
        players: Sequence[str] | None = None,
        actions: Sequence[Sequence[str]] | None = None,
        title: str = "",
    ) -> NormalFormGame:
        """Build a two-player game from the row and column players' payoff matrices.

        Examples
        --------
        >>> NormalFormGame.from_matrices([[1, -1], [-1, 1]], [[-1, 1], [1, -1]]).players
        ('Player 1', 'Player 2')
        """
        a, b = np.asarray(row, dtype=np.float64), np.asarray(column, dtype=np.float64)
        if a.ndim != 2 or a.shape != b.shape:
            raise GameError(
                f"row and column matrices must be 2-D and of one shape; got {a.shape}, {b.shape}"
            )
        return cls(np.stack([a, b]), players, actions, title)

    @property
    def n_players(self) -> int:
        """The number of players."""
        return int(self.payoffs.shape[0])

    @property
    def shape(self) -> tuple[int, ...]:
        """The number of actions of each player."""
        return tuple(int(n) for n in self.payoffs.shape[1:])

    @property
    def payoff_range(self) -> float:
        """The largest payoff minus the smallest (1.0 if all are equal): the game's scale.

        Tolerances are taken relative to it, so that multiplying every payoff by
        1e-9 or 1e9 changes no answer.

        Examples
        --------
        >>> NormalFormGame.from_matrices([[1, -1]], [[3, 0]]).payoff_range
        4.0
        """
        spread = float(self.payoffs.max() - self.payoffs.min())
        return spread if spread > 0 else 1.0

    def with_payoffs(self, payoffs: npt.ArrayLike) -> NormalFormGame:
        """The same players and actions with other payoffs."""
        return NormalFormGame(payoffs, self.players, self.actions, self.title)

    def permuted(
        self,
        player_order: Sequence[int] | None = None,
        action_orders: Sequence[Sequence[int]] | None = None,
    ) -> NormalFormGame:
        """Relabel: reorder the players and each player's actions.

        ``player_order[k]`` is the old index of the new ``k``-th player;
        ``action_orders[i][k]`` is the old index of player ``i``'s new ``k``-th action
        (``i`` an old player index).

        Examples
        --------
        >>> g = NormalFormGame.from_matrices([[1, 2]], [[3, 4]])
        >>> g.permuted([1, 0]).shape
        (2, 1)
        """
        n = self.n_players
        order = list(range(n)) if player_order is None else [int(p) for p in player_order]
        if sorted(order) != list(range(n)):
            raise GameError(f"player_order must be a permutation of 0..{n - 1}; got {order}")
        payoffs = self.payoffs
        actions = [list(a) for a in self.actions]
        if action_orders is not None:
            for i, perm in enumerate(action_orders):
                perm = [int(k) for k in perm]
                if sorted(perm) != list(range(self.shape[i])):
                    raise GameError(f"action order of player {i} is not a permutation: {perm}")
                payoffs = np.take(payoffs, perm, axis=i + 1)
                actions[i] = [actions[i][k] for k in perm]
        payoffs = payoffs[order].transpose([0, *(p + 1 for p in order)])
        return NormalFormGame(
            payoffs, [self.players[p] for p in order], [actions[p] for p in order], self.title
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NormalFormGame):
            return NotImplemented
        return (
            self.players == other.players
            and self.actions == other.actions
            and self.title == other.title
            and np.array_equal(self.payoffs, other.payoffs)
        )

    def __hash__(self) -> int:
        return hash((self.players, self.actions, self.title, self.payoffs.tobytes()))

    def __repr__(self) -> str:
        dims = " x ".join(map(str, self.shape))
        name = f" {self.title!r}" if self.title else ""
        return f"<NormalFormGame{name}: {self.n_players} players, {dims}>"


@dataclass(frozen=True, eq=False)
class GameBatch:
    """Many games with the same players and actions, one per parameter point.

    Parameters
    ----------
    payoffs
        Array of shape ``(n_points, n_players, n_1, ..., n_N)``.
    players, actions, title
        As for :class:`NormalFormGame`, shared by every point.

    Examples
    --------
    >>> import numpy as np
    >>> batch = GameBatch(np.zeros((5, 2, 2, 3)))
    >>> len(batch), batch.shape
    (5, (2, 3))
    >>> batch[4]
    <NormalFormGame: 2 players, 2 x 3>
    """

    payoffs: FloatArray
    players: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    title: str

    def __init__(
        self,
        payoffs: npt.ArrayLike,
        players: Sequence[str] | None = None,
        actions: Sequence[Sequence[str]] | None = None,
        title: str = "",
    ) -> None:
        array = np.asarray(payoffs, dtype=np.float64)
        if array.ndim < 3:
            raise GameError(
                f"batched payoffs need shape (points, n_players, ...); got {array.shape}"
            )
        template = NormalFormGame(
            array[0] if len(array) else np.zeros(array.shape[1:]), players, actions, title
        )
        object.__setattr__(self, "payoffs", array)
        object.__setattr__(self, "players", template.players)
        object.__setattr__(self, "actions", template.actions)
        object.__setattr__(self, "title", template.title)

    @property
    def n_players(self) -> int:
        """The number of players."""
        return int(self.payoffs.shape[1])

    @property
    def shape(self) -> tuple[int, ...]:
        """The number of actions of each player."""
        return tuple(int(n) for n in self.payoffs.shape[2:])

    def __len__(self) -> int:
        return int(self.payoffs.shape[0])

    def __getitem__(self, index: int) -> NormalFormGame:
        return NormalFormGame(self.payoffs[index], self.players, self.actions, self.title)

    def __repr__(self) -> str:
        dims = " x ".join(map(str, self.shape))
        return f"<GameBatch: {len(self)} games, {self.n_players} players, {dims}>"
