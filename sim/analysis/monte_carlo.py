"""Monte Carlo over the uncertainty a scenario declares, and the probability of each outcome.

A scenario may give a parameter a ``distribution`` (uniform, triangular,
normal or beta). :func:`monte_carlo_design` draws ``n`` points from those
distributions (the others stay at their values), from a seed, so that the
sweep that solves them is reproducible and can run anywhere.
:func:`outcome_probabilities` then says how often each equilibrium outcome
occurs, with a Wilson score interval (Wilson 1927), which behaves well even
for outcomes that are rare or near certain.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and
statistical inference. *Journal of the American Statistical Association* 22, 209-212.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.analysis.design import MAX_POINTS, Design
from sim.errors import UsageError
from sim.scenario.model import Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["monte_carlo_design", "outcome_probabilities"]


def monte_carlo_design(scenario: Scenario, n: int, *, seed: int = 0) -> Design:
    """``n`` draws of every parameter that declares a distribution and is not derived.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> design = monte_carlo_design(scenario, 100, seed=1)
    >>> design.names[:2], design.size
    (('us_alliance_priority', 'seoul_approval'), 100)
    >>> monte_carlo_design(scenario, 0)
    Traceback (most recent call last):
    ...
    sim.errors.UsageError: monte_carlo_design(): n: expected 1 to 100,000,000 draws; got 0
    """
    # A derived parameter follows its inputs (it may have inherited a distribution).
    uncertain = [
        p for p in scenario.parameters.values() if p.distribution is not None and not p.derived
    ]
    if not uncertain:
        raise UsageError(
            f"{{n}}: {scenario.path} declares no parameter distribution "
            "(add distribution = {kind = ...} to a [parameters.NAME] table)",
            function="monte_carlo_design",
            parameters=["n"],
        )
    if not 1 <= n <= MAX_POINTS:
        raise UsageError(
            f"{{n}}: expected 1 to {MAX_POINTS:,} draws; got {n}",
            function="monte_carlo_design",
            parameters=["n"],
        )
    rng = np.random.default_rng(seed)
    columns = []
    for parameter in uncertain:
        assert parameter.distribution is not None
        columns.append(parameter.distribution.draw(rng, n))
    sample = np.stack(columns, axis=1)
    return Design("monte-carlo", tuple(p.name for p in uncertain), n, seed=seed, _sample=sample)


def outcome_probabilities(
    table: pd.DataFrame, scenario: Scenario | None = None, *, confidence: float = 0.95
) -> pd.DataFrame:
    """How often each outcome occurs over a sweep's points, with a Wilson interval.

    The outcome of a point is the set of its equilibria's outcomes, each the
    players' play (chance's draws are not outcomes of the negotiation): a
    draw with two equilibria is counted as "a | b", not as its first one. With
    ``scenario``, outcomes are said in words.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"point": [0, 1, 2, 2, 3], "outcome": ["a", "a", "a", "b", "a"]})
    >>> outcome_probabilities(table).round(3).to_dict("records")[0]
    {'outcome': 'a', 'points': 3, 'probability': 0.75, 'low': 0.301, 'high': 0.954}
    >>> outcome_probabilities(table)["outcome"].tolist()
    ['a', 'a | b']
    """
    import pandas as pd
    from scipy.stats import norm

    from sim.analysis.sweep import parse_outcome, point_outcomes

    _, sets = point_outcomes(table)
    said: dict[str, str] = {}
    if scenario is not None:
        from sim.report.narrate import outcome_label

        texts = {text for outcome in sets for text in outcome}
        said = {text: outcome_label(scenario, parse_outcome(text)) for text in texts}
    outcomes = pd.Series([" | ".join(said.get(t, t) for t in outcome) for outcome in sets])
    counts = outcomes.value_counts(sort=True)
    n = int(counts.sum())
    z = float(norm.ppf(0.5 + confidence / 2))
    rows = []
    for outcome, k in counts.items():
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        rows.append(
            {
                "outcome": outcome,
                "points": int(k),
                "probability": p,
                "low": max(0.0, centre - half),
                "high": min(1.0, centre + half),
            }
        )
    return pd.DataFrame(rows, columns=["outcome", "points", "probability", "low", "high"])
