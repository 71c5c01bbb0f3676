"""Time ``support_enumeration`` against pygambit's ``enumpoly_solve`` on random games.

Both tools solve the same seeded games with standard Gaussian payoffs, in one
process and interleaved game by game (so load from other processes affects both
alike). Each call builds the tool's own game object from the arrays and solves
it, timed with ``time.perf_counter`` with the garbage collector paused; a call
is repeated (``--repeat``, default 3) and its fastest run kept. The table gives
the median time over games, the ratio enumpoly / sim (above 1 means sim is
faster), and the total number of equilibria each tool found (after
deduplicating within 1e-6), with the number of games where the counts differ.

Usage, from the repository root::

    .venv/bin/python tests/benchmarks/bench_support_enumeration.py
    .venv/bin/python tests/benchmarks/bench_support_enumeration.py --quick
"""

from __future__ import annotations

import argparse
import functools
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.games.normal_form import NormalFormGame
from sim.solvers.support_enumeration import support_enumeration

SHAPES: tuple[tuple[int, ...], ...] = ((3, 3, 3), (2, 2, 2, 2))


def _timed(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            out = call()
            best = min(best, time.perf_counter() - start)
    finally:
        gc.enable()
    return best, out


def _count(profiles: list[np.ndarray]) -> int:
    kept: list[np.ndarray] = []
    for p in profiles:
        if all(np.abs(p - q).max() > 1e-6 for q in kept):
            kept.append(p)
    return len(kept)


def _ours(arrays: list[np.ndarray]) -> Any:
    return support_enumeration(NormalFormGame(np.stack(arrays)), rng=0)


def _ours_count(solution: Any) -> int:
    return _count([np.concatenate(e.strategies) for e in solution])


def _gambit(arrays: list[np.ndarray]) -> Any:
    import pygambit as gbt  # type: ignore[import-untyped]

    return gbt.nash.enumpoly_solve(gbt.StrategicGame.from_arrays(*arrays))


def _gambit_count(result: Any) -> int:
    game = result.game
    return _count(
        [
            np.concatenate([np.array([float(v) for _, v in eq[p]]) for p in game.players])
            for eq in result.equilibria
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 games per shape, one run each")
    parser.add_argument("--games", type=int, default=20, help="games per shape (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per call (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    args = parser.parse_args()
    n_games, repeat = (5, 1) if args.quick else (args.games, args.repeat)

    warm = [np.random.default_rng(1).standard_normal((2, 2)) for _ in range(2)]
    _ours(warm)
    _gambit(warm)

    print(
        "| shape | games | sim median (ms) | enumpoly median (ms) | enumpoly / sim "
        "| equilibria sim / enumpoly | games differing |"
    )
    print("|---|---|---|---|---|---|---|")
    for shape in SHAPES:
        ours_t, gbt_t = [], []
        ours_n, gbt_n, differ = 0, 0, 0
        for k in range(n_games):
            rng = np.random.default_rng(args.seed + k)
            arrays = [rng.standard_normal(shape) for _ in shape]
            t_ours, sol = _timed(functools.partial(_ours, arrays), repeat)
            t_gbt, res = _timed(functools.partial(_gambit, arrays), repeat)
            n_ours, n_gbt = _ours_count(sol), _gambit_count(res)
            ours_t.append(t_ours)
            gbt_t.append(t_gbt)
            ours_n += n_ours
            gbt_n += n_gbt
            differ += n_ours != n_gbt
        mo, mg = statistics.median(ours_t) * 1e3, statistics.median(gbt_t) * 1e3
        print(
            f"| {'x'.join(map(str, shape))} | {n_games} | {mo:.1f} | {mg:.1f} | {mg / mo:.2f} "
            f"| {ours_n} / {gbt_n} | {differ} |"
        )


if __name__ == "__main__":
    main()
