"""Benchmark: the flagship's 10^6-point SPE sweep against a memory floor, on Dask, and as a map.

Measures, in one run on this machine:

1. **The floor.** A numpy pass that writes and reads the same 10^6 x 648 x 3
   payoff entries as the sweep (points x outcomes x players), in blocks of
   2,048 points that fit the processor's cache, on one core: no solver can
   touch its payoffs faster. The sweep's time is given as a ratio to it
   (per core: the sweep runs on two).
2. **Dask against local processes.** ``sim sweep`` of the same 10^6 points
   with ``--workers 2`` (local processes), and with ``--scheduler`` on a Dask
   cluster this script starts on loopback (``dask scheduler`` and two
   ``dask worker --nthreads 1`` processes); median of ``--repeats`` each,
   alternating.
3. **A 1000 x 1000 regime map.** ``us_alliance_priority`` x
   ``seoul_audience_cost`` over their declared ranges, swept in memory with
   two local processes and drawn with :func:`sim.plot.regime_map.regime_map`
   to a PNG: seconds for each step and the peak resident memory.

Run: ``python tests/benchmarks/bench_flagship_scale.py [--points 1000000] [--repeats 3]``
(Dask comes with ``pip install -e ".[peers]"``).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "baseline_nov2020.toml"


def floor_seconds(points: int, outcomes: int, players: int, block: int = 2_048) -> float:
    """One core writing, then reading, every payoff entry of the sweep, block by block."""
    buffer = np.empty((block, outcomes, players))
    total = 0.0
    started = time.perf_counter()
    for lo in range(0, points, block):
        rows = min(block, points - lo)
        view = buffer[:rows]
        view.fill(float(lo))  # write every entry
        total += float(view.max())  # read every entry
    seconds = time.perf_counter() - started
    assert total >= 0
    return seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_sweep(out: Path, points: int, extra: list[str]) -> float:
    shutil.rmtree(out.with_name(out.name + ".parts"), ignore_errors=True)
    out.unlink(missing_ok=True)
    argv = [
        sys.executable, "-m", "sim.cli", "sweep", str(SCENARIO), "--vary",
        f"us_alliance_priority=0:2:{points}", "--out", str(out), *extra,
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(argv, check=True, cwd=out.parent, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def dask_cluster(folder: Path) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """A scheduler and two one-thread workers on loopback; returns its address."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    bindir = Path(sys.executable).parent
    dask = str(bindir / "dask") if (bindir / "dask").exists() else "dask"
    scheduler = [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port)]
    scheduler += ["--dashboard-address", ":0", "--no-show"]
    worker = [dask, "worker", address, "--nthreads", "1", "--nworkers", "1"]
    worker += ["--host", "127.0.0.1", "--no-dashboard", "--memory-limit", "8GiB"]
    processes = [
        subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
        for argv in (scheduler, worker, worker)
    ]
    from distributed import Client

    deadline = time.time() + 60
    while True:
        try:
            with Client(address, timeout="5s") as client:
                client.wait_for_workers(2, timeout=60)
            return address, processes
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.5)


def regime_map_seconds(folder: Path, side: int) -> tuple[float, float, int]:
    """Sweep seconds, drawing seconds, and the table's rows for a side x side map."""
    sys.path.insert(0, str(ROOT))
    from sim.analysis.design import grid_design, parse_vary
    from sim.analysis.sweep import run_sweep
    from sim.plot.regime_map import regime_map
    from sim.plot.shift import save_figure
    from sim.scenario import load_scenario

    scenario = load_scenario(SCENARIO)
    design = grid_design(
        [
            parse_vary(f"us_alliance_priority=0:2:{side}", scenario),
            parse_vary(f"seoul_audience_cost=0:10:{side}", scenario),
        ]
    )
    started = time.perf_counter()
    table = run_sweep(scenario, design, workers=2, progress=False).table
    swept = time.perf_counter() - started
    assert table is not None
    started = time.perf_counter()
    fig = regime_map(scenario, table, "us_alliance_priority", "seoul_audience_cost")
    save_figure(fig, str(folder / "map.png"))
    drawn = time.perf_counter() - started
    shutil.copy(folder / "map.png", Path(tempfile.gettempdir()) / "flagship_regime_map.png")
    return swept, drawn, len(table)


def peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--side", type=int, default=1_000)
    args = parser.parse_args()
    os.environ.setdefault("PYTHONPATH", str(ROOT))

    floor = statistics.median(floor_seconds(args.points, 648, 3) for _ in range(3))
    print(f"floor: write and read {args.points:,} x 648 x 3 payoffs on one core: {floor:.2f} s")

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        address, processes = dask_cluster(folder)
        try:
            local: list[float] = []
            remote: list[float] = []
            for _ in range(args.repeats):  # alternate, so that load drifts hit both alike
                local.append(cli_sweep(folder / "t.csv", args.points, ["--workers", "2"]))
                remote.append(cli_sweep(folder / "t.csv", args.points, ["--scheduler", address]))
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
        wall = statistics.median(local)
        dask = statistics.median(remote)
        print(f"sweep, 2 local processes: {wall:.2f} s (median of {args.repeats}: {local})")
        print(f"sweep, Dask (2 one-thread workers): {dask:.2f} s ({remote})")
        print(f"Dask / local: {dask / wall:.2f}")
        print(f"sweep per core / floor: {2 * wall / floor:.1f}")

        swept, drawn, rows = regime_map_seconds(folder, args.side)
        print(
            f"regime map {args.side} x {args.side}: sweep {swept:.1f} s, draw {drawn:.1f} s, "
            f"total {swept + drawn:.1f} s, {rows:,} rows, peak {peak_mib():,.0f} MiB"
        )


if __name__ == "__main__":
    main()
