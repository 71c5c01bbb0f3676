"""Scenario sweeps: solve a design's points chunk by chunk, batched where the concept allows.

The result is the tidy table of design.md: one row per equilibrium per point,
with a column per varied parameter, ``point`` (the point's index in the
design), ``concept``, ``outcome`` (the players' play, ``move=action;
move=action``, chance apart: :mod:`sim.analysis.play`), ``outcome_probability``
(of the most likely play path, chance included), ``payoff_<player id>``,
``max_regret``, ``equilibria`` (how many at the point), ``complete`` (whether
that is all of them) and one ``move_<name>`` column per move (its action, or
each action's probability where it is mixed, depends on chance, or is
chance's). A point without an equilibrium of the concept keeps one row with an
empty ``outcome``, so that no point silently disappears.

How points are solved
---------------------
- ``spe`` on a perfect-information tree: a whole chunk is compiled as arrays
  and solved by :func:`~sim.solvers.subgame_perfect.backward_induction_batch`
  (one equilibrium per point, the status quo kept on ties); the regret is
  recomputed by :func:`~sim.games.behaviour.batch_spe_regret`. Points where a
  player is indifferent (ties the status-quo rule does not settle) have other
  equilibria too: only they are solved again one by one, listing every one.
- ``pure-nash`` on a scenario whose reduced normal form is small: the chunk's
  normal forms are built at once from the tree's realization matrix and every
  pure equilibrium is marked by :func:`~sim.solvers.pure_nash.pure_nash_mask`.
- anything else: :func:`~sim.report.solve.solve_scenario` point by point,
  with chunks spread over processes.

Chunks are written to ``OUT.parts/`` as they finish (each file renamed into
place whole) and joined in order at the end, so an interrupted sweep resumes
without recomputing or duplicating anything, and serial, parallel and resumed
runs produce byte-identical tables. A JSON sidecar ``OUT.json`` records the
scenario and its hash, the design, the concept, the version and the timings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from sim.analysis.design import Axis, Design
from sim.analysis.play import Play, distinct_rows, per_tree
from sim.errors import UsageError
from sim.report.scenario import default_concept, force_moves
from sim.report.solve import solve_scenario
from sim.scenario.compiler import (
    CompiledScenario,
    ScenarioStructure,
    build_structure,
    compile_scenario,
)
from sim.scenario.model import Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_CHUNK",
    "Batch",
    "SweepResult",
    "columns",
    "csv_text",
    "evaluate_chunk",
    "evaluator_for",
    "first_equilibria",
    "parse_outcome",
    "read_table",
    "run_sweep",
    "sweep",
]

FloatArray = npt.NDArray[np.float64]

#: Points per chunk for batched concepts (bounds memory: about 5 kB per point for the flagship).
DEFAULT_CHUNK = 20_000
#: Pure Nash is batched when the normal form has at most this many profiles.
BATCHED_PROFILE_LIMIT = 256
#: Points solved together inside a batched chunk (small enough to stay in cache).
SOLVE_BLOCK = 2_048
#: Points per chunk when points are solved one at a time.
DEFAULT_CHUNK_PER_POINT = 50


def columns(scenario: Scenario, design: Design, structure: ScenarioStructure) -> list[str]:
    """The table's columns, in order: design.md's, then ``equilibria``, ``complete``, moves."""
    return [
        *design.names,
        "point",
        "concept",
        "outcome",
        "outcome_probability",
        *(f"payoff_{pid}" for pid in scenario.player_ids),
        "max_regret",
        "equilibria",
        "complete",
        "set",
        *play_of(structure).column_names,
    ]


_PLAYS: dict[Any, Play] = {}


def play_of(structure: ScenarioStructure) -> Play:
    """How a structure's equilibria are labelled: built once per tree and process.

    A structure's terminal paths follow from its tree, so the tree is the key.
    """
    return per_tree(_PLAYS, structure.tree, lambda: Play.of_tree(structure.tree, structure.paths))


def parse_outcome(text: str) -> dict[str, str]:
    """A table's ``move=action; move=action`` text back as a play path.

    Examples
    --------
    >>> parse_outcome("stance=fund; summit=attend")
    {'stance': 'fund', 'summit': 'attend'}
    """
    return dict(part.split("=", 1) for part in text.split("; ") if part)


def read_table(path: str | Path) -> pd.DataFrame:
    """A sweep table as written (CSV or Parquet): empty numbers as NaN, empty outcomes as ``""``."""
    import pandas as pd

    if Path(path).suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    table["outcome"] = table["outcome"].fillna("").astype(str)
    return table


def first_equilibria(table: pd.DataFrame) -> pd.DataFrame:
    """One row per point, in point order: each point's first equilibrium."""
    return table.sort_values("point", kind="stable").drop_duplicates("point")


