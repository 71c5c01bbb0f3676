"""Benchmarks of sim's equilibrium solvers against reference implementations.

What is measured
----------------
All measurements run in one process, on seeded random games with integer payoffs
drawn uniformly from 0..99, and every tool solves the *same* games:

``two-player``
    All (extreme) equilibria of n x n bimatrix games, n = 4, 8, 12, 16:
    ``sim.solvers.vertex_enumeration`` against QuantEcon's ``vertex_enumeration``,
    pygambit's ``enummixed_solve(..., rational=False)`` and nashpy's
    ``Game.vertex_enumeration``. A peer is skipped at a size when it is hopeless
    there: when a game at a smaller size took longer than the per-game budget, or
    when extrapolating its growth between the two previous sizes predicts more
    than the budget per game. Such cells say "skipped (> budget)".
``three-player``
    All equilibria of 3 x 3 x 3 games: ``sim.solvers.support_enumeration``
    against pygambit's ``enumpoly_solve``.
``pure``
    Pure equilibria of 6 x 6 x 6 games: ``sim.solvers.pure_nash`` against
    pygambit's ``enumpure_solve`` and QuantEcon's ``pure_nash_brute``, plus sim's
    batched ``pure_nash_mask(payoffs, batch_ndim=1)`` on 10,000 games.
``startup``
    Wall time of ``sim --help`` and ``sim solve sim/examples/summit.nfg`` as
    subprocesses, with ``python -c pass`` and ``python -c "import scipy.optimize"``
    for reference.

How it is timed
---------------
Each timed call builds the tool's own game object from the numpy arrays and
solves it (generators are consumed), timed with ``time.perf_counter`` with the
garbage collector paused. A call that takes under 0.2 s is repeated (at most
five times) and its fastest run kept; the reported figure is the median over
games, and the ratio is peer / sim (above 1 means sim is faster). Games are
interleaved: each game is solved by every tool before the next game, so load
from other processes affects all tools alike. Before timing, every tool solves
one small game to pay one-off costs (imports, and numba JIT compilation for
QuantEcon, whose time is reported separately).

Equilibrium counts are taken after deduplicating each tool's list within 1e-6
(max-norm on the concatenated strategies). Where a peer's list differs from sim's,
the profiles found by only one side are checked with sim's independent referee
``sim.games.profiles.max_regret`` and listed under "Anomalies".

Peers are optional: a missing pygambit, QuantEcon or nashpy is reported as
"not installed".

Running
-------
From the repository root, with the development virtualenv::

    python tests/benchmarks/bench_engine.py --quick            # smoke test, < 60 s
    python tests/benchmarks/bench_engine.py                    # full run, a few minutes
    python tests/benchmarks/bench_engine.py --only three-player
    python tests/benchmarks/bench_engine.py --json results.json

The Markdown tables go to stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib
import json
import math
import platform
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

T = TypeVar("T")
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Profile = list[FloatArray]

SECTIONS = ("two-player", "three-player", "pure", "startup")
DEDUP_ATOL = 1e-6
PAYOFF_HIGH = 100  # payoffs are integers 0..99
REPEAT_UNTIL = 0.2  # seconds: repeat a call (keeping the fastest) until this much time is spent
MAX_REPEATS = 5
PEER_MODULES = {
    "gambit": "pygambit",
    "quantecon": "quantecon.game_theory",
    "nashpy": "nashpy",
}
_T0 = time.perf_counter()
PEER_DISTRIBUTIONS = {"gambit": "pygambit", "quantecon": "quantecon", "nashpy": "nashpy"}


@dataclass(frozen=True)
class Config:
    """Sizes and repetition counts for one run."""

    sizes: tuple[int, ...]
    games_per_size: dict[int, int]
    three_player_games: int
    pure_games: int
    batch_games: int
    batch_repeats: int
    startup_runs: int
    budget: float
    seed: int


def make_config(*, quick: bool, budget: float, seed: int) -> Config:
    """The full configuration, or a reduced one that finishes in well under a minute."""
    if quick:
        return Config(
            sizes=(4, 6),
            games_per_size={4: 3, 6: 3},
            three_player_games=3,
            pure_games=5,
            batch_games=1_000,
            batch_repeats=3,
            startup_runs=3,
            budget=budget,
            seed=seed,
        )
    return Config(
        sizes=(4, 8, 12, 16),
        games_per_size={4: 20, 8: 10, 12: 8, 16: 4},
        three_player_games=20,
        pure_games=50,
        batch_games=10_000,
        batch_repeats=5,
        startup_runs=10,
        budget=budget,
        seed=seed,
    )


# ---------------------------------------------------------------------------------------
# Helpers: timing, peers, profiles, formatting
# ---------------------------------------------------------------------------------------


def log(message: str) -> None:
    """Progress on stderr, so stdout stays a clean Markdown document."""
    print(f"[{time.perf_counter() - _T0:6.1f} s] {message}", file=sys.stderr, flush=True)


def time_call(fn: Callable[[], T], *, repeat: bool = True) -> tuple[float, T]:
    """Run ``fn`` (again while cheap) with the GC paused; the fastest time and a result.

    Callers collect garbage before timing; see :func:`collect`.
    """
    best = math.inf
    spent = 0.0
    runs = 0
    while True:
        gc.disable()
        try:
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
        finally:
            gc.enable()
        best = min(best, elapsed)
        spent += elapsed
        runs += 1
        if not repeat or runs >= MAX_REPEATS or spent >= REPEAT_UNTIL:
            return best, result


def collect() -> None:
    """Collect garbage, then freeze what survives so later collections stay cheap."""
    gc.collect()
    gc.freeze()


def load_peers() -> dict[str, Any]:
    """Import each optional peer, or record None when it is not installed."""
    peers: dict[str, Any] = {}
    for name, module in PEER_MODULES.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                peers[name] = importlib.import_module(module)
        except ImportError:
            peers[name] = None
    return peers


def versions(peers: dict[str, Any]) -> dict[str, str]:
    """Installed versions of Python, numpy, scipy, sim and the peers."""
    from importlib import metadata

    found = {"python": platform.python_version()}
    for dist in ("sim", "numpy", "scipy", *PEER_DISTRIBUTIONS.values()):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "not installed"
    for name, dist in PEER_DISTRIBUTIONS.items():
        if peers.get(name) is None:
            found[dist] = "not installed"
    return found


def random_games(seed: int, tag: int, count: int, shape: tuple[int, ...]) -> list[IntArray]:
    """``count`` payoff arrays of ``shape``, integers 0..99, reproducible from the seed."""
    rng = np.random.default_rng([seed, tag, *shape])
    return [rng.integers(0, PAYOFF_HIGH, size=shape, dtype=np.int64) for _ in range(count)]


def dedupe(profiles: Sequence[Profile], atol: float = DEDUP_ATOL) -> list[Profile]:
    """Profiles with near-duplicates (max-norm within ``atol``) removed, first kept."""
    kept: list[Profile] = []
    flat_kept: list[FloatArray] = []
    for profile in profiles:
        flat = np.concatenate(profile)
        if all(np.abs(flat - other).max() > atol for other in flat_kept):
            kept.append(profile)
            flat_kept.append(flat)
    return kept


def unmatched(these: Sequence[Profile], others: Sequence[Profile]) -> list[Profile]:
    """The profiles in ``these`` that are not within ``DEDUP_ATOL`` of any in ``others``."""
    flat_others = [np.concatenate(p) for p in others]
    return [
        p
        for p in these
        if not any(np.abs(np.concatenate(p) - q).max() <= DEDUP_ATOL for q in flat_others)
    ]


def normalised(profile: Sequence[npt.ArrayLike]) -> Profile:
    """Strategies as float arrays, clipped at zero and rescaled to sum to one."""
    out = []
    for s in profile:
        x = np.clip(np.asarray(s, dtype=np.float64), 0.0, None)
        out.append(x / x.sum())
    return out


def referee_regret(payoffs: IntArray, profile: Profile) -> float:
    """sim's independent regret check of a profile (absolute, payoffs in 0..99)."""
    from sim.games import NormalFormGame, max_regret

    return max_regret(NormalFormGame(payoffs), profile)


