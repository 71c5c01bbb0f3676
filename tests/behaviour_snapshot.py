"""Record what ``sim solve --format json`` answers, and compare a later run with it.

A refactor must not change what users get. This script runs ``sim solve PATH
--concept C --format json`` (in process, through the real command line) for
every shipped scenario, tutorial scenario and example game, with every
solution concept, and keeps what a user relies on: the exit status and, on
success, each equilibrium's concept, method, strategies, behaviour strategies,
payoffs, outcome distribution and purity, and the solution's ``complete``
flag. Floats are kept to 9 significant digits so that round-off in the last
bits is not a change; messages of refused runs are kept for reading but not
compared (their wording is allowed to improve).

Usage::

    python -m tests.behaviour_snapshot record   # write tests/data/behaviour.json.gz
    python -m tests.behaviour_snapshot compare  # exit 1 and list every difference

``tests/test_behaviour_snapshot.py`` runs the comparison in the suite. Record
again only when a change of behaviour is intended, and say why in the commit.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "tests" / "data" / "behaviour.json.gz"
CONCEPTS = (
    "nash",
    "pure-nash",
    "spe",
    "pbe",
    "sequential",
    "correlated",
    "coarse-correlated",
    "qre",
    "dominance",
)
#: Options a concept needs to run at all.
EXTRA = {"qre": ["--lambda", "1"]}
#: Runs with options, beyond every input with every concept: the flagship with
#: its first moves forced (small enough for the normal-form concepts), moved
#: across its regime threshold, and given options that some concepts refuse.
VARIANTS = {
    "scenarios/baseline_nov2020.toml": [
        ["--force", "mediation=stay_out", "--force", "stance=proceed", "--force", "summit=skip"],
        ["--set", "us_alliance_priority=1.5"],
        ["--set", "us_alliance_priority=1.5", "--set", "assurance_credibility=0.9"],
        # Options a concept must refuse (0 is a value, not "not given"), and a tie rule.
        ["--lambda", "0"],
        ["--objective", "welfare", "--player", "Seoul"],
        ["--tie-break", "summit=attend"],
    ],
    "scenarios/moon_lame_duck.toml": [["--method", "support_enumeration"]],
}
#: What is compared of each equilibrium (the rest, such as prose, may change).
KEPT = ("concept", "method", "strategies", "behaviour", "payoffs", "pure", "outcomes", "joint")


def inputs() -> list[Path]:
    """Every shipped game a user can solve, relative to the repository."""
    found = [
        *sorted((ROOT / "scenarios").glob("*.toml")),
        *sorted((ROOT / "sim" / "examples").glob("*.[ne]fg")),
        *sorted(p for p in (ROOT / "docs" / "tutorial").glob("*.toml") if "typo" not in p.name),
        # Seeded random games and trees (generic, with ties, with chance), kept as
        # files so that the inputs never change with a generator.
        *sorted((ROOT / "tests" / "data" / "behaviour").glob("*.[ne]fg")),
    ]
    return [p.relative_to(ROOT) for p in found]


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.9g}") + 0.0  # + 0.0 turns -0.0 into 0.0
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def run(path: Path, concept: str, options: list[str] | None = None) -> dict[str, Any]:
    """What ``sim solve PATH --concept CONCEPT --format json`` answers, in comparable form."""
    from sim.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _in(ROOT):
        status = main(["solve", str(path), "--concept", concept, *EXTRA.get(concept, []),
                       *(options or []), "--format", "json"])  # fmt: skip
    if status != 0:
        return {"status": status, "message": err.getvalue().strip()}
    answer = json.loads(out.getvalue())
    equilibria = [
        {key: _rounded(eq[key]) for key in KEPT if key in eq} for eq in answer["equilibria"]
    ]
    return {"status": 0, "complete": answer["complete"], "equilibria": equilibria}


@contextlib.contextmanager
def _in(folder: Path) -> Iterator[None]:
    import os

    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def record_all() -> dict[str, dict[str, Any]]:
    """Every input with every concept, keyed ``"PATH --concept C"``."""
    runs = {f"{path} --concept {c}": run(path, c) for path in inputs() for c in CONCEPTS}
    for path, variants in VARIANTS.items():
        for options in variants:
            for c in CONCEPTS:
                runs[f"{path} --concept {c} {' '.join(options)}"] = run(Path(path), c, options)
    return runs


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Each way ``after`` differs from ``before``, in words (empty when they agree)."""
    found = []
    for key in sorted(before.keys() | after.keys()):
        if key not in after:
            found.append(f"{key}: no longer run")
            continue
        if key not in before:
            found.append(f"{key}: not in the snapshot (record it)")
            continue
        old, new = before[key], after[key]
        if old["status"] != new["status"]:
            found.append(f"{key}: exit status {old['status']} -> {new['status']} "
                         f"({new.get('message', '')[:200]})")  # fmt: skip
        elif old["status"] == 0:
            if old["complete"] != new["complete"]:
                found.append(f"{key}: complete {old['complete']} -> {new['complete']}")
            if len(old["equilibria"]) != len(new["equilibria"]):
                found.append(f"{key}: {len(old['equilibria'])} -> "
                             f"{len(new['equilibria'])} equilibria")  # fmt: skip
            else:
                for i, (a, b) in enumerate(zip(old["equilibria"], new["equilibria"], strict=True)):
                    for field in sorted(a.keys() | b.keys()):
                        if a.get(field) != b.get(field):
                            found.append(f"{key}: equilibrium {i + 1}: {field} differs")
    return found


def load() -> dict[str, Any]:
    with gzip.open(SNAPSHOT, "rt", encoding="utf-8") as f:
        recorded: dict[str, Any] = json.load(f)
    return recorded


def main(argv: list[str]) -> int:
    if argv == ["record"]:
        SNAPSHOT.parent.mkdir(exist_ok=True)
        runs = record_all()
        text = json.dumps(runs, indent=1, sort_keys=True)
        # mtime=0: the same behaviour gives the same bytes, so git sees no change.
        with open(SNAPSHOT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            f.write(text.encode())
        solved = sum(r["status"] == 0 for r in runs.values())
        print(f"recorded {len(runs)} runs ({solved} solved) in {SNAPSHOT.relative_to(ROOT)}")
        return 0
    if argv == ["compare"]:
        before, after = load(), record_all()
        found = differences(before, after)
        for line in found:
            print(line)
        solved = sum(r["status"] == 0 for r in after.values())
        verdict = f"{len(found)} differences" if found else "identical to the snapshot"
        print(f"{len(after)} runs ({solved} solved): {verdict}")
        return 1 if found else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