def point_outcomes(table: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, ...]]]:
    """Each point's first row, and the set of its equilibria's outcomes, in point order.

    A point's outcome is the set of its equilibria's distinct outcomes, as a
    sorted tuple (the order a solver lists them in must not make two regions
    of one): what regions, bands and counts are keyed on, so that a point with
    two equilibria is never shown as its first one. Vectorised: only points
    with several rows are looked at one by one.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"point": [1, 0, 1, 2, 2], "outcome": ["b", "a", "a", "a", "a"]})
    >>> first, outcomes = point_outcomes(table)
    >>> first["point"].tolist(), outcomes
    ([0, 1, 2], [('a',), ('a', 'b'), ('a',)])
    """
    ordered = table.sort_values("point", kind="stable")
    points = ordered["point"].to_numpy()
    texts = ordered["outcome"].fillna("").astype(str).to_numpy(dtype=object)
    starts = np.flatnonzero(np.r_[True, points[1:] != points[:-1]]) if len(points) else points
    ends = np.r_[starts[1:], len(points)].astype(np.int64)
    codes, names = _factorize(texts)
    single = ends - starts == 1
    out: list[tuple[str, ...]] = [(names[c],) for c in codes[starts].tolist()]
    for k in np.flatnonzero(~single).tolist():
        out[k] = tuple(sorted(set(texts[starts[k] : ends[k]].tolist())))
    return ordered.iloc[starts], out


def _factorize(values: npt.NDArray[np.object_]) -> tuple[npt.NDArray[np.int64], list[Any]]:
    """Each value's code, and the distinct values in order of appearance (-1: missing)."""
    import pandas as pd

    codes, names = pd.factorize(values)
    return np.asarray(codes, dtype=np.int64), list(names)


@dataclass(frozen=True, eq=False)
class _Job:
    """Everything a worker needs to solve one chunk (picklable): the tree is built once."""

    scenario: Scenario
    structure: ScenarioStructure
    design: Design
    concept: str
    settings: Mapping[str, Any]
    chunk: int
    chunk_size: int


Found = dict[str, Any]


@dataclass(frozen=True, eq=False)
class Batch:
    """Points to solve together: the scenario, its tree, the concept, fixed settings, the points.

    ``support`` asks for each equilibrium's set of reached outcomes as well
    (what :mod:`sim.analysis.shifts` compares); sweep tables do not need it.
    """

    scenario: Scenario
    structure: ScenarioStructure
    concept: str
    settings: Mapping[str, Any]
    points: Mapping[str, Any]
    support: bool = False

    def compile(self) -> CompiledScenario:
        """The batch's payoffs and chance probabilities, all points at once."""
        return compile_scenario(
            self.scenario, {**self.settings, **self.points}, structure=self.structure
        )


def _batched_spe(batch: Batch) -> Found:
    from sim.games.behaviour import batch_spe_regret
    from sim.solvers.subgame_perfect import backward_induction_batch

    scenario, structure = batch.scenario, batch.structure
    play = play_of(structure)
    compiled = batch.compile()
    tree = structure.tree
    size = len(compiled.case_values)
    best = np.zeros(size, dtype=np.int64)
    probability = np.zeros(size)
    payoffs = np.zeros((size, tree.n_players))
    regret = np.zeros(size)
    tied = np.zeros(size, dtype=bool)
    support = np.zeros((size, tree.n_terminals), dtype=bool)
    moves: dict[str, list[npt.NDArray[np.object_]]] = {name: [] for name in play.column_names}
    # A few thousand points at a time: their payoffs stay in the processor's cache
    # from compilation through backward induction to the regret.
    for lo in range(0, size, SOLVE_BLOCK):
        rows = slice(lo, min(lo + SOLVE_BLOCK, size))
        pay, chance = compiled.payoffs_of(rows), compiled.chance[rows]
        result = backward_induction_batch(
            tree, pay, chance, tie_break=scenario.tie_break, workers=1
        )
        reached = result.terminal_probabilities
        best[rows] = reached.argmax(axis=1)
        probability[rows] = reached[np.arange(len(reached)), best[rows]]
        payoffs[rows] = result.values
        regret[rows] = batch_spe_regret(tree, pay, chance, result.decision_nodes, result.choices)
        tied[rows] = result.tied
        support[rows] = result.possible
        # A point's outcome probabilities follow from its support and chance's
        # probabilities: the move columns are worked out once per distinct pair.
        _, kind = distinct_rows(result.possible)
        first, which = distinct_rows(np.column_stack([kind, chance]))
        for name, texts in play.move_columns(reached[first], result.possible[first]).items():
            moves[name].append(np.asarray(texts, dtype=object)[which])
    columns = {name: np.concatenate(parts) for name, parts in moves.items()}
    found = _found(batch, np.arange(size), support, probability, payoffs, regret, columns)
    if tied.any():
        # Several SPEs at these points: list every one, as solve_scenario does.
        again = np.flatnonzero(tied)
        points = {name: np.asarray(v)[again] for name, v in batch.points.items()}
        listed = _per_point(dataclasses.replace(batch, points=points))
        listed["index"] = again[listed["index"]]
        found = _merged(found, ~tied, listed)
    return found


