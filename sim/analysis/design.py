"""Sweep designs: which parameter points a sweep visits, chunk by chunk.

A design is a full grid over one or more parameters (``--vary
NAME=START:STOP:COUNT``, the first parameter varying slowest) or a sample of
``N`` points over the parameters' declared ranges, random or Latin hypercube
(``--sample N``). Points are addressed by index, so any chunk can be produced
on its own, in any process, and the same index always gives the same point:
serial, parallel and resumed sweeps visit identical points.

Everything is checked before any work starts: unknown names (with the nearest
one), bounds that are not numbers, empty ranges, bounds outside a parameter's
declared range, and categorical parameters (set them with ``--set``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.errors import TooLargeError, UsageError, did_you_mean
from sim.scenario.model import Scenario

__all__ = [
    "MAX_POINTS",
    "Axis",
    "Design",
    "design_from",
    "grid_design",
    "make_axis",
    "parse_vary",
    "sample_design",
]

FloatArray = npt.NDArray[np.float64]

#: The most points one design may have.
MAX_POINTS = 100_000_000
SAMPLINGS = ("random", "latin-hypercube")


@dataclass(frozen=True)
class Axis:
    """One varied parameter of a grid: ``count`` evenly spaced values from ``start`` to ``stop``."""

    name: str
    start: float
    stop: float
    count: int

    @property
    def values(self) -> FloatArray:
        """The axis's values."""
        return np.linspace(self.start, self.stop, self.count)


def _fail(message: str, function: str, parameter: str, value: object = None) -> UsageError:
    """A UsageError about one argument (``vary``, ``sample``), spelled per caller."""
    return UsageError(
        "{" + parameter + "}" + message, function=function, parameters={parameter: value}
    )


