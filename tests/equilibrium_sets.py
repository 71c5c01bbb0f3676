"""Helpers for comparing sets of equilibria in tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from sim.solvers.solution import Solution

Flat = npt.NDArray[np.float64]


def flat(strategies: Sequence[npt.ArrayLike]) -> Flat:
    return np.concatenate([np.asarray(s, dtype=np.float64) for s in strategies])


def profiles(solution: Solution) -> list[Flat]:
    return [flat(eq.strategies) for eq in solution]


def unique(points: Iterable[Flat], atol: float = 1e-6) -> list[Flat]:
    kept: list[Flat] = []
    for p in points:
        if not any(np.abs(p - q).max() <= atol for q in kept):
            kept.append(p)
    return kept


def missing(expected: Iterable[Flat], found: Iterable[Flat], atol: float = 1e-6) -> list[Flat]:
    """The points of ``expected`` with no point of ``found`` within ``atol``."""
    found = list(found)
    return [p for p in expected if not any(np.abs(p - q).max() <= atol for q in found)]


def same_set(a: Iterable[Flat], b: Iterable[Flat], atol: float = 1e-6) -> bool:
    a, b = unique(a, atol), unique(b, atol)
    return len(a) == len(b) and not missing(a, b, atol) and not missing(b, a, atol)
