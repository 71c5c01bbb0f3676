"""Benchmark: scenario sweeps against point-by-point loops, in one run, with peak memory.

Measures, on this machine:

1. the flagship scenario's SPE over ``--points`` values of ``us_alliance_priority``
   with ``sim sweep`` (local processes, ``--workers``), against sim's own
   single-point path (``solve_scenario`` in a loop, timed on a subsample and
   extrapolated);
2. pure Nash equilibria of the simultaneous classroom variant over the same number
   of points, batched, against a loop calling pygambit's ``enumpure_solve`` on
   each point's normal form (subsample, extrapolated).

Peak memory is the largest resident set of this process and of any worker.

Run: ``python tests/benchmarks/bench_sweep.py [--points 1000000] [--workers 2]``
(pygambit comes with ``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sim.analysis.design import grid_design, parse_vary  # noqa: E402
from sim.analysis.sweep import run_sweep  # noqa: E402
from sim.report.solve import solve_scenario  # noqa: E402
from sim.scenario import compile_scenario, load_scenario  # noqa: E402


def peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def sweep_seconds(
    path: Path, vary: str, concept: str, workers: int, out: Path | None, chunk: int | None = None
) -> float:
    """Seconds for a whole sweep: to a CSV file, or kept in memory when ``out`` is None."""
    scenario = load_scenario(path)
    design = grid_design([parse_vary(vary, scenario)])
    started = time.perf_counter()
    run_sweep(
        scenario, design, concept=concept, workers=workers, out=out, chunk_size=chunk,
        progress=False,
    )  # fmt: skip
    return time.perf_counter() - started


def loop_seconds_per_point(path: Path, concept: str, samples: int) -> float:
    scenario = load_scenario(path)
    values = np.linspace(0, 2, samples)
    started = time.perf_counter()
    for rho in values:
        solve_scenario(scenario, concept=concept, settings={"us_alliance_priority": float(rho)})
    return (time.perf_counter() - started) / samples


def gambit_seconds_per_point(path: Path, samples: int) -> float | None:
    try:
        import pygambit as gbt
    except ImportError:
        return None
    scenario = load_scenario(path)
    values = np.linspace(0, 2, samples)
    times = []
    for rho in values:
        normal = compile_scenario(scenario, {"us_alliance_priority": float(rho)})
        game = normal.game().reduced_normal_form()
        started = time.perf_counter()
        g = gbt.StrategicGame.from_arrays(*game.payoffs)
        gbt.nash.enumpure_solve(g)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def median_seconds(repeat: int, measure: Callable[[], float]) -> tuple[float, list[float]]:
    """The median of ``repeat`` measurements, and all of them."""
    runs = [measure() for _ in range(repeat)]
    return statistics.median(runs), runs


def runs_text(runs: list[float]) -> str:
    return ", ".join(f"{r:.2f}" for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each sweep (median)")
    parser.add_argument("--samples", type=int, default=200, help="points timed in the loops")
    args = parser.parse_args()
    vary = f"us_alliance_priority=0:2:{args.points}"
    baseline = ROOT / "scenarios" / "baseline_nov2020.toml"
    package = ROOT / "scenarios" / "classroom_brokered_package.toml"
    with tempfile.TemporaryDirectory() as folder:
        spe, spe_runs = median_seconds(
            args.repeat,
            lambda: sweep_seconds(baseline, vary, "spe", args.workers, Path(folder) / "spe.csv"),
        )
        pure, pure_runs = median_seconds(
            args.repeat,
            lambda: sweep_seconds(package, vary, "pure-nash", args.workers, Path(folder) / "p.csv"),
        )
        rows = sum(1 for _ in (Path(folder) / "p.csv").open()) - 1
        # The pygambit loop only solves: compare it with the sweep's table kept in
        # memory (one process: starting workers costs more than it saves here).
        memory, memory_runs = median_seconds(
            args.repeat,
            lambda: sweep_seconds(package, vary, "pure-nash", 1, None, chunk=100_000),
        )
    loop = loop_seconds_per_point(baseline, "spe", args.samples) * args.points
    gambit = gambit_seconds_per_point(package, args.samples)
    print(f"points: {args.points:,}, workers: {args.workers}, median of {args.repeat} runs")
    print(f"flagship SPE sweep to CSV:                {spe:8.2f} s  (runs {runs_text(spe_runs)})")
    print(f"flagship SPE, solve_scenario loop (est.): {loop:8.0f} s  ({loop / spe:,.0f}x)")
    print(
        f"classroom pure-Nash sweep to CSV:         {pure:8.2f} s  (runs {runs_text(pure_runs)}; "
        f"{rows:,} rows)"
    )
    print(
        f"classroom pure-Nash sweep in memory:      {memory:8.2f} s  "
        f"(runs {runs_text(memory_runs)}; 1 process)"
    )
    if gambit is None:
        print("pygambit enumpure loop: not installed (pip install -e '.[bench]')")
    else:
        total = gambit * args.points
        print(
            f"pygambit enumpure_solve loop (est.):      {total:8.0f} s  "
            f"({total / memory:,.0f}x the sweep in memory, {total / pure:,.0f}x the CSV sweep)"
        )
    print(f"peak memory (largest process):            {peak_mib():8.0f} MiB")


if __name__ == "__main__":
    main()
