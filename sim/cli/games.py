"""Commands on one game or scenario: solve, convert, explain, validate; and the listings.

Each ``add_*`` function adds one subcommand, whose ``run`` default parses its
arguments, calls the library and returns the text to print. The library is
imported inside those functions, so that ``sim --help`` stays fast.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sim.cli._common import (
    PATH_HELP,
    add_concept,
    add_scenario_options,
    nonnegative_float,
    pairs,
    settings,
)

if TYPE_CHECKING:
    from sim.cli._common import Commands

__all__ = [
    "add_convert",
    "add_explain",
    "add_methods",
    "add_scenarios",
    "add_solve",
    "add_validate",
]


def add_solve(commands: Commands) -> None:
    """``sim solve PATH``: the equilibria of a game or scenario."""
    solve = commands.add_parser(
        "solve",
        help="find the equilibria of a game",
        description="Find the equilibria of a game file.",
    )
    solve.add_argument("path", metavar="PATH", help=PATH_HELP)
    add_concept(solve, "solution concept (default: spe for a sequential scenario, else nash)")
    solve.add_argument(
        "--method",
        default="auto",
        help="algorithm, or 'auto' to choose by game shape (see 'sim methods')",
    )
    solve.add_argument(
        "--all",
        action="store_true",
        dest="require_all",
        help="insist on a method that lists every equilibrium",
    )
    solve.add_argument(
        "--objective",
        choices=["welfare", "player", "egalitarian", "feasible"],
        help="correlated concepts: what the mediator maximises (default: welfare)",
    )
    solve.add_argument(
        "--player", metavar="NAME", help="with --objective player: whose payoff to maximise"
    )
    solve.add_argument(
        "--lambda",
        dest="lam",
        type=nonnegative_float,
        metavar="L",
        help="--concept qre: the precision lambda, in payoff units",
    )
    solve.add_argument(
        "--tie-break",
        action="append",
        default=[],
        metavar="MOVE=ACTION",
        help="--concept spe: among tied best actions at MOVE prefer ACTION (repeatable)",
    )
    solve.add_argument(
        "--refine",
        choices=["intuitive", "d1"],
        default=None,
        help="--concept pbe: keep the equilibria that pass the intuitive criterion or "
        "criterion D1 (Cho and Kreps; signalling games)",
    )
    add_scenario_options(solve)
    solve.add_argument(
        "--select",
        action="store_true",
        help="also say which equilibrium each selection criterion picks, and why",
    )
    solve.add_argument(
        "--format",
        default="table",
        choices=["table", "json"],
        help="output format (default: table)",
    )
    solve.set_defaults(run=_solve)


def _solve(args: argparse.Namespace) -> str:
    import json

    from sim.analysis.selection import Criterion, select
    from sim.errors import UsageError
    from sim.report import solution_table, solution_to_dict
    from sim.report.scenario import ScenarioSolution
    from sim.report.solve import load_input, solve
    from sim.scenario.model import Scenario

    what = load_input(args.path)
    if args.select and isinstance(what, Scenario):
        raise UsageError(
            "--select applies to game files; a scenario's table lists its closest calls"
        )
    solution = solve(
        what,
        args.concept,
        args.method,
        settings=settings(args.settings),
        force=pairs(args.force, "--force"),
        require_all=args.require_all,
        objective=args.objective,
        player=args.player,
        lam=args.lam,
        tie_break=pairs(args.tie_break, "--tie-break") or None,
        refine=args.refine,
    )
    criteria: tuple[Criterion, ...] = ()
    if args.select and not isinstance(solution, ScenarioSolution):
        criteria = select(solution)
    if args.format == "json":
        report = solution_to_dict(solution)
        if args.select:
            report["selection"] = [
                {"criterion": c.name, "equilibria": list(c.picks), "reason": c.reason}
                for c in criteria
            ]
        return json.dumps(report, indent=2)
    table = solution_table(solution)
    if args.select:
        lines = ["", "Selection (equilibria numbered as above):"]
        lines += [f"  {c.describe()}" for c in criteria] or ["  no equilibrium to select"]
        table += "\n" + "\n".join(lines)
    return table


def add_convert(commands: Commands) -> None:
    """``sim convert PATH --to nfg|efg``: a game in the other Gambit format."""
    convert = commands.add_parser(
        "convert",
        help="write a game in another Gambit format",
        description="Convert a game file to .nfg or .efg.",
    )
    convert.add_argument("path", metavar="PATH", help=PATH_HELP)
    convert.add_argument("--to", required=True, choices=["nfg", "efg"], help="target format")
    add_scenario_options(convert)
    convert.add_argument(
        "--out",
        metavar="FILE",
        help="write here instead of standard output (written whole or not at all)",
    )
    convert.set_defaults(run=_convert)


def _convert(args: argparse.Namespace) -> str:
    from sim.files import write_atomically
    from sim.formats.efg import write_efg
    from sim.formats.nfg import write_nfg
    from sim.games.extensive_form import ExtensiveFormGame
    from sim.report.inputs import load_game_at
    from sim.report.records import equilibrium_game

    game = load_game_at(
        args.path, settings=settings(args.settings), force=pairs(args.force, "--force")
    )
    if args.to == "nfg":
        text = write_nfg(equilibrium_game(game))
    elif isinstance(game, ExtensiveFormGame):
        text = write_efg(game)
    else:
        text = write_efg(ExtensiveFormGame.from_normal_form(game))
    if args.out is None:
        return text.rstrip("\n")
    write_atomically(args.out, text)
    return f"wrote {args.out}"


def add_explain(commands: Commands) -> None:
    """``sim explain PATH``: why one equilibrium holds."""
    explain = commands.add_parser(
        "explain",
        help="show why an equilibrium holds: every alternative and its cost",
        description="For one equilibrium, show each player's alternatives at each decision "
        "and what each would cost.",
    )
    explain.add_argument("path", metavar="PATH", help=PATH_HELP)
    explain.add_argument(
        "--concept",
        default=None,
        choices=["nash", "pure-nash", "spe"],
        help="which equilibria to explain (default: spe for a game tree, else nash)",
    )
    explain.add_argument(
        "--equilibrium",
        type=int,
        default=1,
        metavar="K",
        help="explain the K-th equilibrium that 'sim solve' lists (default: 1)",
    )
    explain.set_defaults(run=_explain)


def _explain(args: argparse.Namespace) -> str:
    from sim.analysis.explain import explain_report

    return explain_report(args.path, args.concept, args.equilibrium)


def add_validate(commands: Commands) -> None:
    """``sim validate PATH``: whether a file reads cleanly (and its expectations hold)."""
    validate = commands.add_parser(
        "validate",
        help="check that a game or scenario file is well formed",
        description="Check that a game or scenario file reads cleanly; a scenario is also "
        "compiled at its default values.",
    )
    validate.add_argument("path", metavar="PATH", help=PATH_HELP)
    validate.add_argument(
        "--expect",
        action="store_true",
        help="scenarios: also solve and check every [[expect]] entry (exit 2 if one fails)",
    )
    validate.set_defaults(run=_validate)


def _validate(args: argparse.Namespace) -> str:
    from sim.report.inputs import validate_file

    check = validate_file(args.path, expect=args.expect)
    if not check.ok:
        print(check.text())  # what held and what failed, then the error
        raise check.failure()
    return check.text()


def add_scenarios(commands: Commands) -> None:
    """``sim scenarios [FOLDER]``: the scenario files of a folder."""
    scenarios = commands.add_parser(
        "scenarios",
        help="list the scenario files in a folder with their titles",
        description="List scenario files with their titles and dates.",
    )
    scenarios.add_argument(
        "folder", nargs="?", default="scenarios", help="where to look (default: scenarios)"
    )
    scenarios.set_defaults(run=_scenarios)


def _scenarios(args: argparse.Namespace) -> str:
    from sim.report.inputs import scenario_listing

    return scenario_listing(args.folder)


def add_methods(commands: Commands) -> None:
    """``sim methods``: the solvers and what they guarantee."""
    methods = commands.add_parser(
        "methods", help="list the solvers and what they guarantee", description="List the solvers."
    )
    methods.set_defaults(run=_methods)


def _methods(args: argparse.Namespace) -> str:
    from sim.solvers import SOLVERS

    rows = [f"{'method':<28} {'concept':<10} {'players':<8} {'finds':<6} summary"]
    rows += [
        f"{s.name:<28} {s.concept:<10} {s.players:<8} {s.finds:<6} {s.summary}"
        for s in SOLVERS.values()
    ]
    return "\n".join(rows)
