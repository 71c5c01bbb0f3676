"""Commands that solve many times, and their figures: sweep, shifts, plot.

Laid out as :mod:`sim.cli.games` is: an ``add_*`` function per subcommand,
whose ``run`` imports the library, calls it and returns the text to print.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sim.cli._common import (
    add_concept,
    add_scenario_options,
    nonnegative_float,
    pairs,
    scenario_only,
    settings,
)

if TYPE_CHECKING:
    from sim.cli._common import Commands

__all__ = ["add_plot", "add_shifts", "add_sweep"]


def add_sweep(commands: Commands) -> None:
    """``sim sweep PATH``: solve a scenario at every point of a design."""
    sweep = commands.add_parser(
        "sweep",
        help="solve a scenario over a grid or sample of parameter points",
        description="Solve a scenario at every point of a design and write the tidy table "
        "(one row per equilibrium per point).",
    )
    sweep.add_argument("path", metavar="PATH", help="a scenario .toml")
    sweep.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="NAME=START:STOP:COUNT",
        help="vary a parameter over COUNT evenly spaced values (repeat for a full grid)",
    )
    sweep.add_argument(
        "--sample",
        type=int,
        metavar="N",
        help="instead of a grid: N points over the varied parameters' ranges "
        "(--vary NAME=START:STOP:COUNT gives the bounds; without --vary, every ranged parameter)",
    )
    sweep.add_argument(
        "--sampling",
        default="latin-hypercube",
        choices=["latin-hypercube", "random"],
        help="how --sample draws points (default: latin-hypercube)",
    )
    sweep.add_argument(
        "--monte-carlo",
        type=int,
        metavar="N",
        help="instead: N draws from the distributions the scenario declares, then the "
        "probability of each outcome with a 95%% interval",
    )
    sweep.add_argument(
        "--seed", type=int, default=0, help="seed of --sample and --monte-carlo (default: 0)"
    )
    add_concept(sweep, "solution concept (default: as for sim solve)")
    add_scenario_options(sweep)
    sweep.add_argument(
        "--out", metavar="FILE", help="write the table here (.csv, or .parquet with pyarrow)"
    )
    sweep.add_argument("--workers", type=int, metavar="N", help="processes (default: every CPU)")
    sweep.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster (tcp://host:port), or 'local' to start one here",
    )
    sweep.add_argument(
        "--chunk-size", type=int, metavar="N", help="points per chunk (default: by concept)"
    )
    sweep.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted sweep to the same --out without redoing finished chunks",
    )
    sweep.set_defaults(run=_sweep)


def _sweep(args: argparse.Namespace) -> str:
    from sim.analysis.design import design_from
    from sim.analysis.results import sweep_text
    from sim.analysis.sweep import run_sweep
    from sim.errors import UsageError
    from sim.scenario import load_scenario

    scenario_only(args.path, "sweep")
    scenario = load_scenario(args.path)
    if args.monte_carlo is not None:
        from sim.analysis.monte_carlo import monte_carlo_design

        if args.vary or args.sample is not None:
            raise UsageError("--monte-carlo draws its own points: drop --vary and --sample")
        design = monte_carlo_design(scenario, args.monte_carlo, seed=args.seed)
    else:
        design = design_from(
            scenario, args.vary, sample=args.sample, sampling=args.sampling, seed=args.seed
        )
    result = run_sweep(
        scenario,
        design,
        concept=args.concept,
        settings=settings(args.settings),
        force=pairs(args.force, "--force"),
        out=args.out,
        chunk_size=args.chunk_size,
        workers=args.workers,
        resume=args.resume,
        scheduler=args.scheduler,
    )
    return sweep_text(result, scenario, design, args.out)


def add_shifts(commands: Commands) -> None:
    """``sim shifts PATH --vary NAME=START:STOP``: where the equilibrium changes."""
    shifts = commands.add_parser(
        "shifts",
        help="find where the equilibrium changes along a parameter, to a tolerance",
        description="Locate every change of the equilibrium outcome along one parameter by "
        "bisection, and say who switches from what to what.",
    )
    shifts.add_argument("path", metavar="PATH", help="a scenario .toml")
    shifts.add_argument(
        "--vary", required=True, metavar="NAME=START:STOP", help="the parameter and its interval"
    )
    add_concept(shifts, "solution concept (default: as for sim solve)")
    add_scenario_options(shifts)
    shifts.add_argument(
        "--grid", type=int, default=129, metavar="N", help="initial grid points (default: 129)"
    )
    shifts.add_argument(
        "--tol",
        type=nonnegative_float,
        metavar="X",
        help="width of each threshold's bracket (default: 1e-6 of the interval)",
    )
    shifts.add_argument(
        "--format", default="table", choices=["table", "json"], help="output format"
    )
    shifts.add_argument(
        "--plot",
        metavar="FILE",
        help="also draw the shift plot (.png, .svg or .pdf): outcome bands, thresholds, payoffs",
    )
    shifts.set_defaults(run=_shifts)


def _shifts(args: argparse.Namespace) -> str:
    import json

    from sim.analysis.design import parse_vary
    from sim.analysis.shifts import find_shifts
    from sim.scenario import load_scenario

    scenario_only(args.path, "shifts")
    scenario = load_scenario(args.path)
    axis = parse_vary(args.vary, scenario, need_count=False)
    result = find_shifts(
        scenario,
        axis.name,
        axis.start,
        axis.stop,
        concept=args.concept,
        settings=settings(args.settings),
        force=pairs(args.force, "--force"),
        grid=args.grid,
        tol=args.tol,
    )
    written = ""
    if args.plot:
        from sim.plot.kinds import shifts_figure
        from sim.plot.shift import save_figure

        save_figure(shifts_figure(result), args.plot)
        written = f"\nwrote {args.plot}"
    if args.format == "json":
        return json.dumps(result.to_dict(), indent=2) + written
    return result.text() + written


def add_plot(commands: Commands) -> None:
    """``sim plot RESULTS --out FILE``: a figure from a sweep table, a game or a scenario."""
    plot = commands.add_parser(
        "plot",
        help="draw a figure from a sweep's results",
        description="Draw a figure from the table that 'sim sweep --out' wrote.",
    )
    plot.add_argument(
        "results",
        metavar="RESULTS",
        help="a sweep table (.csv or .parquet, with its .json) for shift, map and "
        "probability; a game or scenario file for tree, qre and matrix",
    )
    from sim.plot.kinds import KINDS  # names only: no matplotlib

    plot.add_argument(
        "--kind",
        default=None,
        choices=list(KINDS),
        help="shift: outcome bands and payoffs along the one varied parameter; "
        "map: regions of a two-parameter grid; probability: how often each outcome occurs "
        "over a sweep's points (Monte Carlo), with confidence intervals; tree: the game tree "
        "with an equilibrium's play; qre: the logit QRE branch of a game; matrix: the payoff "
        "matrix of a 2- or 3-player game (default: shift for a one-parameter grid, map for "
        "two, probability for other sweeps; matrix for a .nfg file; tree for a .efg or "
        "scenario file)",
    )
    add_scenario_options(plot)
    plot.add_argument(
        "--equilibrium",
        type=int,
        default=1,
        metavar="K",
        help="with --kind tree: draw the K-th equilibrium 'sim solve' lists (default 1)",
    )
    plot.add_argument("--out", required=True, metavar="FILE", help="a .png, .svg or .pdf file")
    plot.set_defaults(run=_plot)


def _plot(args: argparse.Namespace) -> str:
    from sim.plot.kinds import figure
    from sim.plot.shift import save_figure

    drawn = figure(
        args.results,
        args.kind,
        settings=settings(args.settings),
        force=pairs(args.force, "--force"),
        equilibrium=args.equilibrium,
    )
    save_figure(drawn, args.out)
    return f"wrote {args.out}"