def _number(text: str, what: str, parameter: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        message = f": {what} must be a number; got {text!r}"
        raise _fail(message, "parse_vary", parameter, name) from None
    if not math.isfinite(value):
        raise _fail(
            f": {what} must be a finite number; got {text!r}", "parse_vary", parameter, name
        )
    return value


def _numeric_parameter(
    scenario: Scenario, name: str, parameter: str, function: str
) -> tuple[float, float] | None:
    parameters = scenario.parameters
    if name not in parameters:
        raise _fail(
            f": no parameter called {name!r} in {scenario.path}{did_you_mean(name, parameters)}",
            function,
            parameter,
        )
    declared = parameters[name]
    if declared.choices is not None:
        raise UsageError(
            "{" + parameter + "}" + f": {name} is a choice ({', '.join(declared.choices)}); "
            "set it with {settings}",
            function=function,
            parameters={parameter: None, "settings": None},
        )
    return declared.range


def parse_vary(
    text: str, scenario: Scenario, *, need_count: bool = True, parameter: str = "vary"
) -> Axis:
    """``NAME=START:STOP:COUNT`` (or ``NAME=START:STOP`` when no count is needed), checked.

    ``parameter`` names the argument the text came from, for error messages.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> parse_vary("us_alliance_priority=0:2:5", scenario)
    Axis(name='us_alliance_priority', start=0.0, stop=2.0, count=5)
    >>> parse_vary("us_alliance_priority=0:3:5", scenario)
    Traceback (most recent call last):
    ...
    sim.errors.UsageError: parse_vary(): vary='us_alliance_priority': 3 is outside the parameter's range [0, 2]
    """  # noqa: E501
    form = "NAME=START:STOP:COUNT" if need_count else "NAME=START:STOP"
    name, sep, rest = text.partition("=")
    name = name.strip()
    parts = rest.split(":")
    if not sep or not name or len(parts) != (3 if need_count else 2):
        extra = " (a count of points belongs to a grid)" if len(parts) == 3 else ""
        raise _fail(f": expected {form}; got {text!r}{extra}", "parse_vary", parameter)
    _numeric_parameter(scenario, name, parameter, "parse_vary")
    start = _number(parts[0], "START", parameter, name)
    stop = _number(parts[1], "STOP", parameter, name)
    count: int | None = None
    if len(parts) == 3:
        try:
            count = int(parts[2])
        except ValueError:
            raise _fail(
                f": COUNT must be a whole number; got {parts[2]!r}", "parse_vary", parameter, name
            ) from None
    return make_axis(scenario, name, start, stop, count, parameter=parameter, function="parse_vary")


def make_axis(
    scenario: Scenario,
    name: str,
    start: float,
    stop: float,
    count: int | None = None,
    *,
    parameter: str = "vary",
    function: str = "make_axis",
) -> Axis:
    """One varied parameter, checked: a ranged number, an interval inside its range.

    With ``count`` it is a grid axis of ``count`` points; without, the bounds of a
    sample (``count`` is then 2, unused). ``parameter`` and ``function`` name the
    argument and the public function for error messages.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> make_axis(scenario, "public_cover", 0, 1, 3)
    Axis(name='public_cover', start=0.0, stop=1.0, count=3)
    >>> make_axis(scenario, "public_cover", 0, 2, 3, function="sweep")
    Traceback (most recent call last):
    ...
    sim.errors.UsageError: sweep(): vary='public_cover': 2 is outside the parameter's range [0, 1]
    """
    bounds = _numeric_parameter(scenario, name, parameter, function)
    for what, value in (("START", start), ("STOP", stop)):
        if isinstance(value, bool) or not (
            isinstance(value, numbers.Real) and math.isfinite(value)
        ):
            raise _fail(
                f": {what} must be a finite number; got {value!r}", function, parameter, name
            )
    if count is not None and count < 1:
        raise _fail(
            f": COUNT must be at least 1; got {count} (an empty range)", function, parameter, name
        )
    if start == stop and (count is None or count > 1):
        raise _fail(
            f": START and STOP are both {start:g} (an empty range)", function, parameter, name
        )
    if bounds is not None:
        for value in (start, stop):
            if not bounds[0] <= value <= bounds[1]:
                raise _fail(
                    f": {value:g} is outside the parameter's range [{bounds[0]:g}, {bounds[1]:g}]",
                    function,
                    parameter,
                    name,
                )
    return Axis(name, float(start), float(stop), 2 if count is None else int(count))


@dataclass(frozen=True, eq=False)
class Design:
    """The points of a sweep, addressable by index.

    Attributes
    ----------
    kind
        ``"grid"``, ``"random"`` or ``"latin-hypercube"``.
    names
        The varied parameters, in column order.
    size
        How many points.
    axes
        For a grid, its axes.
    seed
        For a sample, the seed it was drawn from.
    """

    kind: str
    names: tuple[str, ...]
    size: int
    axes: tuple[Axis, ...] = ()
    seed: int | None = None
    _sample: FloatArray | None = field(default=None, repr=False)

    def points(self, start: int, stop: int) -> dict[str, FloatArray]:
        """The parameter values of points ``start`` to ``stop - 1``.

        Examples
        --------
        >>> design = Design("grid", ("a", "b"), 6, (Axis("a", 0, 1, 2), Axis("b", 0, 2, 3)))
        >>> {k: v.tolist() for k, v in design.points(0, 4).items()}
        {'a': [0.0, 0.0, 0.0, 1.0], 'b': [0.0, 1.0, 2.0, 0.0]}
        """
        stop = min(stop, self.size)
        if self._sample is not None:
            return {n: self._sample[start:stop, k].copy() for k, n in enumerate(self.names)}
        index = np.unravel_index(np.arange(start, stop), [a.count for a in self.axes])
        return {a.name: a.values[i] for a, i in zip(self.axes, index, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        """The design as the sweep's JSON sidecar records it."""
        record: dict[str, Any] = {"kind": self.kind, "size": self.size, "names": list(self.names)}
        if self.axes:
            record["axes"] = [
                {"name": a.name, "start": a.start, "stop": a.stop, "count": a.count}
                for a in self.axes
            ]
        if self.seed is not None:
            record["seed"] = self.seed
        return record


def grid_design(axes: Sequence[Axis]) -> Design:
    """The full grid over the axes (the first varies slowest)."""
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise _fail(f": {twice} is varied twice", "grid_design", "vary")
    size = math.prod(a.count for a in axes)
    if size > MAX_POINTS:
        raise TooLargeError(
            f"{{vary}}: the grid has {size:,} points; at most {MAX_POINTS:,}",
            function="grid_design",
            parameters=["vary"],
        )
    return Design("grid", tuple(names), size, tuple(axes))


def sample_design(
    scenario: Scenario,
    n: int,
    *,
    names: Sequence[str] | None = None,
    sampling: str = "latin-hypercube",
    seed: int = 0,
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> Design:
    """``n`` points over the parameters' ranges, random or Latin hypercube, from ``seed``.

    Parameters
    ----------
    names
        Which parameters to sample (default: every numeric parameter with a
        declared range and no derivation).
    bounds
        Bounds to use instead of the declared ranges.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> design = sample_design(scenario, 4, names=["us_alliance_priority"], seed=1)
    >>> sorted((design.points(0, 4)["us_alliance_priority"] // 0.5).tolist())
    [0.0, 1.0, 2.0, 3.0]
    """
    if sampling not in SAMPLINGS:
        raise _fail(
            f": expected one of {', '.join(SAMPLINGS)}; got {sampling!r}",
            "sample_design",
            "sampling",
        )
    if not 1 <= n <= MAX_POINTS:
        raise _fail(f": expected 1 to {MAX_POINTS:,} points; got {n}", "sample_design", "sample")
    if names is None:
        names = [
            p.name
            for p in scenario.parameters.values()
            if p.range is not None and p.choices is None and not p.derived
        ]
    ranges = []
    for name in names:
        declared = _numeric_parameter(scenario, name, "sample", "sample_design")
        given = (bounds or {}).get(name, declared)
        if given is None:
            raise UsageError(
                f"{{sample}}: {name} has no declared range; give one with {{vary}}",
                function="sample_design",
                parameters=["sample", "vary"],
            )
        ranges.append(given)
    rng = np.random.default_rng(seed)
    if sampling == "random":
        unit = rng.random((n, len(names)))
    else:  # one point in each of n equal strata per dimension, strata shuffled
        unit = (rng.random((n, len(names))) + np.arange(n)[:, None]) / n
        for k in range(len(names)):
            unit[:, k] = unit[rng.permutation(n), k]
    low = np.array([r[0] for r in ranges])
    high = np.array([r[1] for r in ranges])
    sample = low + unit * (high - low)
    return Design(sampling, tuple(names), n, seed=seed, _sample=sample)


def design_from(
    scenario: Scenario,
    vary: Sequence[str | Axis],
    *,
    sample: int | None = None,
    sampling: str = "latin-hypercube",
    seed: int = 0,
) -> Design:
    """The design that ``--vary`` texts or axes (and ``--sample``) describe, checked.

    Without ``sample``, each text is ``NAME=START:STOP:COUNT`` and the design is
    their full grid; with it, each is ``NAME=START:STOP`` bounds for the sample
    (none: every parameter with a declared range). An :class:`Axis` (from
    :func:`make_axis`) may stand for a text.

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> scenario = load_scenario("scenarios/baseline_nov2020.toml")
    >>> design_from(scenario, ["us_alliance_priority=0:2:3", "public_cover=0:1:2"]).size
    6
    >>> design_from(scenario, ["us_alliance_priority=0:1"], sample=10).kind
    'latin-hypercube'
    """
    if sample is None:
        if not vary:
            raise UsageError(
                "give {vary} NAME=START:STOP:COUNT (or {sample} N)",
                function="design_from",
                parameters=["vary", "sample"],
            )
        return grid_design([v if isinstance(v, Axis) else parse_vary(v, scenario) for v in vary])
    axes = [v if isinstance(v, Axis) else parse_vary(v, scenario, need_count=False) for v in vary]
    return sample_design(
        scenario,
        sample,
        names=[a.name for a in axes] or None,
        sampling=sampling,
        seed=seed,
        bounds={a.name: (min(a.start, a.stop), max(a.start, a.stop)) for a in axes},
    )
