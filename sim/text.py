"""Numbers and strategies as people read them: the one leaf every layer may use.

Solvers, reports, explanations, plots and the command line all print
probabilities, payoffs and regrets the same way, from here; this module
imports nothing of sim's, so any layer can use it (tests/test_architecture.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from html import escape

import numpy as np
import numpy.typing as npt

__all__ = [
    "OUTCOME_CUTOFF",
    "found_text",
    "fraction_text",
    "html_report",
    "path_text",
    "regret_text",
    "strategy_text",
]

#: Outcomes less likely than this are left out of reports.
OUTCOME_CUTOFF = 1e-12


def fraction_text(
    value: float, *, scale: float | None = None, max_denominator: int = 1000, tol: float = 1e-9
) -> str:
    """A number as a simple fraction when it is one, else as a short decimal.

    With ``scale`` (a game's payoff range), values below round-off level for
    that scale print as 0.

    Examples
    --------
    >>> fraction_text(0.75), fraction_text(1 / 3), fraction_text(2.0), fraction_text(0.123456789)
    ('3/4', '1/3', '2', '0.1235')
    >>> fraction_text(3e-33, scale=2.0), fraction_text(4e-12), fraction_text(1e9 / 3)
    ('0', '4e-12', '3.333e+08')
    """
    if value == 0 or (scale is not None and abs(value) <= 1e-12 * scale):
        return "0"
    fraction = Fraction(value).limit_denominator(max_denominator)
    simple = fraction.denominator == 1 or abs(fraction.numerator) < 10**6
    if simple and abs(float(fraction) - value) <= tol * abs(value):
        return str(fraction)
    return f"{value:.4g}"


def regret_text(regret: float) -> str:
    """Regret as printed: "< 1e-12" at round-off level (exact zero included), else 2 digits.

    Round-off differs between machines, so tiny regrets are not printed digit by digit.

    Examples
    --------
    >>> regret_text(0.0), regret_text(3e-15), regret_text(0.01234)
    ('< 1e-12', '< 1e-12', '0.012')
    """
    return "< 1e-12" if regret < 1e-12 else f"{regret:.2g}"


def found_text(count: int, concept: str, method: str, complete: bool) -> str:
    """What a solver found, in one phrase: how many, of what, by what, and whether all.

    Examples
    --------
    >>> found_text(1, "spe", "backward_induction", True)
    '1 spe equilibrium by backward_induction, complete'
    >>> found_text(3, "nash", "lemke_howson", False)
    '3 nash equilibria by lemke_howson, not known to be complete'
    """
    noun = "equilibrium" if count == 1 else "equilibria"
    status = "complete" if complete else "not known to be complete"
    return f"{count} {concept} {noun} by {method}, {status}"


def path_text(path: Mapping[str, str]) -> str:
    """A play path (or a play) as every report writes it: ``move=action; move=action``.

    Examples
    --------
    >>> path_text({"stance": "fund", "summit": "attend"})
    'stance=fund; summit=attend'
    """
    return "; ".join(f"{move}={action}" for move, action in path.items())


def strategy_text(
    actions: Sequence[str],
    strategy: npt.ArrayLike,
    *,
    label: Callable[[str], str] = str,
) -> str:
    """``"attend"`` for a pure strategy, ``"attend 1/3, skip 2/3"`` for a mixed one.

    ``label`` turns each action label into text (``html.escape`` for a page).

    Examples
    --------
    >>> strategy_text(["attend", "skip"], [1.0, 0.0])
    'attend'
    >>> strategy_text(["attend", "skip"], [1 / 3, 2 / 3])
    'attend 1/3, skip 2/3'
    """
    probabilities = np.asarray(strategy, dtype=np.float64)
    if np.isclose(probabilities.max(), 1.0, atol=1e-12):
        return label(actions[int(np.argmax(probabilities))])
    return ", ".join(
        f"{label(a)} {fraction_text(float(p))}"
        for a, p in zip(actions, probabilities, strict=True)
        if p > 1e-12
    )


#: One part of an HTML report: lines of text, then a table (its header, its rows).
Section = tuple[Sequence[str], Sequence[str], Sequence[Sequence[str]]]


def html_report(heading: str, sections: Sequence[Section]) -> str:
    """The HTML a notebook shows for any result: a heading, then text and a table per part.

    Every string is plain text and is escaped here, so labels from a file
    cannot inject markup. Both result reprs (a game's solution, a scenario's)
    are drawn by this one function.

    Examples
    --------
    >>> html_report("1 equilibrium", [(["Seoul <b>"], ["#", "payoff"], [["1", "2"]])])
    '<p>1 equilibrium</p><p>Seoul &lt;b&gt;</p><table><tr><th>#</th><th>payoff</th></tr><tr><td>1</td><td>2</td></tr></table>'
    """  # noqa: E501
    parts = [f"<p>{escape(heading)}</p>"]
    for lines, header, rows in sections:
        if lines:
            parts.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
        if rows:
            head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
            body = "".join(
                "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
                for row in rows
            )
            parts.append(f"<table><tr>{head}</tr>{body}</table>")
    return "".join(parts)
