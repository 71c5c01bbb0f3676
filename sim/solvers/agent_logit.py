"""Logit play on game trees: the agent quantal response equilibrium, and fitting it to choices.

In an *agent* logit QRE (McKelvey & Palfrey 1998) each information set is an
agent that chooses action ``a`` with probability proportional to
``exp(lam * value of a)``, the value being the mover's expected payoff when
everyone, later agents included, plays the same noisy way. ``lam = 0`` is
uniform play; as ``lam`` grows, play approaches a subgame-perfect equilibrium.

On a tree of perfect information the agent QRE is unique and exact: one pass
from the leaves to the root, as in backward induction, with a logit choice in
place of the best one (:func:`agent_logit`). Other trees go through their
reduced normal form when it is small (:func:`qre_behaviour`): the normal-form
logit QRE at ``lam``, turned into behaviour strategies by
:func:`~sim.games.behaviour.behaviour_from_reduced`.

:func:`fit_agent_logit` finds the precision that makes a list of observed
choices most likely (maximum likelihood), as McKelvey & Palfrey (1995) do for
normal forms: in a classroom, how far the class was from the theory.

References
----------
McKelvey, R. D. & Palfrey, T. R. (1995). Quantal response equilibria for
normal form games. *Games and Economic Behavior* 10, 6-38.
McKelvey, R. D. & Palfrey, T. R. (1998). Quantal response equilibria for
extensive form games. *Experimental Economics* 1, 9-41.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sim.errors import UsageError
from sim.games.extensive_form import CHANCE, ExtensiveFormGame

__all__ = [
    "LogitTreeFit",
    "agent_logit",
    "choice_log_likelihood",
    "fit_agent_logit",
    "qre_behaviour",
]

FloatArray = npt.NDArray[np.float64]
#: The largest reduced normal form solved for a QRE of an imperfect-information tree.
NORMAL_FORM_LIMIT = 4_096


def _check_lambda(lam: float) -> float:
    if not (isinstance(lam, int | float) and math.isfinite(lam) and lam >= 0):
        raise UsageError(f"lambda must be a nonnegative number; got {lam!r}")
    return float(lam)


def agent_logit(game: ExtensiveFormGame, lam: float) -> tuple[FloatArray, ...]:
    """The agent logit QRE of a perfect-information tree, as a behaviour profile.

    Parameters
    ----------
    game
        A tree whose decision nodes are each alone in their information set.
    lam
        The precision, in units of the game's payoffs (0: uniform play).

    Returns
    -------
    tuple of numpy.ndarray
        One probability vector per information set (empty for chance sets).

    Examples
    --------
    Tokyo attends after a fund (2 > 1); noisy play still mostly does:

    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> game = build_game(["Seoul", "Tokyo"], Decision("Seoul", [
    ...     ("fund", Decision("Tokyo", [("attend", Terminal([2, 2])),
    ...                                 ("skip", Terminal([-1, 1]))])),
    ...     ("proceed", Terminal([0, 0]))]))
    >>> [b.round(3).tolist() for b in agent_logit(game, 1.0)]
    [[0.767, 0.233], [0.731, 0.269]]
    >>> [b.tolist() for b in agent_logit(game, 0.0)]
    [[0.5, 0.5], [0.5, 0.5]]
    """
    lam = _check_lambda(lam)
    tree = game.tree
    if not tree.is_perfect_information:
        raise UsageError("agent_logit: perfect information only; use qre_behaviour")
    values = np.zeros((tree.n_nodes, tree.n_players))
    values[tree.terminals] = game.payoffs
    behaviour: list[FloatArray] = [np.zeros(0) for _ in range(tree.n_infosets)]
    for v in range(tree.n_nodes - 1, -1, -1):
        kids = list(tree.children(v))
        if not kids:
            continue
        h = int(tree.node_infoset[v])
        player = int(tree.infoset_player[h])
        if player == CHANCE:
            p = game.chance_at(v)
        else:
            own = values[kids, player]
            weights = np.exp(lam * (own - own.max()))
            p = weights / weights.sum()
            behaviour[h] = p
        values[v] = p @ values[kids]
    return tuple(behaviour)


def qre_behaviour(game: ExtensiveFormGame, lam: float) -> tuple[FloatArray, ...]:
    """A logit QRE of any tree at precision ``lam``, in behaviour strategies.

    Perfect information: :func:`agent_logit`. Otherwise the principal-branch
    logit QRE of the reduced normal form (if it has at most
    :data:`NORMAL_FORM_LIMIT` profiles), converted to behaviour strategies.

    Examples
    --------
    >>> from sim.games import NormalFormGame
    >>> from sim.games.extensive_form import ExtensiveFormGame
    >>> stag = NormalFormGame.from_matrices([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    >>> tree = ExtensiveFormGame.from_normal_form(stag)
    >>> [b.round(3).tolist() for b in qre_behaviour(tree, 0.0)]
    [[0.5, 0.5], [0.5, 0.5]]
    """
    lam = _check_lambda(lam)
    if game.tree.is_perfect_information:
        return agent_logit(game, lam)
    from sim.games.behaviour import behaviour_from_reduced
    from sim.games.reduced_form import normal_form_within
    from sim.solvers.logit import logit_branch

    normal = normal_form_within(game, NORMAL_FORM_LIMIT)
    if normal is None:
        raise UsageError(
            f"a logit QRE of this tree needs its reduced normal form, which has more than "
            f"{NORMAL_FORM_LIMIT:,} profiles"
        )
    strategies = logit_branch(normal, lam)[0].normal_profile()
    return behaviour_from_reduced(game, strategies)


def choice_log_likelihood(
    behaviour: Sequence[FloatArray], choices: Sequence[tuple[int, int]]
) -> float:
    """The log-likelihood of observed choices ``(information set, action index)``."""
    total = 0.0
    for h, a in choices:
        total += math.log(max(float(behaviour[h][a]), 1e-300))
    return total


@dataclass(frozen=True)
class LogitTreeFit:
    """The precision that best explains observed choices, and how well it does.

    ``log_likelihood`` is at ``lam``; ``uniform_log_likelihood`` is that of
    random play (``lam = 0``), the baseline any fit must beat.
    """

    lam: float
    log_likelihood: float
    uniform_log_likelihood: float
    choices: int


def fit_agent_logit(
    game: ExtensiveFormGame,
    choices: Sequence[tuple[int, int]],
    *,
    max_lambda: float = 100.0,
) -> LogitTreeFit:
    """The logit precision under which observed choices are most likely.

    Parameters
    ----------
    game
        The game that was played.
    choices
        Each observed decision as ``(information set, action index)``, from
        every world and round.
    max_lambda
        The upper end of the search (payoff units).

    Examples
    --------
    Choices drawn from the QRE at lambda = 0.7 recover it:

    >>> from sim.games.extensive_form import Decision, Terminal, build_game
    >>> game = build_game(["Seoul", "Tokyo"], Decision("Seoul", [
    ...     ("fund", Decision("Tokyo", [("attend", Terminal([2, 2])),
    ...                                 ("skip", Terminal([-1, 1]))])),
    ...     ("proceed", Terminal([0, 0]))]))
    >>> truth = agent_logit(game, 0.7)
    >>> observed = [(h, a) for h, b in enumerate(truth)
    ...             for a, p in enumerate(b) for _ in range(round(10_000 * p))]
    >>> round(fit_agent_logit(game, observed).lam, 2)
    0.7
    """
    from scipy.optimize import minimize_scalar

    if not choices:
        raise UsageError("fit_agent_logit: no choices to fit")
    for h, a in choices:
        if not (0 <= h < game.tree.n_infosets and 0 <= a < len(game.tree.action_labels[h])):
            raise UsageError(f"fit_agent_logit: no action {a} at information set {h}")

    def negative(log_lam: float) -> float:
        return -choice_log_likelihood(qre_behaviour(game, math.exp(log_lam)), choices)

    low, high = math.log(1e-4), math.log(max_lambda)
    grid = np.linspace(low, high, 25)
    scores = [negative(x) for x in grid]
    k = int(np.argmin(scores))
    bracket = (grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)])
    found = minimize_scalar(negative, bounds=bracket, method="bounded", options={"xatol": 1e-6})
    best = float(found.x) if found.fun <= scores[k] else float(grid[k])
    return LogitTreeFit(
        lam=math.exp(best),
        log_likelihood=-negative(best),
        uniform_log_likelihood=choice_log_likelihood(qre_behaviour(game, 0.0), choices),
        choices=len(choices),
    )