def gambit_profiles(result: Any) -> list[Profile]:
    """Float strategies of every profile in a pygambit result object."""
    profiles = []
    for eq in result.equilibria:
        game = eq.game
        profiles.append([np.array([float(v) for _, v in eq[p]]) for p in game.players])
    return profiles


def fmt_time(seconds: float) -> str:
    """A duration with a sensible unit and three significant figures."""
    if seconds >= 1.0:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def fmt_ratio(peer: float, sim: float) -> str:
    """Peer time over sim time."""
    ratio = peer / sim
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.2f}×"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Tool cells: the timings and equilibria of one tool on one set of games
# ---------------------------------------------------------------------------------------


@dataclass
class Cell:
    """One tool on one set of games."""

    status: str = "ok"  # ok | partial | skipped | not installed | error
    note: str = ""
    times: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    profiles: list[list[Profile]] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        """Median time per game, or None when nothing was timed."""
        return statistics.median(self.times) if self.times else None

    def display(self) -> str:
        """The table cell text: the median, or why there is none."""
        if self.median is None:
            return self.status if not self.note else f"{self.status} ({self.note})"
        text = fmt_time(self.median)
        if self.status == "partial":
            text += f" (partial: {len(self.times)} games; {self.note})"
        return text

    def to_json(self) -> dict[str, Any]:
        """Everything except the profiles themselves."""
        data = asdict(self)
        del data["profiles"]
        data["median"] = self.median
        return data