def _found(
    batch: Batch,
    index: npt.NDArray[np.int64],
    support: npt.NDArray[np.bool_],
    probability: FloatArray,
    payoffs: FloatArray,
    regret: FloatArray,
    moves: Mapping[str, Any],
    counts: npt.ArrayLike | None = None,
    complete: npt.ArrayLike | None = None,
    sets: npt.ArrayLike | None = None,
) -> Found:
    """The evaluators' common result: one row per equilibrium, labelled by the players' play.

    ``support`` is each equilibrium's structural support (the outcomes reachable
    whichever way chance falls); the label depends on nothing else. ``sets``
    numbers the connected set of equilibria each row lies in, from 1 at each
    point; by default each equilibrium is a set of its own.
    """
    play = play_of(batch.structure)
    first, where = distinct_rows(support.reshape(len(index), -1))
    distinct = support.reshape(len(index), -1)[first]
    labels = np.array([play.label(row) for row in distinct], dtype=object)
    keys = [tuple(np.flatnonzero(row).tolist()) for row in distinct] if batch.support else []
    return {
        "index": index,
        "support": [keys[k] for k in where.tolist()] if batch.support else [],
        "outcome": labels[where],
        "outcome_probability": probability,
        "payoffs": payoffs,
        "max_regret": regret,
        "equilibria": np.ones(len(index), dtype=np.int64) if counts is None else counts,
        "complete": np.ones(len(index), dtype=bool) if complete is None else complete,
        "set": _rank_within_point(index) if sets is None else np.asarray(sets, dtype=np.int64),
        "moves": dict(moves),
    }


