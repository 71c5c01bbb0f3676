"""Trees of any size: subgame perfection on the tree, and Nash equilibria that can be guaranteed.

Random three-player perfect-information Gambit trees, generic payoffs, written
to ``.efg`` and solved through the command line as a user would. The unique
subgame-perfect equilibrium is checked against a backward induction written
here, on the nested tree the test built, sharing no code with sim's.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.formats.efg import write_efg
from sim.games.extensive_form import Decision, Node, Terminal, build_game

PLAYERS = ("Seoul", "Tokyo", "Washington")


def random_tree(branching: int, depth: int, rng: np.random.Generator) -> Node:
    """Players move in turn; every leaf gets generic (continuous, random) payoffs."""

    def node(level: int) -> Node:
        if level == depth:
            return Terminal(rng.normal(size=3).round(9).tolist())
        actions = [(f"a{k}", node(level + 1)) for k in range(branching)]
        return Decision(PLAYERS[level % 3], actions)

    return node(0)


def induction(node: Node) -> tuple[np.ndarray, list[str]]:
    """Backward induction by hand: the mover takes the child best for them (payoffs, path)."""
    if isinstance(node, Terminal):
        return np.asarray(node.payoffs, dtype=float), []
    assert isinstance(node, Decision)
    mover = PLAYERS.index(node.player)
    best: tuple[np.ndarray, list[str]] | None = None
    for label, child in node.moves:
        value, path = induction(child)
        if best is None or value[mover] > best[0][mover]:
            best = (value, [label, *path])
    assert best is not None
    return best


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    status = main(list(argv))
    out = capsys.readouterr().out
    return status, json.loads(out) if status == 0 else {}


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    branching=st.integers(3, 4),
    depth=st.integers(3, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_tree_too_large_for_its_normal_form_has_its_spe_found_on_the_tree(
    branching: int, depth: int, seed: int, tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    root = random_tree(branching, depth, np.random.default_rng(seed))
    path = tmp_path_factory.mktemp("trees") / "tree.efg"
    path.write_text(write_efg(build_game(list(PLAYERS), root)))
    expected, played = induction(root)

    status, report = run(capsys, "solve", str(path), "--concept", "spe", "--format", "json")
    assert status == 0
    (eq,) = report["equilibria"]
    np.testing.assert_allclose(eq["payoffs"], expected, atol=1e-9)
    assert eq["max_regret"] < 1e-9
    assert eq["pure"]
    (outcome,) = eq["outcomes"]
    assert list(outcome["actions"].values()) == played
    assert report["complete"]
    # Every such tree is too large for its reduced normal form (the smallest,
    # 27 leaves, has 3 x 27 x 19,683 profiles): strategies empty, behaviour per set.
    assert report["game"]["representation"] == "behaviour"
    assert eq["strategies"] == [[], [], []]
    sets = [len(p["information_sets"]) for p in report["game"]["players"]]
    assert [len(b) for b in eq["behaviour"]] == sets

    status, nash = run(capsys, "solve", str(path), "--all", "--format", "json")
    assert status == 0
    payoffs = [e["payoffs"] for e in nash["equilibria"]]
    assert any(np.allclose(p, expected, atol=1e-9) for p in payoffs)  # at least the SPE
    assert not nash["complete"]
    assert "other equilibria" in nash["notes"][0]


@pytest.mark.slow
def test_a_tree_of_a_hundred_thousand_leaves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = random_tree(10, 5, np.random.default_rng())  # a fresh tree each run
    path = tmp_path / "big.efg"
    path.write_text(write_efg(build_game(list(PLAYERS), root)))
    expected, played = induction(root)
    status, report = run(capsys, "solve", str(path), "--concept", "spe", "--format", "json")
    assert status == 0
    assert report["game"]["representation"] == "behaviour"
    (eq,) = report["equilibria"]
    np.testing.assert_allclose(eq["payoffs"], expected, atol=1e-9)
    assert list(eq["outcomes"][0]["actions"].values()) == played
    status, nash = run(capsys, "solve", str(path), "--concept", "nash", "--all", "--format", "json")
    assert status == 0
    assert not nash["complete"]
    np.testing.assert_allclose(nash["equilibria"][0]["payoffs"], expected, atol=1e-9)


def test_explain_walks_a_tree_too_large_for_its_normal_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = random_tree(3, 3, np.random.default_rng(7))  # 3 x 27 x 19,683 reduced plans
    path = tmp_path / "tree.efg"
    path.write_text(write_efg(build_game(list(PLAYERS), root)))
    _, played = induction(root)
    assert main(["explain", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Equilibrium 1 of 1 (spe): play ")
    on_path = [line for line in lines if "(on the equilibrium path)" in line]
    assert [line.split(" plays ")[1].split()[0] for line in on_path] == played
    assert sum("(off the equilibrium path)" in line for line in lines) == 1 + 3 + 9 - 3
