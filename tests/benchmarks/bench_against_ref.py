"""Benchmark: the flagship 10^6-point SPE sweep, this checkout against another commit.

Runs ``sim sweep scenarios/baseline_nov2020.toml --vary
us_alliance_priority=0:2:POINTS --out FILE --workers W`` alternately with this
checkout's code and with a git worktree of ``--ref`` (made in a temporary
folder and removed after), ``--repeats`` times each, in one run on one
machine, and prints the median wall time, the median chunk time from the
sidecar, and the table's size in bytes.

Run: ``python tests/benchmarks/bench_against_ref.py --ref 36b7b49``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(code: Path, out: Path, points: int, workers: int) -> tuple[float, float, int]:
    """One sweep with the code at ``code``: wall seconds, median chunk seconds, bytes."""
    shutil.rmtree(out.with_name(out.name + ".parts"), ignore_errors=True)
    out.unlink(missing_ok=True)
    scenario = str(ROOT / "scenarios" / "baseline_nov2020.toml")
    argv = [
        sys.executable, "-m", "sim.cli", "sweep", scenario, "--vary",
        f"us_alliance_priority=0:2:{points}", "--out", str(out), "--workers", str(workers),
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(argv, check=True, env={**os.environ, "PYTHONPATH": str(code)}, cwd=out.parent,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    seconds = time.perf_counter() - started
    sidecar = json.loads(Path(f"{out}.json").read_text())
    return seconds, float(sidecar["chunk_seconds_median"]), out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", required=True, help="the commit to compare against")
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        other = Path(folder) / "ref"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(other),
                        args.ref], check=True)  # fmt: skip
        try:
            results: dict[str, list[tuple[float, float, int]]] = {"this": [], args.ref: []}
            for _ in range(args.repeats):  # alternate, so that load drifts hit both alike
                for name, code in (("this", ROOT), (args.ref, other)):
                    results[name].append(
                        run(code, Path(folder) / "t.csv", args.points, args.workers)
                    )
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)],
                           check=False)  # fmt: skip
    print(f"| code | wall (median of {args.repeats}) | chunk (median) | table bytes |")
    print("|---|---|---|---|")
    for name, rows in results.items():
        wall = statistics.median(r[0] for r in rows)
        chunk = statistics.median(r[1] for r in rows)
        print(f"| {name} | {wall:.2f} s | {chunk:.3f} s | {rows[0][2]:,} |")


if __name__ == "__main__":
    main()
