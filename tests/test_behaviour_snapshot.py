"""What ``sim solve`` answers has not changed since the snapshot was recorded.

Refactors must keep behaviour: every shipped scenario, example game and seeded
random game, with every concept, gives the same equilibria, payoffs and
``complete`` flags as in ``tests/data/behaviour.json.gz``. When a change of
behaviour is intended, record again (``python -m tests.behaviour_snapshot
record``) and say why in the commit.
"""

from __future__ import annotations

import pytest

from tests import behaviour_snapshot


@pytest.mark.slow
def test_solve_answers_as_the_snapshot_recorded() -> None:
    before = behaviour_snapshot.load()
    after = behaviour_snapshot.record_all()
    assert behaviour_snapshot.differences(before, after) == []


def test_the_comparison_sees_a_changed_payoff_and_a_changed_flag() -> None:
    before = {
        "g --concept nash": {
            "status": 0,
            "complete": True,
            "equilibria": [{"payoffs": [1.0, 2.0], "strategies": [[1.0], [1.0]]}],
        },
        "h --concept spe": {"status": 2, "message": "old words"},
    }
    after = {
        "g --concept nash": {
            "status": 0,
            "complete": False,
            "equilibria": [{"payoffs": [1.0, 2.5], "strategies": [[1.0], [1.0]]}],
        },
        "h --concept spe": {"status": 2, "message": "better words"},
    }
    assert behaviour_snapshot.differences(before, after) == [
        "g --concept nash: complete True -> False",
        "g --concept nash: equilibrium 1: payoffs differs",
    ]
