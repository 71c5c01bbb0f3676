"""Agreement with Gambit (pygambit), the reference implementation.

Optional: skipped unless the ``peers`` extra is installed (CI installs it).
Random games are written to .nfg files, solved with ``sim solve ... --all
--format json`` exactly as a user would, and compared with what pygambit
computes from the same files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.formats import load_game
from sim.formats.nfg import write_nfg
from sim.games.normal_form import NormalFormGame
from sim.games.profiles import max_regret
from tests.equilibrium_sets import missing, same_set, unique
from tests.optional import require

gbt = require("pygambit")
pytestmark = pytest.mark.peers


def write_random_game(tmp_path: Path, seed: int, shape: tuple[int, ...], high: int) -> Path:
    rng = np.random.default_rng(seed)
    game = NormalFormGame(
        rng.integers(0, high, (len(shape), *shape)).astype(float), title=f"random {seed}"
    )
    path = tmp_path / f"game{seed}.nfg"
    path.write_text(write_nfg(game), encoding="utf-8")
    return path


def sim_json(capsys: pytest.CaptureFixture[str], path: Path, *options: str) -> dict[str, object]:
    assert main(["solve", str(path), "--all", "--format", "json", *options]) == 0
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    return report


def flat_reports(report: dict[str, object]) -> list[np.ndarray]:
    return [np.concatenate(eq["strategies"]) for eq in report["equilibria"]]  # type: ignore[attr-defined]


def gambit_flat(game: object, profiles: object) -> list[np.ndarray]:
    flats = []
    for eq in profiles:  # type: ignore[attr-defined]
        flats.append(np.array([float(v) for p in game.players for _, v in eq[p]]))  # type: ignore[attr-defined]
    return unique(flats, atol=1e-9)


def check_regrets(path: Path, report: dict[str, object]) -> None:
    game = load_game(path)
    assert isinstance(game, NormalFormGame)
    for eq in report["equilibria"]:  # type: ignore[attr-defined]
        assert max_regret(game, eq["strategies"]) <= 1e-6
        assert eq["max_regret"] <= 1e-6


@pytest.mark.parametrize("seed", range(40))
def test_two_player_equals_enummixed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    rng = np.random.default_rng(1000 + seed)
    shape = (int(rng.integers(2, 7)), int(rng.integers(2, 7)))
    path = write_random_game(tmp_path, seed, shape, high=int(rng.choice([3, 10, 100])))
    report = sim_json(capsys, path)
    check_regrets(path, report)
    assert report["complete"] is True
    reference = gbt.read_nfg(str(path))
    theirs = gambit_flat(reference, gbt.nash.enummixed_solve(reference, rational=True).equilibria)
    assert same_set(flat_reports(report), theirs, atol=1e-6)


def test_degenerate_two_player_games_equal_rational_enummixed() -> None:
    """Small games with payoffs in {0, 1, 2}: ties everywhere, so mostly degenerate."""
    from sim.solvers.vertex_enumeration import vertex_enumeration

    for seed in range(200):
        rng = np.random.default_rng(5000 + seed)
        m, n = (int(k) for k in rng.integers(1, 6, 2))
        a, b = rng.integers(0, 3, (2, m, n))
        reference = gbt.StrategicGame.from_arrays(a, b)
        theirs = gambit_flat(reference, gbt.nash.enummixed_solve(reference).equilibria)
        ours = [
            np.concatenate(eq.strategies)
            for eq in vertex_enumeration(NormalFormGame.from_matrices(a, b))
        ]
        assert same_set(ours, theirs, atol=1e-9), f"seed {5000 + seed}"


@pytest.mark.parametrize(
    ("seed", "shape"),
    [(s, (2, 3, 2)) for s in range(10)]
    + [(s, (3, 3, 3)) for s in range(10, 20)]
    + [(s, (2, 2, 2, 2)) for s in range(20, 30)],
)
def test_pure_equilibria_equal_enumpure_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: int, shape: tuple[int, ...]
) -> None:
    path = write_random_game(tmp_path, seed, shape, high=3)
    report = sim_json(capsys, path, "--concept", "pure-nash")
    reference = gbt.read_nfg(str(path))
    theirs = gambit_flat(reference, gbt.nash.enumpure_solve(reference).equilibria)
    ours = flat_reports(report)
    assert len(ours) == len(theirs)
    assert all(any(np.array_equal(o, t) for t in theirs) for o in ours)


@pytest.mark.parametrize(
    ("seed", "shape"),
    [(s, (3, 3, 3)) for s in range(40, 48)] + [(s, (2, 2, 2, 2)) for s in range(50, 56)],
)
def test_n_player_contains_everything_gambit_finds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: int, shape: tuple[int, ...]
) -> None:
    path = write_random_game(tmp_path, seed, shape, high=10)
    report = sim_json(capsys, path)
    check_regrets(path, report)
    reference = gbt.read_nfg(str(path))
    theirs = gambit_flat(reference, gbt.nash.enumpoly_solve(reference).equilibria)
    theirs += gambit_flat(reference, gbt.nash.enumpure_solve(reference).equilibria)
    ours = flat_reports(report)
    if report["complete"]:
        assert not missing(theirs, ours, atol=1e-6)