@dataclass(frozen=True)
class Tool:
    """A solver under test: how to call it on payoff arrays and read its equilibria."""

    name: str
    label: str
    solve: Callable[[IntArray], Any]
    profiles: Callable[[Any], list[Profile]]


def ratio_text(peer: Cell, sim: Cell) -> str:
    """The ratio column for a peer cell."""
    if peer.median is None or sim.median is None:
        return "—"
    return fmt_ratio(peer.median, sim.median)


# ---------------------------------------------------------------------------------------
# 1. Two-player games: all extreme equilibria
# ---------------------------------------------------------------------------------------


def two_player_tools(peers: dict[str, Any]) -> list[Tool | str]:
    """sim first, then each peer (or its name when it is not installed)."""
    from sim.games import NormalFormGame
    from sim.solvers.vertex_enumeration import vertex_enumeration

    def sim_solve(p: IntArray) -> Any:
        return vertex_enumeration(NormalFormGame.from_matrices(p[0], p[1]))

    def sim_profiles(solution: Any) -> list[Profile]:
        return [list(eq.strategies) for eq in solution]

    tools: list[Tool | str] = [Tool("sim", "sim", sim_solve, sim_profiles)]

    gt = peers["quantecon"]
    if gt is None:
        tools.append("quantecon")
    else:

        def qe_solve(p: IntArray) -> Any:
            game = gt.NormalFormGame((gt.Player(p[0]), gt.Player(p[1].T)))
            return gt.vertex_enumeration(game)

        def qe_profiles(result: Any) -> list[Profile]:
            return [normalised(pair) for pair in result]

        tools.append(Tool("quantecon", "QuantEcon", qe_solve, qe_profiles))

    gbt = peers["gambit"]
    if gbt is None:
        tools.append("gambit")
    else:

        def gambit_solve(p: IntArray) -> Any:
            game = gbt.StrategicGame.from_arrays(p[0], p[1])
            return gbt.nash.enummixed_solve(game, rational=False)

        tools.append(Tool("gambit", "Gambit enummixed", gambit_solve, gambit_profiles))

    nashpy = peers["nashpy"]
    if nashpy is None:
        tools.append("nashpy")
    else:

        def nashpy_solve(p: IntArray) -> Any:
            return list(nashpy.Game(p[0], p[1]).vertex_enumeration())

        def nashpy_profiles(result: Any) -> list[Profile]:
            return [normalised(pair) for pair in result]

        tools.append(Tool("nashpy", "nashpy", nashpy_solve, nashpy_profiles))
    return tools


TOOL_LABELS = {
    "sim": "sim",
    "quantecon": "QuantEcon",
    "gambit": "Gambit enummixed",
    "nashpy": "nashpy",
}


def warm_up(tools: Sequence[Tool], payoffs: IntArray) -> dict[str, float]:
    """Solve one small game with every tool; the time of that first call per tool."""
    first: dict[str, float] = {}
    for tool in tools:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first[tool.name], _ = time_call(functools.partial(tool.solve, payoffs), repeat=False)
    return first