def _rank_within_point(index: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """1, 2, ... for the rows of each point, in order (``index`` sorted by point).

    Examples
    --------
    >>> _rank_within_point(np.array([0, 0, 1, 3, 3, 3])).tolist()
    [1, 2, 1, 1, 2, 3]
    """
    if not len(index):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
    lengths = np.diff(np.r_[starts, len(index)])
    return np.arange(len(index)) - np.repeat(starts, lengths) + 1


def _merged(kept: Found, keep: npt.NDArray[np.bool_], added: Found) -> Found:
    """``kept``'s rows where ``keep`` is true, and every row of ``added``, in point order."""
    rows = np.flatnonzero(keep)
    index = np.concatenate([np.asarray(kept["index"])[rows], np.asarray(added["index"])])
    order = np.argsort(index, kind="stable")

    def join(a: Any, b: Any) -> Any:
        if isinstance(a, list) and not a and not b:  # supports, when not asked for
            return []
        if isinstance(a, list):
            both = [a[r] for r in rows.tolist()] + list(b)
            return [both[k] for k in order.tolist()]
        return np.concatenate([np.asarray(a)[rows], np.asarray(b)])[order]

    merged: Found = {key: join(kept[key], added[key]) for key in kept if key != "moves"}
    merged["moves"] = {
        name: join(kept["moves"][name], added["moves"][name]) for name in kept["moves"]
    }
    return merged


def _batched_pure_nash(batch: Batch) -> Found:
    from sim.games.extensive_form import chance_reach
    from sim.solvers.pure_nash import max_along, pure_nash_mask

    structure = batch.structure
    compiled = batch.compile()
    realization = compiled.game(0).profile_terminals()  # (*shape, T)
    shape = realization.shape[:-1]
    flat = realization.reshape(-1, realization.shape[-1]).astype(np.float64)
    reach = chance_reach(structure.tree, compiled.chance)[:, structure.tree.terminals]
    size, n_terminals = reach.shape
    # One product for the whole chunk: (profiles, T) @ (T, points x players).
    weighted = reach.T[:, :, None] * compiled.payoffs.transpose(1, 0, 2)  # (T, B, N)
    # Sparse, so that each sum has a fixed order whatever the chunk (a BLAS product can
    # change the last bit with the number of rows or threads).
    from scipy.sparse import csr_array

    normal = np.asarray(csr_array(flat) @ weighted.reshape(n_terminals, -1))
    normal = normal.reshape(len(flat), size, -1)
    normal = np.ascontiguousarray(normal.transpose(1, 2, 0)).reshape(size, -1, *shape)
    mask = pure_nash_mask(normal, batch_ndim=1)
    index, *cells = np.nonzero(mask)
    n_players = normal.shape[1]
    payoffs = np.stack(
        [normal[(index, np.full_like(index, i), *cells)] for i in range(n_players)], axis=1
    )
    # The regret, recomputed: each player's best deviation at the equilibrium cell.
    regret = np.zeros(len(index))
    for i in range(n_players):
        best = max_along(normal[:, i], 1 + i)[(slice(None),) * (1 + i) + (0,)]
        others = [c for k, c in enumerate(cells) if k != i]
        np.maximum(regret, best[(index, *others)] - payoffs[:, i], out=regret)
    flat_cells = np.ravel_multi_index(cells, shape)
    structural = flat[flat_cells] > 0  # (n_equilibria, T): where each can lead
    reached = reach[index] * flat[flat_cells]  # ... and with what probability
    best = reached.argmax(axis=1)
    probability = reached[np.arange(len(best)), best]
    moves = play_of(structure).move_columns(reached, structural)
    counts = np.bincount(index, minlength=size)[index]
    return _found(batch, index, structural, probability, payoffs, regret, moves, counts)


def _per_point(batch: Batch) -> Found:
    from sim.analysis.play import equilibrium_support
    from sim.solvers.sets import connected_groups

    scenario, points = batch.scenario, batch.points
    size = len(next(iter(points.values()))) if points else 0
    n_terminals = batch.structure.tree.n_terminals
    index: list[int] = []
    support: list[npt.NDArray[np.bool_]] = []
    reached: list[FloatArray] = []
    payoffs: list[FloatArray] = []
    regret: list[float] = []
    counts: list[int] = []
    complete: list[bool] = []
    sets: list[int] = []
    for k in range(size):
        point = {**batch.settings, **{name: float(v[k]) for name, v in points.items()}}
        solution = solve_scenario(
            scenario, concept=batch.concept, settings=point, structure=batch.structure
        )
        which = {}
        if not solution.rounds:
            for number, members in enumerate(connected_groups(solution.solution), start=1):
                which.update(dict.fromkeys(members, number))
        for j, eq in enumerate(solution):
            sets.append(which.get(j, j + 1))
            index.append(k)
            support.append(equilibrium_support(solution.game, eq.equilibrium))
            reached.append(np.asarray(eq.terminal_probabilities, dtype=np.float64))
            payoffs.append(np.asarray(eq.payoffs, dtype=np.float64))
            regret.append(eq.max_regret)
            counts.append(len(solution))
            complete.append(solution.complete)
    structural = np.array(support, dtype=bool).reshape(-1, n_terminals)
    probabilities = np.array(reached).reshape(-1, n_terminals)
    best = probabilities.argmax(axis=1) if len(probabilities) else np.zeros(0, dtype=np.int64)
    moves = play_of(batch.structure).move_columns(probabilities, structural)
    return _found(
        batch,
        np.array(index, dtype=np.int64),
        structural,
        probabilities[np.arange(len(best)), best],
        np.array(payoffs).reshape(-1, len(scenario.players)),
        np.array(regret),
        moves,
        np.array(counts, dtype=np.int64),
        np.array(complete, dtype=bool),
        np.array(sets, dtype=np.int64),
    )


def evaluator_for(
    scenario: Scenario, structure: ScenarioStructure, concept: str
) -> Callable[[Batch], Found]:
    """How a scenario's points are solved for a concept: batched when it can be."""
    tree = structure.tree
    if scenario.rounds is None and concept == "spe" and tree.is_perfect_information:
        return _batched_spe
    if scenario.rounds is None and concept == "pure-nash":
        from sim.games.reduced_form import reduced_profile_count

        # A chunk's normal forms take chunk x players x profiles numbers.
        if reduced_profile_count(tree, BATCHED_PROFILE_LIMIT) is not None:
            return _batched_pure_nash
    return _per_point


def evaluate_chunk(job: _Job) -> pd.DataFrame:
    """Solve one chunk of a design: the rows of the table for its points."""
    import pandas as pd

    scenario, structure = job.scenario, job.structure
    start = job.chunk * job.chunk_size
    points = job.design.points(start, start + job.chunk_size)
    size = len(next(iter(points.values())))
    found = evaluator_for(scenario, structure, job.concept)(
        Batch(scenario, structure, job.concept, job.settings, points)
    )
    index = np.asarray(found["index"], dtype=np.int64)
    # Points without any equilibrium keep one row with an empty outcome; rows go in
    # point order (already so, with nothing missing, for the batched solvers).
    missing = np.flatnonzero(np.bincount(index, minlength=size) == 0)
    rows = np.concatenate([index, missing])
    ordered = not len(missing) and bool(np.all(index[1:] >= index[:-1]))
    order = None if ordered else np.argsort(rows, kind="stable")

    def arrange(found_values: Any, blank: Any) -> Any:
        values = np.asarray(found_values, dtype=object if blank == "" else np.float64)
        if len(missing):
            filler = np.full((len(missing), *values.shape[1:]), blank, dtype=values.dtype)
            values = np.concatenate([values, filler])
        return values if order is None else values[order]

    data: dict[str, Any] = {
        name: values[rows] if order is None else values[rows][order]
        for name, values in points.items()
    }
    data["point"] = start + (rows if order is None else rows[order])
    data["concept"] = job.concept
    data["outcome"] = arrange(found["outcome"], "")
    data["outcome_probability"] = arrange(found["outcome_probability"], 0.0)
    payoffs = arrange(found["payoffs"], np.nan).reshape(len(rows), len(scenario.players))
    for i, pid in enumerate(scenario.player_ids):
        data[f"payoff_{pid}"] = payoffs[:, i]
    data["max_regret"] = arrange(found["max_regret"], np.nan)
    data["equilibria"] = arrange(found["equilibria"], 0.0).astype(np.int64)
    data["complete"] = arrange(np.asarray(found["complete"], dtype=np.float64), 1.0) > 0
    data["set"] = arrange(found["set"], 0.0).astype(np.int64)
    for name, texts in found["moves"].items():
        data[name] = arrange(texts, "")
    return pd.DataFrame(data, columns=columns(scenario, job.design, structure))


def csv_text(frame: pd.DataFrame, *, header: bool = True) -> str:
    """A table as CSV text, the same bytes as ``frame.to_csv(index=False)``, faster.

    A sweep's columns repeat a few values (outcomes, probabilities, most
    payoffs), so each column's distinct values are formatted once (floats by
    ``repr``, the shortest text that reads back exactly; NaN as an empty
    field). Tables with text that would need quoting go through pandas.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"x": [0.1, 0.1, float("nan")], "point": [0, 1, 2],
    ...                       "outcome": ["a=b", "a=b", ""]})
    >>> print(csv_text(frame), end="")
    x,point,outcome
    0.1,0,a=b
    0.1,1,a=b
    ,2,
    """
    if len(frame.columns) < 2:  # pandas quotes an empty field that is a whole line
        return _pandas_csv(frame, header)
    cells = []
    for name in frame.columns:
        values = frame[name].to_numpy()
        if values.dtype.kind in "iub":
            cells.append([str(v) for v in values.tolist()])
            continue
        if values.dtype == np.float64:
            # Distinct bit patterns, so that -0.0 keeps its sign (np.unique equates it with 0.0).
            bits, where = np.unique(values.view(np.int64), return_inverse=True)
            texts = ["" if v != v else repr(v) for v in bits.view(np.float64).tolist()]
        else:
            # Hashing, not sorting: outcome labels are long, and a chunk has few.
            where, texts = _factorize(values.astype(object))
            if where.min(initial=0) < 0 or not all(isinstance(v, str) for v in texts):
                return _pandas_csv(frame, header)  # missing values, or not text
            if any(any(c in text for c in ',"\r\n') for text in texts):
                return _pandas_csv(frame, header)
        cells.append(np.array(texts, dtype=object)[where].tolist())
    lines = [",".join(map(str, frame.columns))] if header else []
    lines.extend(map(",".join, zip(*cells, strict=True)))
    return "\n".join(lines) + "\n" if lines else ""


def _pandas_csv(frame: pd.DataFrame, header: bool) -> str:
    return str(frame.to_csv(index=False, header=header, lineterminator="\n"))


def _write_part(parts: Path, chunk: int, frame: pd.DataFrame | str) -> None:
    """One chunk's rows (or their CSV text) as ``chunk-NNNNNN.csv``, renamed into place whole."""
    final = parts / f"chunk-{chunk:06d}.csv"
    temporary = parts / f".chunk-{chunk:06d}.{os.getpid()}.tmp"
    text = frame if isinstance(frame, str) else csv_text(frame, header=chunk == 0)
    temporary.write_text(text, encoding="utf-8", newline="\n")
    os.replace(temporary, final)


def _worker_setup() -> None:
    """Prepare a worker process: one BLAS thread, and Ctrl-C left to the parent.

    Otherwise every worker starts a BLAS thread per core; with as many workers
    as cores the threads fight for the processors (a 10^6-point flagship
    sweep on 2 cores took 13 s instead of 8). An interrupt is handled by the
    parent, which cancels the chunks not yet started; the running ones finish
    and are kept for ``--resume``.
    """
    import signal

    from threadpoolctl import threadpool_limits

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threadpool_limits(limits=1)


def _run_job(
    job: _Job, parts: Path | None, *, as_text: bool = False
) -> tuple[int, float, pd.DataFrame | str | None]:
    """Solve one chunk; write it to ``parts``, or return its rows (as CSV text if asked)."""
    from sim.analysis.allocator import kept_heap

    started = time.perf_counter()
    with kept_heap():  # Dask's workers return freed memory at once: see the module
        frame = evaluate_chunk(job)
    if parts is None:
        if as_text:  # formatted where it was solved, in parallel, not by the one writer
            return job.chunk, time.perf_counter() - started, csv_text(frame, header=job.chunk == 0)
        return job.chunk, time.perf_counter() - started, frame
    _write_part(parts, job.chunk, frame)
    return job.chunk, time.perf_counter() - started, None


def _run_on_dask(
    scheduler: str,
    jobs: list[_Job],
    n_workers: int,
    parts: Path | None,
    finished: Callable[[tuple[int, float, pd.DataFrame | None]], None],
) -> None:
    """Solve the chunks on a Dask cluster; this process writes what comes back.

    Workers return each chunk's rows rather than writing them, so a remote
    cluster needs no shared file system; the chunk files, and so the table,
    are the same as with local processes.
    """
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError(
            "{scheduler} needs Dask: pip install 'sim[dask]' (dask[distributed])",
            function="sweep",
            parameters=["scheduler"],
        ) from None
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        address: Any = cluster
    else:
        address = scheduler
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as error:
        raise UsageError(
            f"{{scheduler}}: cannot reach the scheduler ({error})",
            function="sweep",
            parameters={"scheduler": scheduler},
        ) from None
    try:
        futures = client.map(_run_job, jobs, parts=None, as_text=parts is not None, pure=False)
        for future in as_completed(futures):
            chunk, seconds, frame = future.result()
            if parts is not None and frame is not None:
                _write_part(parts, chunk, frame)
                frame = None
            assert not isinstance(frame, str)
            finished((chunk, seconds, frame))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@dataclass(frozen=True, eq=False)
class SweepResult:
    """A finished sweep: the table (if kept in memory), where it was written, and timings."""

    table: pd.DataFrame | None
    out: Path | None
    sidecar: dict[str, Any]


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of every file the scenario was read from (itself and what it extends)."""
    digest = hashlib.sha256()
    for name in scenario.files:
        path = Path(name)
        digest.update(path.read_bytes() if path.is_file() else name.encode())
    return digest.hexdigest()


def run_sweep(
    scenario: Scenario,
    design: Design,
    *,
    concept: str | None = None,
    settings: Mapping[str, Any] | None = None,
    force: Mapping[str, str] | None = None,
    out: str | Path | None = None,
    chunk_size: int | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: bool | None = None,
    scheduler: str | None = None,
) -> SweepResult:
    """Solve every point of a design; write the table chunk by chunk if ``out`` is given.

    Parameters
    ----------
    scenario, design
        What to sweep and where.
    concept
        As for ``sim solve`` (default: the scenario's default concept).
    settings, force
        Fixed parameter values and forced moves for every point.
    out
        A ``.csv`` file (written whole at the end, from chunk files); ``None``
        keeps the table in memory.
    chunk_size
        Points per chunk (default: 20,000 when batched, 50 point by point).
    workers
        Processes (default: every CPU); results do not depend on it.
    resume
        Continue an interrupted sweep to the same ``out``.
    progress
        Show progress on standard error (default: when it is a terminal and CI is unset).
    scheduler
        A Dask scheduler's address, or ``"local"`` to start a local Dask
        cluster of ``workers`` processes; ``None`` uses local processes.

    Returns
    -------
    SweepResult

    Examples
    --------
    >>> from sim.analysis.design import grid_design, parse_vary
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> design = grid_design([parse_vary("us_alliance_priority=0:1:3", scenario)])
    >>> table = run_sweep(scenario, design, workers=1).table
    >>> table[["us_alliance_priority", "outcome_probability"]].to_numpy().tolist()
    [[0.0, 0.6], [0.5, 0.6], [1.0, 0.7]]
    >>> table["outcome"][2].split("; ")[:3]
    ['mediation=press_publicly', 'stance=fund', 'summit=attend']
    """
    started = time.time()
    _check_arguments(workers=workers, resume=resume, out=out)
    if force:
        scenario = force_moves(scenario, force)
    structure = build_structure(scenario)
    concept = concept or default_concept(scenario, structure)
    settings = dict(settings or {})
    for name in settings:
        if name in design.names:
            raise UsageError(
                "{settings}: the parameter is also varied",
                function="sweep",
                parameters={"settings": name},
            )
    # Fail on bad settings before any work: compile the first point.
    compile_scenario(scenario, {**settings, **design.points(0, 1)}, structure=structure)
    method = evaluator_for(scenario, structure, concept)
    batched = method is not _per_point
    if not batched:  # a concept the scenario is too large for fails here, not in a worker
        _per_point(Batch(scenario, structure, concept, settings, design.points(0, 1)))
    size = (
        chunk_size
        if chunk_size is not None
        else (DEFAULT_CHUNK if batched else DEFAULT_CHUNK_PER_POINT)
    )
    if size < 1:
        raise UsageError(
            f"{{chunk_size}} must be at least 1; got {size}",
            function="sweep",
            parameters=["chunk_size"],
        )
    n_chunks = -(-design.size // size)
    identity = {
        "scenario": scenario.path,
        "scenario_sha256": scenario_hash(scenario),
        "design": design.to_dict(),
        "concept": concept,
        "settings": {k: v if isinstance(v, str) else float(v) for k, v in settings.items()},
        "force": dict(force or {}),
        "chunk_size": size,
    }
    path = None if out is None else Path(out)
    parts, done = (None, set()) if path is None else _open_parts(path, identity, resume)
    jobs = [
        _Job(scenario, structure, design, concept, settings, k, size)
        for k in range(n_chunks)
        if k not in done
    ]
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    show = progress if progress is not None else (sys.stderr.isatty() and not os.environ.get("CI"))
    frames: dict[int, pd.DataFrame] = {}
    timings: list[float] = []

    def finished(result: tuple[int, float, pd.DataFrame | None]) -> None:
        chunk, seconds, frame = result
        timings.append(seconds)
        if frame is not None:
            frames[chunk] = frame
        if show:
            count = len(done) + len(timings)
            elapsed = time.time() - started
            eta = elapsed / len(timings) * (len(jobs) - len(timings))
            print(f"\r  {count}/{n_chunks} chunks, ETA {eta:.0f} s ", end="", file=sys.stderr)

    try:
        _execute(jobs, parts, n_workers, scheduler, finished)
    except Exception:
        # A failure (not an interrupt) before any chunk was written leaves nothing behind.
        if parts is not None and not any(parts.glob("chunk-*.csv")):
            shutil.rmtree(parts, ignore_errors=True)
        raise
    if show:
        print(file=sys.stderr)
    table, rows = _gather(frames, path, parts, n_chunks, columns(scenario, design, structure))
    sidecar = {
        **identity,
        "version": _version(),
        "rows": rows,
        "chunks": n_chunks,
        "resumed_chunks": len(done),
        "workers": n_workers,
        "executor": f"dask ({scheduler})" if scheduler else "local processes",
        "seconds": round(time.time() - started, 3),
        "chunk_seconds_median": round(float(np.median(timings)), 4) if timings else None,
    }
    if path is not None:
        Path(str(path) + ".json").write_text(json.dumps(sidecar, indent=2) + "\n")
    return SweepResult(table, path, sidecar)


def _check_arguments(*, workers: int | None, resume: bool, out: str | Path | None) -> None:
    """Refuse arguments no sweep can run with, before any work."""
    if workers is not None and workers < 1:
        raise UsageError(
            f"{{workers}} must be at least 1; got {workers}",
            function="sweep",
            parameters=["workers"],
        )
    if resume and out is None:
        raise UsageError(
            "{resume} needs {out} (the sweep to continue)",
            function="sweep",
            parameters=["resume", "out"],
        )


def _open_parts(path: Path, identity: dict[str, Any], resume: bool) -> tuple[Path, set[int]]:
    """The folder of chunk files for ``path``, and the chunks a resume can keep.

    A new sweep starts an empty folder with a manifest of what it is; a resume
    keeps the finished chunks only if the manifest is the same sweep's.
    """
    parts = path.with_name(path.name + ".parts")
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise UsageError(f"{path}: write sweeps to a .csv or .parquet file")
    if path.suffix.lower() == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise UsageError(f"{path}: Parquet needs pyarrow: pip install 'sim[parquet]'") from None
    if not path.parent.is_dir():
        raise UsageError(f"{path}: the directory {path.parent} does not exist")
    manifest = parts / "manifest.json"
    if resume and manifest.is_file():
        if json.loads(manifest.read_text()) != identity:
            raise UsageError(
                f"{{resume}}: {parts} belongs to a different sweep (scenario, design, "
                "concept, settings or chunk size differ)",
                function="sweep",
                parameters=["resume"],
            )
        return parts, {int(p.stem.split("-")[1]) for p in parts.glob("chunk-*.csv")}
    if parts.exists():
        shutil.rmtree(parts)
    parts.mkdir()
    manifest.write_text(json.dumps(identity, indent=2))
    return parts, set()


def _gather(
    frames: dict[int, pd.DataFrame],
    path: Path | None,
    parts: Path | None,
    n_chunks: int,
    names: list[str],
) -> tuple[pd.DataFrame | None, int]:
    """The whole table in memory (no ``path``), or joined from the chunk files into it."""
    import pandas as pd

    if path is None:
        table = pd.concat([frames[k] for k in range(n_chunks)], ignore_index=True)
        return table, len(table)
    assert parts is not None
    if path.suffix.lower() == ".parquet":
        return None, _join_parquet(parts, path, n_chunks, names)
    return None, _join(parts, path, n_chunks)


def _execute(
    jobs: list[_Job],
    parts: Path | None,
    n_workers: int,
    scheduler: str | None,
    finished: Callable[[tuple[int, float, pd.DataFrame | None]], None],
) -> None:
    """Solve the chunks here, on local worker processes, or on a Dask cluster."""
    if scheduler is not None:
        _run_on_dask(scheduler, jobs, n_workers, parts, finished)
    elif n_workers == 1:
        for job in jobs:
            finished(_run_job(job, parts))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("forkserver")
        pool = ProcessPoolExecutor(n_workers, mp_context=context, initializer=_worker_setup)
        futures = []
        try:
            futures = [pool.submit(_run_job, job, parts) for job in jobs]
            for future in futures:
                finished(future.result())
        except BaseException:
            # Cancel here, not through shutdown(cancel_futures=True): that is done by the
            # pool's own thread, which skips it once this function has dropped the pool.
            for future in futures:
                future.cancel()
            pool.shutdown(wait=False)
            raise
        pool.shutdown()


def _join(parts: Path, path: Path, n_chunks: int) -> int:
    """Concatenate the chunk files in order into ``path`` (atomically); return the row count."""
    temporary = path.with_name(f".{path.name}.tmp")
    rows = 0
    with temporary.open("wb") as target:
        for k in range(n_chunks):
            data = (parts / f"chunk-{k:06d}.csv").read_bytes()
            rows += data.count(b"\n")  # no field holds a line break (see csv_text)
            target.write(data)
    os.replace(temporary, path)
    shutil.rmtree(parts)
    return rows - 1  # the header


def _join_parquet(parts: Path, path: Path, n_chunks: int, names: list[str]) -> int:
    """The chunk files as one Parquet file, a row group per chunk (atomically)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    temporary = path.with_name(f".{path.name}.tmp")
    rows = 0
    writer = None
    try:
        for k in range(n_chunks):
            frame = pd.read_csv(
                parts / f"chunk-{k:06d}.csv",
                header=0 if k == 0 else None,
                names=None if k == 0 else names,
                dtype={"outcome": str, "concept": str},
                keep_default_na=False,
                na_values={c: [""] for c in names if c not in ("outcome", "concept")},
            )
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(temporary, table.schema)
            writer.write_table(table)
            rows += len(frame)
    finally:
        if writer is not None:
            writer.close()
    os.replace(temporary, path)
    shutil.rmtree(parts)
    return rows


def _version() -> str:
    from sim import __version__

    return __version__


def _axes(
    scenario: Scenario,
    vary: Mapping[str, tuple[float, float, int] | tuple[float, float]],
    *,
    grid: bool,
) -> list[Axis]:
    """:func:`sweep`'s ``vary`` as checked axes: ``(start, stop, count)`` for a grid,
    ``(low, high)`` bounds for a sample."""
    from sim.analysis.design import make_axis

    if grid and not vary:
        raise UsageError(
            "give {vary}={name: (start, stop, count)} for a grid, or {sample}=N",
            function="sweep",
            parameters=["vary", "sample"],
        )
    axes = []
    for name, spec in vary.items():
        form = "(start, stop, count) for a grid" if grid else "(low, high) bounds for a sample"
        if not isinstance(spec, tuple | list) or len(spec) != (3 if grid else 2):
            raise UsageError(
                f"{{vary}}: expected {form}; got {spec!r}",
                function="sweep",
                parameters={"vary": name},
            )
        items: tuple[Any, ...] = tuple(spec)
        count = items[2] if grid else None
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
            raise UsageError(
                f"{{vary}}: the count must be a whole number; got {count!r}",
                function="sweep",
                parameters={"vary": name},
            )
        axes.append(make_axis(scenario, name, items[0], items[1], count, function="sweep"))
    return axes


def sweep(
    scenario: str | Path | Scenario,
    vary: Mapping[str, tuple[float, float, int] | tuple[float, float]] | None = None,
    *,
    sample: int | None = None,
    sampling: str = "latin-hypercube",
    seed: int = 0,
    concept: str | None = None,
    settings: Mapping[str, Any] | None = None,
    force: Mapping[str, str] | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    resume: bool = False,
) -> pd.DataFrame:
    """``sim sweep`` for notebooks: the table as a pandas DataFrame.

    Parameters
    ----------
    scenario
        A scenario file or a loaded :class:`~sim.scenario.model.Scenario`.
    vary
        ``{name: (start, stop, count)}`` for a grid (the first name varies
        slowest); with ``sample``, ``{name: (low, high)}`` bounds.
    sample, sampling, seed
        ``sample`` points drawn by ``sampling`` from ``seed`` instead of a grid.
    concept, settings, force, out, workers, scheduler, chunk_size, resume
        As for :func:`run_sweep` and ``sim sweep``.

    Returns
    -------
    pandas.DataFrame
        One row per equilibrium per point (read back from ``out`` if given).

    Examples
    --------
    >>> table = sweep("scenarios/baseline_nov2020.toml", {"us_alliance_priority": (0, 2, 5)},
    ...               workers=1)
    >>> table[["us_alliance_priority", "payoff_seoul"]].round(3).to_numpy().tolist()
    [[0.0, 0.3], [0.5, 0.3], [1.0, 0.175], [1.5, 1.575], [2.0, 2.975]]
    """

    from sim.analysis.design import design_from
    from sim.scenario.loader import as_scenario

    loaded = as_scenario(scenario, function="sweep")
    design = design_from(
        loaded, _axes(loaded, vary or {}, grid=sample is None), sample=sample,
        sampling=sampling, seed=seed,
    )  # fmt: skip
    result = run_sweep(
        loaded,
        design,
        concept=concept,
        settings=settings,
        force=force,
        out=out,
        chunk_size=chunk_size,
        workers=workers,
        resume=resume,
        progress=False,
        scheduler=scheduler,
    )
    if result.table is not None:
        return result.table
    assert result.out is not None
    return read_table(result.out)
