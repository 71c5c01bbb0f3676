"""A sweep's results: read back with the record beside them, and said in words.

``sim sweep --out FILE`` writes the table and ``FILE.json``, a sidecar that
records the scenario, the design and how the sweep ran. :func:`read_sweep`
reads both back (what ``sim plot`` draws from); :func:`sweep_text` is what
``sim sweep`` prints: where it wrote, or the table itself, and for a Monte
Carlo design the probability of each outcome.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.analysis.design import Design
from sim.analysis.sweep import SweepResult, read_table
from sim.errors import FormatError
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["probabilities_text", "read_sweep", "sweep_text"]


def read_sweep(path: str | Path) -> tuple[dict[str, Any], Scenario, pd.DataFrame]:
    """A sweep table with its sidecar: the record, the scenario swept and the table.

    Raises
    ------
    FormatError
        When the table or its ``.json`` sidecar is missing, or is not a sweep's.

    Examples
    --------
    >>> read_sweep("no-such-sweep.csv")
    Traceback (most recent call last):
    ...
    sim.errors.FormatError: no-such-sweep.csv: expected a sweep table and its no-such-sweep.csv.json
    """
    table_path = Path(path)
    sidecar = Path(str(table_path) + ".json")
    if not table_path.is_file() or not sidecar.is_file():
        raise FormatError(path, None, f"expected a sweep table and its {sidecar.name}")
    try:
        record = json.loads(sidecar.read_text())
        record["design"]["names"]  # a sweep's sidecar says what was varied
        scenario = load_scenario(record["scenario"])
        table = read_table(table_path)
    except (KeyError, ValueError) as error:  # json.JSONDecodeError is a ValueError
        raise FormatError(path, None, f"not a sweep table ({error})") from None
    return record, scenario, table


def probabilities_text(table: pd.DataFrame, scenario: Scenario, design: Design) -> list[str]:
    """How often each outcome occurs over a Monte Carlo sweep, a line each.

    Examples
    --------
    >>> from sim.analysis.monte_carlo import monte_carlo_design
    >>> from sim.analysis.sweep import run_sweep
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> design = monte_carlo_design(scenario, 20, seed=1)
    >>> table = run_sweep(scenario, design, workers=1).table
    >>> print(probabilities_text(table, scenario, design)[1][:24])
      0.950 [0.764, 0.991]
    """
    from sim.analysis.monte_carlo import outcome_probabilities

    lines = [
        f"Outcome probabilities over {design.size:,} draws of {', '.join(design.names)} "
        "(the players' play in each draw's equilibria, whichever way chance falls; "
        "95% Wilson intervals):"
    ]
    for row in outcome_probabilities(table, scenario).itertuples():
        share = f"{row.probability:.3f} [{row.low:.3f}, {row.high:.3f}]"
        lines.append(f"  {share}  {row.outcome or '(no equilibrium)'}")
    return lines


def sweep_text(
    result: SweepResult, scenario: Scenario, design: Design, out: str | Path | None = None
) -> str:
    """What ``sim sweep`` prints about a finished sweep.

    Parameters
    ----------
    result
        The sweep, as :func:`~sim.analysis.sweep.run_sweep` returned it.
    scenario, design
        What was swept, and where.
    out
        The table's file as the caller named it (default: ``result.out``).

    Returns
    -------
    str
        Kept in memory: the table as CSV. Written: the line that says where, with
        the size, concept and time. A Monte Carlo design adds the probability of
        each outcome (in place of the table).
    """
    out = result.out if out is None else out
    record = result.sidecar
    summary = (
        f"{record['design']['size']:,} points, {record['rows']:,} rows, {record['concept']}, "
        f"{record['seconds']:.1f} s"
    )
    written = f"wrote {out} ({summary}) and {out}.json"
    if design.kind == "monte-carlo":
        if result.table is not None:
            return "\n".join(probabilities_text(result.table, scenario, design))
        assert out is not None
        return "\n".join([written, *probabilities_text(read_table(out), scenario, design)])
    if result.table is not None:
        return str(result.table.to_csv(index=False)).rstrip("\n")
    return written