def run_games(
    tools: Sequence[Tool],
    games: Sequence[IntArray],
    cells: dict[str, Cell],
    *,
    budget: float,
    what: str,
) -> dict[str, str]:
    """Solve every game with every tool still running; return tools that blew the budget.

    A tool whose game takes longer than ``budget`` finishes the size (so its median
    is honest) unless its total time there exceeds ``8 * budget`` or one game
    exceeds ``3 * budget``; the returned reasons block it at larger sizes.
    """
    over: dict[str, str] = {}
    spent = dict.fromkeys(cells, 0.0)
    for index, payoffs in enumerate(games):
        collect()
        for tool in tools:
            cell = cells[tool.name]
            if cell.status != "ok":
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    elapsed, result = time_call(functools.partial(tool.solve, payoffs))
                found = dedupe(tool.profiles(result))
            except Exception as exc:  # a peer or sim failing is a result, not a crash
                cell.status, cell.note = "error", f"{type(exc).__name__}: {exc}"[:200]
                log(f"  {tool.name} {what} game {index}: {cell.note}")
                continue
            cell.times.append(elapsed)
            cell.counts.append(len(found))
            cell.profiles.append(found)
            spent[tool.name] += elapsed
            if elapsed > budget:
                over[tool.name] = f"a {what} game took {elapsed:.0f} s"
            if elapsed > 3 * budget or spent[tool.name] > 8 * budget:
                cell.status = "partial"
                cell.note = f"stopped after {spent[tool.name]:.0f} s"
        log(f"  {what} game {index + 1}/{len(games)} done")
    return over


def compare_with_sim(
    games: Sequence[IntArray], cells: dict[str, Cell], tools: Sequence[str], what: str
) -> tuple[dict[str, int], list[str]]:
    """Per peer, how many games' equilibrium lists differ from sim's; anomaly lines."""
    sim = cells["sim"]
    differing: dict[str, int] = {}
    anomalies: list[str] = []
    for name in tools:
        cell = cells[name]
        differing[name] = 0
        for index in range(min(len(cell.profiles), len(sim.profiles))):
            ours, theirs = sim.profiles[index], cell.profiles[index]
            missing = unmatched(ours, theirs)
            extra = unmatched(theirs, ours)
            if not missing and not extra:
                continue
            differing[name] += 1
            line = (
                f"{what} game {index}: {TOOL_LABELS.get(name, name)} found {len(theirs)}, "
                f"sim {len(ours)}"
            )
            if missing:
                worst = max(referee_regret(games[index], p) for p in missing)
                line += f"; missed {len(missing)} of sim's (max regret {worst:.1e})"
            if extra:
                worst = max(referee_regret(games[index], p) for p in extra)
                line += f"; {len(extra)} not in sim's list (max regret {worst:.1e})"
            anomalies.append(line)
    return differing, anomalies


