"""Hypothesis strategies shared by the property tests (tested in test_hypothesis_strategies.py).

Named so as not to clash with game-theoretic "strategies".
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.games.normal_form import NormalFormGame


@st.composite
def payoff_games(
    draw: st.DrawFn,
    n_players: st.SearchStrategy[int] = st.integers(2, 3),
    n_actions: st.SearchStrategy[int] = st.integers(1, 4),
    values: st.SearchStrategy[float] | None = None,
) -> NormalFormGame:
    """Normal-form games of varied shape, 1-action players included.

    By default payoffs are small integers, so ties and degenerate games are common.
    """
    n = draw(n_players)
    shape = tuple(draw(n_actions) for _ in range(n))
    elements = values if values is not None else st.integers(-3, 3).map(float)
    payoffs = draw(hnp.arrays(np.float64, (n, *shape), elements=elements))
    return NormalFormGame(payoffs)


def generic_games(
    n_players: int = 2, max_actions: int = 4, min_actions: int = 1
) -> st.SearchStrategy[NormalFormGame]:
    """Games with continuous random payoffs: nondegenerate with probability one."""
    return st.builds(
        lambda seed, shape: NormalFormGame(
            np.random.default_rng(seed).standard_normal((n_players, *shape))
        ),
        st.integers(0, 2**32 - 1),
        st.tuples(*[st.integers(min_actions, max_actions)] * n_players),
    )


@st.composite
def relabellings(draw: st.DrawFn, game: NormalFormGame) -> tuple[list[int], list[list[int]]]:
    """A permutation of the players and of each player's actions."""
    players = draw(st.permutations(range(game.n_players)))
    actions = [draw(st.permutations(range(n))) for n in game.shape]
    return list(players), [list(a) for a in actions]


affine_maps = st.tuples(
    st.floats(0.1, 10.0, allow_nan=False), st.floats(-10.0, 10.0, allow_nan=False)
)
