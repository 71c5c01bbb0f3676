"""Game representations: normal form, batches of normal forms, profiles and regret."""

from sim.games.normal_form import GameBatch, NormalFormGame
from sim.games.profiles import action_values, best_responses, expected_payoffs, max_regret

__all__ = [
    "GameBatch",
    "NormalFormGame",
    "action_values",
    "best_responses",
    "expected_payoffs",
    "max_regret",
]
