"""Benchmark: listing every perfect Bayesian and sequential equilibrium of signalling games.

For each size (types x messages x answers) and each of ``--games`` seeded
generic signalling games (chance draws a type uniformly; the sender, knowing
it, sends a message; the receiver sees only the message; payoffs standard
normal), one run measures, each timing the median of ``--repeats``:

- ``two_stage_pbe``: every perfect Bayesian equilibrium (complete);
- ``sequential_equilibria``: every sequential one (complete: in a signalling
  game every belief is consistent);
- for scale, every extreme Nash equilibrium of the reduced normal form by sim's
  ``vertex_enumeration`` (up to 24 strategies a player: not for 3 x 3 x 3)
  and by Gambit's ``enummixed_solve`` (pygambit, a peer: it has no perfect
  Bayesian or sequential solver, so this is the nearest thing it lists; a run
  with it on five 3 x 3 x 3 games, 27 x 27 normal forms, had not finished
  after twelve minutes, so it is left out there).

Printed: per size, the median and the largest time over the games it
lists (a game with more than 20,000 support profiles after pruning is
refused, and counted), and the median ratio of each method to Gambit's listing of Nash equilibria.

Run: ``python tests/benchmarks/bench_beliefs.py [--games 10] [--repeats 3]``
(pygambit comes with ``pip install -e ".[peers]"``; without it the Gambit
column is left out).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sim.errors import TooLargeError
from sim.formats.efg import write_efg
from sim.games.extensive_form import Chance, Decision, ExtensiveFormGame, Terminal, build_game
from sim.solvers.perfect_bayesian import two_stage_pbe
from sim.solvers.sequential import sequential_equilibria
from sim.solvers.vertex_enumeration import vertex_enumeration

SIZES = [(2, 2, 2), (3, 2, 2), (2, 3, 2), (3, 3, 3)]


def signalling_game(types: int, messages: int, answers: int, seed: int) -> ExtensiveFormGame:
    rng = np.random.default_rng(seed)

    def sender(t: int) -> Decision:
        return Decision(
            "S",
            [
                (
                    f"m{m}",
                    Decision(
                        "R",
                        [(f"a{a}", Terminal(rng.standard_normal(2).tolist()))
                         for a in range(answers)],
                        f"after m{m}",
                    ),
                )
                for m in range(messages)
            ],
            f"type {t}",
        )  # fmt: skip

    root = Chance([(f"t{t}", 1 / types, sender(t)) for t in range(types)], "type")
    return build_game(["S", "R"], root)


def timed(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def gambit_runner(game: ExtensiveFormGame, folder: Path) -> Callable[[], object] | None:
    try:
        import pygambit as gbt
    except ImportError:
        return None
    path = folder / "game.efg"
    path.write_text(write_efg(game))
    reference = gbt.read_efg(str(path))
    return lambda: gbt.nash.enummixed_solve(reference, rational=False).equilibria


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--sizes", nargs="*", default=[f"{t}x{m}x{a}" for t, m, a in SIZES],
        help="types x messages x answers, e.g. 2x2x2 3x3x3",
    )  # fmt: skip
    args = parser.parse_args()
    sizes = [tuple(int(k) for k in text.split("x")) for text in args.sizes]
    print(
        f"{'size':>7} {'method':<24} {'median s':>9} {'max s':>8} {'x gambit':>9} "
        f"{'equilibria':>10}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            rows: dict[str, list[tuple[float, int]]] = {}
            ratios: dict[str, list[float]] = {}
            refused: dict[str, int] = {}
            for seed in range(args.games):
                game = signalling_game(*size, seed)  # type: ignore[call-arg]
                normal = game.reduced_normal_form()
                methods: dict[str, Callable[[], object]] = {
                    "two_stage_pbe": lambda g=game: two_stage_pbe(g),
                    "sequential_equilibria": lambda g=game: sequential_equilibria(g),
                }
                if max(normal.shape) <= 24:  # vertex enumeration's limit, and Gambit's patience
                    methods["vertex_enumeration"] = lambda n=normal: vertex_enumeration(n)
                # Gambit's enummixed runs for minutes on 27 x 27 (3 x 3 x 3): not there.
                small = max(normal.shape) <= 24
                gambit = gambit_runner(game, Path(folder)) if small else None
                if gambit is not None:
                    methods["gambit enummixed"] = gambit
                seconds = {}
                for name, run in methods.items():
                    try:
                        t, result = timed(run, args.repeats)
                    except TooLargeError:  # more support profiles than the cap
                        refused[name] = refused.get(name, 0) + 1
                        continue
                    seconds[name] = t
                    rows.setdefault(name, []).append((t, len(result)))  # type: ignore[arg-type]
                if gambit is not None and len(seconds) == len(methods):
                    for name, t in seconds.items():
                        ratios.setdefault(name, []).append(t / seconds["gambit enummixed"])
            label = "x".join(map(str, size))
            for name, values in rows.items():
                times = [t for t, _ in values]
                counts = [n for _, n in values]
                ratio = f"{statistics.median(ratios[name]):9.2f}" if name in ratios else " " * 9
                print(
                    f"{label:>7} {name:<24} {statistics.median(times):9.4f} {max(times):8.4f} "
                    f"{ratio} {statistics.median(counts):10g}"
                )
            for name, count in refused.items():
                print(f"{label:>7} {name:<24} refused (too many support profiles) on {count} "
                      f"of {args.games} games")  # fmt: skip


if __name__ == "__main__":
    main()