def bench_two_player(config: Config, peers: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Section 1: all equilibria of n x n games."""
    log("two-player: vertex enumeration")
    tools = two_player_tools(peers)
    installed = [t for t in tools if isinstance(t, Tool)]
    names = [t.name if isinstance(t, Tool) else t for t in tools]
    peer_names = [n for n in names if n != "sim"]
    first_calls = warm_up(installed, random_games(config.seed, 99, 1, (2, 3, 3))[0])

    blocked: dict[str, str] = {}
    history: dict[str, list[float]] = {t.name: [] for t in installed}
    rows: list[list[str]] = []
    anomalies: list[str] = []
    data: dict[str, Any] = {"first_call_seconds": first_calls, "sizes": {}}
    for n in config.sizes:
        games = random_games(config.seed, 1, config.games_per_size[n], (2, n, n))
        cells = {name: Cell() for name in names}
        running = []
        for tool in tools:
            if isinstance(tool, str):
                cells[tool].status = "not installed"
                continue
            past = history[tool.name]
            predicted = past[-1] ** 2 / past[-2] if len(past) >= 2 else 0.0
            if tool.name in blocked:
                cells[tool.name].status = "skipped (> budget)"
                cells[tool.name].note = blocked[tool.name]
            elif predicted > config.budget:
                cells[tool.name].status = "skipped (> budget)"
                cells[tool.name].note = f"predicted ~{predicted:.0f} s/game"
            else:
                running.append(tool)
        log(f" {n}x{n}: {len(games)} games, tools {[t.name for t in running]}")
        over = run_games(running, games, cells, budget=config.budget, what=f"{n}×{n}")
        for name, reason in over.items():
            blocked.setdefault(name, reason)
        for tool in running:
            median = cells[tool.name].median
            if median is not None:
                history[tool.name].append(median)
        live = [name for name in peer_names if cells[name].profiles]
        differing, lines = compare_with_sim(games, cells, live, f"{n}×{n}")
        anomalies += lines

        row = [f"{n}×{n}", str(len(games)), cells["sim"].display()]
        for name in peer_names:
            row += [cells[name].display(), ratio_text(cells[name], cells["sim"])]
        totals = " / ".join(
            str(sum(cells[name].counts)) if cells[name].counts else "—" for name in names
        )
        row.append(totals)
        row.append(
            ", ".join(
                f"{TOOL_LABELS[k]} {v}/{len(cells[k].profiles)}" for k, v in differing.items() if v
            )
            or "none"
        )
        rows.append(row)
        data["sizes"][str(n)] = {
            "games": len(games),
            "cells": {name: cell.to_json() for name, cell in cells.items()},
            "games_differing_from_sim": differing,
        }

    header = ["n×n", "games", "sim"]
    for name in peer_names:
        header += [TOOL_LABELS[name], "ratio"]
    header += [
        "equilibria found (" + " / ".join(TOOL_LABELS[n] for n in names) + ")",
        "games whose list differs from sim",
    ]
    notes = [
        f"Median time per game; ratio = peer / sim. Per-game budget {config.budget:.0f} s: a "
        "tool is skipped at a size when a smaller size had a game over budget or its "
        "growth predicts more.",
        "Warm-up, excluded from the timings (first call on a 3×3 game): "
        + ", ".join(f"{TOOL_LABELS[k]} {fmt_time(v)}" for k, v in first_calls.items())
        + " — QuantEcon's includes numba JIT compilation.",
        "Equilibria found: totals over the games after deduplication within 1e-6.",
    ]
    text = "\n".join(
        [
            "### Two-player games: all extreme equilibria",
            "",
            markdown_table(header, rows),
            "",
            *[f"- {n}" for n in notes],
            *anomaly_block(anomalies),
        ]
    )
    data["anomalies"] = anomalies
    return text, data


def anomaly_block(anomalies: Sequence[str], limit: int = 30) -> list[str]:
    """Markdown lines listing anomalies (or saying there were none)."""
    if not anomalies:
        return ["", "Anomalies: none — every peer listed the same equilibria as sim."]
    lines = ["", "Anomalies (regret by sim's referee, payoffs 0..99):", ""]
    lines += [f"- {a}" for a in anomalies[:limit]]
    if len(anomalies) > limit:
        lines.append(f"- … and {len(anomalies) - limit} more (see --json)")
    return lines


# ---------------------------------------------------------------------------------------
# 2. Three-player games: all equilibria
# ---------------------------------------------------------------------------------------


def bench_three_player(config: Config, peers: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Section 2: all equilibria of 3 x 3 x 3 games, sim vs Gambit enumpoly."""
    log("three-player: support enumeration vs enumpoly")
    from sim.games import NormalFormGame

    def sim_profiles(solution: Any) -> list[Profile]:
        return [list(eq.strategies) for eq in solution]

    incomplete: list[int] = []
    try:
        from sim.solvers.support_enumeration import support_enumeration

        def sim_solve(p: IntArray) -> Any:
            return support_enumeration(NormalFormGame(p), rng=config.seed)

        sim_tool: Tool | None = Tool("sim", "sim", sim_solve, sim_profiles)
        import_error = ""
    except Exception as exc:  # the module is still being written
        sim_tool, import_error = None, f"{type(exc).__name__}: {exc}"[:200]

    gbt = peers["gambit"]
    tools: list[Tool] = [sim_tool] if sim_tool else []
    if gbt is not None:

        def gambit_solve(p: IntArray) -> Any:
            return gbt.nash.enumpoly_solve(gbt.StrategicGame.from_arrays(*p))

        tools.append(Tool("gambit", "Gambit enumpoly", gambit_solve, gambit_profiles))

    games = random_games(config.seed, 2, config.three_player_games, (3, 3, 3, 3))
    cells = {"sim": Cell(), "gambit": Cell()}
    if sim_tool is None:
        cells["sim"].status, cells["sim"].note = "error", import_error
    if gbt is None:
        cells["gambit"].status = "not installed"
    first_calls = warm_up(tools, random_games(config.seed, 98, 1, (3, 2, 2, 2))[0])
    run_games(tools, games, cells, budget=config.budget, what="3×3×3")
    if sim_tool is not None and cells["sim"].status == "ok":
        # Record sim's own completeness flag on each game (outside the timings).
        for index, payoffs in enumerate(games):
            if not sim_tool.solve(payoffs).complete:
                incomplete.append(index)

    sim, gam = cells["sim"], cells["gambit"]
    fewer: list[int] = []
    anomalies: list[str] = []
    extra_regrets: list[float] = []
    for index in range(min(len(sim.profiles), len(gam.profiles))):
        ours, theirs = sim.profiles[index], gam.profiles[index]
        only_sim = unmatched(ours, theirs)
        only_gambit = unmatched(theirs, ours)
        if len(theirs) < len(ours):
            fewer.append(index)
        regrets = [referee_regret(games[index], p) for p in only_sim]
        extra_regrets += regrets
        if only_sim or only_gambit:
            line = f"3×3×3 game {index}: sim {len(ours)}, enumpoly {len(theirs)}"
            if only_sim:
                line += f"; {len(only_sim)} only in sim's list (max regret {max(regrets):.1e})"
            if only_gambit:
                worst = max(referee_regret(games[index], p) for p in only_gambit)
                line += f"; {len(only_gambit)} only in enumpoly's list (max regret {worst:.1e})"
            anomalies.append(line)

    header = [
        "game",
        "games",
        "sim support_enumeration",
        "Gambit enumpoly",
        "ratio",
        "equilibria found (sim / enumpoly)",
        "games where enumpoly found fewer",
        "max regret of sim's extra equilibria",
    ]
    row = [
        "3×3×3",
        str(len(games)),
        sim.display(),
        gam.display(),
        ratio_text(gam, sim),
        f"{sum(sim.counts) if sim.counts else '—'} / {sum(gam.counts) if gam.counts else '—'}",
        f"{len(fewer)}/{min(len(sim.counts), len(gam.counts))}"
        if sim.counts and gam.counts
        else "—",
        f"{max(extra_regrets):.1e}" if extra_regrets else "—",
    ]
    notes = [
        "Median time per game; ratio = peer / sim.",
        "Per-game counts, sim: " + (" ".join(map(str, sim.counts)) or "—"),
        "Per-game counts, enumpoly: " + (" ".join(map(str, gam.counts)) or "—"),
        "Games with an even number of equilibria (a generic game has an odd number, "
        f"Wilson 1971): sim {sum(c % 2 == 0 for c in sim.counts)}, "
        f"enumpoly {sum(c % 2 == 0 for c in gam.counts)}",
        "Games sim itself flags as not complete: "
        + (", ".join(map(str, incomplete)) if incomplete else "none"),
        "Warm-up first calls (2×2×2 game, excluded): "
        + (", ".join(f"{k} {fmt_time(v)}" for k, v in first_calls.items()) or "—"),
    ]
    text = "\n".join(
        [
            "### Three-player 3×3×3 games: all equilibria",
            "",
            markdown_table(header, [row]),
            "",
            *[f"- {n}" for n in notes],
            *anomaly_block(anomalies),
        ]
    )
    data = {
        "games": len(games),
        "cells": {k: c.to_json() for k, c in cells.items()},
        "games_enumpoly_fewer": fewer,
        "sim_incomplete_games": incomplete,
        "sim_extra_max_regret": max(extra_regrets) if extra_regrets else None,
        "anomalies": anomalies,
        "first_call_seconds": first_calls,
    }
    return text, data


# ---------------------------------------------------------------------------------------
# 3. Pure equilibria of 6 x 6 x 6 games
# ---------------------------------------------------------------------------------------


def bench_pure(config: Config, peers: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Section 3: pure equilibria, one game at a time and sim's batched mask."""
    log("pure: 6x6x6 pure equilibria")
    from sim.games import NormalFormGame
    from sim.solvers.pure_nash import pure_nash, pure_nash_mask

    def sim_solve(p: IntArray) -> Any:
        return pure_nash(NormalFormGame(p))

    def sim_profiles(solution: Any) -> list[Profile]:
        return [list(eq.strategies) for eq in solution]

    tools: list[Tool] = [Tool("sim", "sim", sim_solve, sim_profiles)]
    gbt, gt = peers["gambit"], peers["quantecon"]
    if gbt is not None:

        def gambit_solve(p: IntArray) -> Any:
            return gbt.nash.enumpure_solve(gbt.StrategicGame.from_arrays(*p))

        tools.append(Tool("gambit", "Gambit enumpure", gambit_solve, gambit_profiles))
    if gt is not None:
        shape = (6, 6, 6)

        def qe_solve(p: IntArray) -> Any:
            return gt.pure_nash_brute(gt.NormalFormGame(np.moveaxis(p, 0, -1)))

        def qe_profiles(result: Any) -> list[Profile]:
            return [
                [np.eye(n)[a] for a, n in zip(actions, shape, strict=True)] for actions in result
            ]

        tools.append(Tool("quantecon", "QuantEcon pure_nash_brute", qe_solve, qe_profiles))

    games = random_games(config.seed, 3, config.pure_games, (3, 6, 6, 6))
    cells = {"sim": Cell(), "gambit": Cell(), "quantecon": Cell()}
    for name, module in (("gambit", gbt), ("quantecon", gt)):
        if module is None:
            cells[name].status = "not installed"
    first_calls = warm_up(tools, random_games(config.seed, 97, 1, (3, 2, 2, 2))[0])
    run_games(tools, games, cells, budget=config.budget, what="6×6×6")
    differing, anomalies = compare_with_sim(
        games, cells, [t.name for t in tools if t.name != "sim"], "6×6×6"
    )

    # Batched: the same games first, then more from the same distribution.
    extra = random_games(config.seed, 4, max(config.batch_games - len(games), 0), (3, 6, 6, 6))
    batch = np.stack([*games, *extra])[: config.batch_games].astype(np.float64)
    batch_times = []
    mask = pure_nash_mask(batch, batch_ndim=1)  # warm-up
    for _ in range(config.batch_repeats):
        collect()
        elapsed, mask = time_call(lambda: pure_nash_mask(batch, batch_ndim=1), repeat=False)
        batch_times.append(elapsed / len(batch))
    batch_counts = mask.reshape(len(batch), -1).sum(axis=1)
    batch_agrees = bool(
        np.array_equal(batch_counts[: len(cells["sim"].counts)], cells["sim"].counts)
    )
    if not batch_agrees:
        anomalies.append("batched pure_nash_mask disagrees with pure_nash on the shared games")
    batch_median = statistics.median(batch_times)

    labels = {"gambit": "Gambit enumpure", "quantecon": "QuantEcon pure_nash_brute"}
    header = ["case", "games", "sim", *[x for k in labels for x in (labels[k], "ratio")]]
    header.append("pure equilibria found (sim / Gambit / QuantEcon)")
    sim = cells["sim"]
    counts = " / ".join(
        str(sum(cells[k].counts)) if cells[k].counts else "—" for k in ("sim", *labels)
    )
    rows = [
        [
            "6×6×6, one game per call",
            str(len(games)),
            sim.display(),
            *[x for k in labels for x in (cells[k].display(), ratio_text(cells[k], sim))],
            counts,
        ],
        [
            f"6×6×6, sim batched `pure_nash_mask(batch_ndim=1)`, per game in a batch of "
            f"{len(batch):,}",
            f"{len(batch):,}",
            fmt_time(batch_median),
            "—",
            "—",
            "—",
            "—",
            f"{int(batch_counts.sum())} (sim only)",
        ],
    ]
    notes = [
        "Median time per game; ratio = peer / sim (one game per call).",
        f"Batched row: median of {config.batch_repeats} runs over the whole float64 batch, "
        f"divided by its size; that is {sim.median / batch_median:.0f}× less per game than "
        "sim's one-game `pure_nash`."
        if sim.median
        else "Batched row: median over runs, divided by the batch size.",
        "Warm-up first calls (2×2×2 game, excluded): "
        + ", ".join(f"{k} {fmt_time(v)}" for k, v in first_calls.items()),
    ]
    text = "\n".join(
        [
            "### Pure equilibria of 6×6×6 games",
            "",
            markdown_table(header, rows),
            "",
            *[f"- {n}" for n in notes],
            *anomaly_block(anomalies),
        ]
    )
    data = {
        "games": len(games),
        "cells": {k: c.to_json() for k, c in cells.items()},
        "games_differing_from_sim": differing,
        "batch": {
            "games": len(batch),
            "per_game_seconds": batch_times,
            "median_per_game": batch_median,
            "agrees_with_pure_nash": batch_agrees,
        },
        "anomalies": anomalies,
    }
    return text, data


# ---------------------------------------------------------------------------------------
# 4. Start-up time of the command-line tool
# ---------------------------------------------------------------------------------------


def find_sim_script() -> str | None:
    """The ``sim`` console script of this interpreter's environment, else on PATH."""
    beside = Path(sys.executable).parent / "sim"
    if beside.exists():
        return str(beside)
    return shutil.which("sim")


def bench_startup(config: Config, peers: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Section 4: wall time of short commands as subprocesses."""
    del peers
    log("startup: subprocess wall times")
    import sim

    script = find_sim_script()
    example = Path(sim.__file__).parent / "examples" / "summit.nfg"
    commands: list[tuple[str, list[str] | None]] = [
        ("`python -c pass`", [sys.executable, "-c", "pass"]),
        ('`python -c "import scipy.optimize"`', [sys.executable, "-c", "import scipy.optimize"]),
        ("`sim --help`", [script, "--help"] if script else None),
        (
            "`sim solve sim/examples/summit.nfg`",
            [script, "solve", str(example)] if script else None,
        ),
    ]
    rows = []
    data: dict[str, Any] = {"sim_script": script, "commands": {}}
    for label, argv in commands:
        if argv is None:
            rows.append([label, "0", "sim script not found", "—"])
            continue
        times: list[float] = []
        error = ""
        for run in range(config.startup_runs + 1):  # the first run warms the file cache
            start = time.perf_counter()
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
            elapsed = time.perf_counter() - start
            if proc.returncode != 0:
                error = f"exit {proc.returncode}: {proc.stderr.strip()[:150]}"
                break
            if run:
                times.append(elapsed)
        if error:
            rows.append([label, str(len(times)), f"error ({error})", "—"])
        else:
            rows.append(
                [label, str(len(times)), fmt_time(statistics.median(times)), fmt_time(min(times))]
            )
        data["commands"][label] = {"argv": argv, "times": times, "error": error}
    text = "\n".join(
        [
            "### Start-up (subprocess wall time)",
            "",
            markdown_table(["command", "runs", "median", "min"], rows),
            "",
            "- One untimed run of each command first, to warm the file cache.",
        ]
    )
    return text, data


# ---------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------

BENCHES: dict[str, Callable[[Config, dict[str, Any]], tuple[str, dict[str, Any]]]] = {
    "two-player": bench_two_player,
    "three-player": bench_three_player,
    "pure": bench_pure,
    "startup": bench_startup,
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description="Benchmark sim's solvers against QuantEcon, pygambit and nashpy."
    )
    parser.add_argument("--quick", action="store_true", help="few small games (< 60 s)")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only this section")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write results as JSON")
    parser.add_argument("--seed", type=int, default=20240611, help="seed for the random games")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="per-game budget in seconds for peers"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected benchmarks, print Markdown, optionally write JSON."""
    args = parse_args(argv)
    started = time.perf_counter()
    config = make_config(quick=args.quick, budget=args.budget, seed=args.seed)
    peers = load_peers()
    found = versions(peers)
    sections = args.only or list(SECTIONS)
    command = "python tests/benchmarks/bench_engine.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    parts = [
        "## sim benchmarks" + (" (quick)" if args.quick else ""),
        "",
        f"Command: `{command.strip()}`; seed {config.seed}; "
        + ", ".join(f"{k} {v}" for k, v in found.items())
        + f"; {platform.machine()}, {_cpu_count()} CPUs, {platform.system()}.",
    ]
    results: dict[str, Any] = {"config": asdict(config), "versions": found, "command": command}
    for name in sections:
        text, data = BENCHES[name](config, peers)
        parts += ["", text]
        results[name] = data
    total = time.perf_counter() - started
    parts += ["", f"Total benchmark time: {total:.0f} s."]
    results["total_seconds"] = total
    print("\n".join(parts))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=_json_default) + "\n")
        log(f"wrote {args.json}")
    log(f"total {total:.1f} s")
    return 0


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _json_default(value: object) -> object:
    """numpy scalars and arrays in JSON."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


if __name__ == "__main__":
    raise SystemExit(main())
