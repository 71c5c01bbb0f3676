"""The ``sim`` command: argument parsing and printing only.

Exit status: 0 on success, 2 for bad input or usage, 1 for an internal error.
Errors are one line on stderr, never a traceback. Heavy modules (numpy, scipy,
matplotlib) are imported inside the commands so that ``sim --help`` is instant.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.solvers import CONCEPTS

if TYPE_CHECKING:
    from sim.games.extensive_form import ExtensiveFormGame
    from sim.games.normal_form import NormalFormGame

__all__ = ["main"]

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2

#: The flag of each library parameter that has one. The library's errors name
#: parameters (``solve(): concept='qre' needs lam``); this is the one place that
#: says them as the command line's flags (``--concept qre needs --lambda``).
FLAGS = {
    "chunk_size": "--chunk-size", "concept": "--concept", "equilibrium": "--equilibrium",
    "force": "--force", "grid": "--grid", "lam": "--lambda", "method": "--method",
    "monte_carlo": "--monte-carlo", "objective": "--objective", "out": "--out",
    "player": "--player", "require_all": "--all", "resume": "--resume", "sample": "--sample",
    "sampling": "--sampling", "scheduler": "--scheduler", "seed": "--seed",
    "settings": "--set", "tie_break": "--tie-break", "tol": "--tol", "vary": "--vary",
    "workers": "--workers",
}  # fmt: skip


def _as_flag(name: str, value: object) -> str:
    """A library parameter as the command line spells it: ``--lambda``, ``--concept qre``."""
    flag = FLAGS.get(name, name)
    return flag if value is None or value is True else f"{flag} {value}"


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors raise instead of exiting, so main() owns exit codes."""

    def error(self, message: str) -> None:  # type: ignore[override]
        from sim.errors import UsageError

        raise UsageError(message)


def _nonnegative_float(text: str) -> float:
    """An argparse type: a finite number >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number; got {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a number >= 0; got {text!r}")
    return value


def _pairs(items: list[str], flag: str, form: str = "MOVE=ACTION") -> dict[str, str]:
    """``["MOVE=ACTION", ...]`` as a mapping, with a clear error for a missing ``=``."""
    from sim.errors import UsageError

    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UsageError(f"{flag}: expected {form}; got {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


_PATH_HELP = "a scenario .toml, or a Gambit .nfg or .efg file"


def _add_concept(command: argparse.ArgumentParser, help_text: str) -> None:
    command.add_argument("--concept", default=None, choices=list(CONCEPTS), help=help_text)


def _add_scenario_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--set",
        action="append",
        default=[],
        dest="settings",
        metavar="NAME=VALUE",
        help="scenarios: set a parameter (a number, or a choice's label; repeatable)",
    )
    command.add_argument(
        "--force",
        action="append",
        default=[],
        metavar="MOVE=ACTION",
        help="scenarios: restrict a move to one action (repeatable)",
    )


def _settings(items: list[str]) -> dict[str, float | str]:
    """``--set NAME=VALUE`` pairs: numbers where they parse, else choice labels."""
    result: dict[str, float | str] = {}
    for name, text in _pairs(items, "--set", "NAME=VALUE").items():
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        # Not a finite number: a choice's label (or an error that says so).
        result[name] = number if math.isfinite(number) else text
    return result


def _is_scenario(path: str) -> bool:
    return path.lower().endswith(".toml")


def _load(args: argparse.Namespace) -> NormalFormGame | ExtensiveFormGame:
    """The game of PATH: a Gambit file, or a scenario compiled with --set and --force."""
    from sim.errors import UsageError

    if _is_scenario(args.path):
        from sim.report.scenario import force_moves
        from sim.scenario import compile_scenario, load_scenario

        scenario = force_moves(
            load_scenario(args.path), _pairs(getattr(args, "force", []), "--force")
        )
        return compile_scenario(scenario, _settings(getattr(args, "settings", []))).game()
    if getattr(args, "settings", None) or getattr(args, "force", None):
        raise UsageError("--set and --force apply to scenario (.toml) files only")
    from sim.formats import load_game

    return load_game(args.path)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sim",
        description="Simulate diplomatic negotiations as games: solve, convert and check games.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    solve = commands.add_parser(
        "solve",
        help="find the equilibria of a game",
        description="Find the equilibria of a game file.",
    )
    solve.add_argument("path", metavar="PATH", help=_PATH_HELP)
    _add_concept(solve, "solution concept (default: spe for a sequential scenario, else nash)")
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
        type=_nonnegative_float,
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
    _add_scenario_options(solve)
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

    convert = commands.add_parser(
        "convert",
        help="write a game in another Gambit format",
        description="Convert a game file to .nfg or .efg.",
    )
    convert.add_argument("path", metavar="PATH", help=_PATH_HELP)
    convert.add_argument("--to", required=True, choices=["nfg", "efg"], help="target format")
    _add_scenario_options(convert)
    convert.add_argument(
        "--out",
        metavar="FILE",
        help="write here instead of standard output (written whole or not at all)",
    )

    explain = commands.add_parser(
        "explain",
        help="show why an equilibrium holds: every alternative and its cost",
        description="For one equilibrium, show each player's alternatives at each decision "
        "and what each would cost.",
    )
    explain.add_argument("path", metavar="PATH", help=_PATH_HELP)
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

    validate = commands.add_parser(
        "validate",
        help="check that a game or scenario file is well formed",
        description="Check that a game or scenario file reads cleanly; a scenario is also "
        "compiled at its default values.",
    )
    validate.add_argument("path", metavar="PATH", help=_PATH_HELP)
    validate.add_argument(
        "--expect",
        action="store_true",
        help="scenarios: also solve and check every [[expect]] entry (exit 2 if one fails)",
    )

    scenarios = commands.add_parser(
        "scenarios",
        help="list the scenario files in a folder with their titles",
        description="List scenario files with their titles and dates.",
    )
    scenarios.add_argument(
        "folder", nargs="?", default="scenarios", help="where to look (default: scenarios)"
    )

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
    _add_concept(sweep, "solution concept (default: as for sim solve)")
    _add_scenario_options(sweep)
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
    _add_concept(shifts, "solution concept (default: as for sim solve)")
    _add_scenario_options(shifts)
    shifts.add_argument(
        "--grid", type=int, default=129, metavar="N", help="initial grid points (default: 129)"
    )
    shifts.add_argument(
        "--tol",
        type=_nonnegative_float,
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
    plot.add_argument(
        "--kind",
        default="shift",
        choices=["shift", "map", "probability", "tree", "qre", "matrix"],
        help="shift: outcome bands and payoffs along the one varied parameter (default); "
        "map: regions of a two-parameter grid; probability: how often each outcome occurs "
        "over a sweep's points (Monte Carlo), with confidence intervals; tree: the game tree "
        "with an equilibrium's play; qre: the logit QRE branch of a game; matrix: the payoff "
        "matrix of a 2- or 3-player game",
    )
    _add_scenario_options(plot)
    plot.add_argument(
        "--equilibrium",
        type=int,
        default=1,
        metavar="K",
        help="with --kind tree: draw the K-th equilibrium 'sim solve' lists (default 1)",
    )
    plot.add_argument("--out", required=True, metavar="FILE", help="a .png, .svg or .pdf file")

    commands.add_parser(
        "methods", help="list the solvers and what they guarantee", description="List the solvers."
    )

    classroom = commands.add_parser(
        "classroom",
        help="run a role-play exercise: handouts, a live session, the debrief",
        description="Classroom exercises built on a scenario.",
    )
    exercises = classroom.add_subparsers(
        dest="classroom_command", metavar="ACTION", parser_class=_Parser, required=True
    )
    handouts = exercises.add_parser(
        "handouts",
        help="write the public background, a private briefing per role and the instructor's guide",
        description="Write a scenario's handouts (HTML and PDF) into a folder: the public "
        "background, one private briefing per role, and the instructor's guide with the "
        "answer key.",
    )
    handouts.add_argument("path", metavar="SCENARIO", help="a scenario file (.toml)")
    handouts.add_argument("--out", required=True, metavar="DIR", help="the folder to write into")
    _add_scenario_options(handouts)
    handouts.add_argument(
        "--numbers",
        action="store_true",
        help="print each payoff term's value in the briefings (default: its rank and its "
        "weight in words)",
    )
    handouts.add_argument(
        "--format",
        default="both",
        choices=["html", "pdf", "both"],
        help="which files to write (default both)",
    )
    serve = exercises.add_parser(
        "serve",
        help="run the live role-play in the browser (students join with a code)",
        description="Serve the live classroom exercise: an instructor page, a page per student "
        "and a projector view, with sessions kept in a SQLite file. Prints the instructor's "
        "address when ready; stop with Ctrl-C.",
    )
    serve.add_argument("path", metavar="SCENARIO", help="a scenario file (.toml)")
    serve.add_argument(
        "--host",
        default=None,
        help="the address to listen on (default 127.0.0.1: this computer only)",
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="the port (default 8000; 0 picks a free one)"
    )
    serve.add_argument(
        "--db",
        default="sim-classroom.sqlite",
        metavar="FILE",
        help="where sessions are kept; a restart with the same file resumes them "
        "(default sim-classroom.sqlite)",
    )
    serve.add_argument(
        "--public",
        action="store_true",
        help="serve the classroom network (listen on every address, 0.0.0.0)",
    )
    return parser


def _solve(args: argparse.Namespace) -> str:
    import json

    from sim.errors import UsageError
    from sim.report import solution_table, solution_to_dict
    from sim.report.narrate import scenario_table, scenario_to_dict
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
        settings=_settings(args.settings),
        force=_pairs(args.force, "--force"),
        require_all=args.require_all,
        objective=args.objective,
        player=args.player,
        lam=args.lam,
        tie_break=_pairs(args.tie_break, "--tie-break") or None,
    )
    if isinstance(solution, ScenarioSolution):
        if args.format == "json":
            return json.dumps(scenario_to_dict(solution), indent=2)
        return scenario_table(solution)
    assert not isinstance(what, Scenario)
    from sim.analysis.selection import Criterion, select

    criteria: tuple[Criterion, ...] = select(solution) if args.select else ()
    if args.format == "json":
        report = solution_to_dict(what, solution)
        if args.select:
            report["selection"] = [
                {"criterion": c.name, "equilibria": list(c.picks), "reason": c.reason}
                for c in criteria
            ]
        return json.dumps(report, indent=2)
    table = solution_table(what, solution)
    if args.select:
        lines = ["", "Selection (equilibria numbered as above):"]
        lines += [f"  {c.describe()}" for c in criteria] or ["  no equilibrium to select"]
        table += "\n" + "\n".join(lines)
    return table


def _convert(args: argparse.Namespace) -> str:
    from sim.formats.efg import write_efg
    from sim.formats.nfg import write_nfg
    from sim.games.extensive_form import ExtensiveFormGame
    from sim.report import equilibrium_game

    game = _load(args)
    if args.to == "nfg":
        normal = equilibrium_game(game)
        text = write_nfg(normal)
    else:
        tree = (
            game
            if isinstance(game, ExtensiveFormGame)
            else (ExtensiveFormGame.from_normal_form(game))
        )
        text = write_efg(tree)
    if args.out is None:
        return text.rstrip("\n")
    _write_atomically(Path(args.out), text)
    return f"wrote {args.out}"


def _write_atomically(path: Path, text: str) -> None:
    """Write the whole file or nothing: a temporary file renamed into place."""
    from sim.errors import UsageError

    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"{path}: the directory {directory} does not exist")
    if path.is_dir():
        raise UsageError(f"{path}: is a directory; expected a file name")
    try:
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write there: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UsageError(f"{path}: cannot write there: {exc.strerror}") from None
        raise


def _explain(args: argparse.Namespace) -> str:
    from sim.analysis.explain import explain
    from sim.errors import TooLargeError, UsageError
    from sim.games.extensive_form import ExtensiveFormGame
    from sim.solvers import solve
    from sim.text import strategy_text

    game = _load(args)
    is_tree = isinstance(game, ExtensiveFormGame)
    concept = args.concept or ("spe" if is_tree else "nash")
    try:
        solution = solve(game, concept)
    except TooLargeError:
        if _is_scenario(args.path):
            raise TooLargeError(
                f"{args.path}: too large to explain strategy by strategy; 'sim solve' lists "
                "the closest calls on the equilibrium path"
            ) from None
        raise
    if not 1 <= args.equilibrium <= len(solution):
        raise UsageError(
            f"--equilibrium {args.equilibrium}: there are {len(solution)} {concept} equilibria"
        )
    eq = solution[args.equilibrium - 1]
    normal = solution.game
    played = "; ".join(
        f"{player} {strategy_text(actions, strategy)}"
        for player, actions, strategy in zip(
            normal.players, normal.actions, eq.strategies, strict=True
        )
    )
    lines = [f"Equilibrium {args.equilibrium} of {len(solution)} ({concept}): {played}", ""]
    if is_tree and not eq.pure:
        lines += ["This equilibrium mixes, so it is explained as a choice among whole plans.", ""]
    lines += [decision.describe() for decision in explain(game, eq)]
    return "\n".join(lines)


def _validate(args: argparse.Namespace) -> str:
    from sim.errors import InputError, UsageError

    if not _is_scenario(args.path):
        if args.expect:
            raise UsageError("--expect applies to scenario (.toml) files only")
        return f"{args.path}: OK ({_load(args)!r})"
    from sim.report.expect import check_expectations
    from sim.scenario import compile_scenario, load_scenario

    scenario = load_scenario(args.path)
    game = compile_scenario(scenario).game()

    def count(n: int, word: str) -> str:
        return f"{n:,} {word}{'' if n == 1 else 's'}"

    lines = [
        f"{args.path}: OK ({count(len(scenario.players), 'player')}, "
        f"{count(len(scenario.moves), 'move')}, {count(game.tree.n_terminals, 'outcome')}, "
        f"{count(len(scenario.parameters), 'parameter')}, "
        f"{count(len(scenario.expectations), 'expectation')})"
    ]
    if args.expect:
        results = check_expectations(scenario)
        for result in results:
            mark = "ok" if result.ok else "FAILED"
            lines.append(f"  {mark}: {result.expectation.description} [{result.message}]")
        failed = sum(not r.ok for r in results)
        if failed:
            print("\n".join(lines))
            raise InputError(f"{args.path}: {failed} of {len(results)} expectations failed")
    return "\n".join(lines)


def _scenarios(args: argparse.Namespace) -> str:
    from sim.errors import InputError, UsageError
    from sim.scenario import load_scenario

    folder = Path(args.folder)
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    rows = []
    for path in sorted(folder.glob("*.toml")):
        try:
            scenario = load_scenario(path)
            rows.append((path.name, scenario.date or "", scenario.title))
        except InputError as error:
            rows.append((path.name, "", f"(does not load: {error})"))
    if not rows:
        return f"no scenario files in {folder}"
    width = max(len(name) for name, _, _ in rows)
    return "\n".join(f"{name:<{width}}  {date:<10}  {title}" for name, date, title in rows)


def _methods(args: argparse.Namespace) -> str:
    from sim.solvers import SOLVERS

    rows = [f"{'method':<28} {'concept':<10} {'players':<8} {'finds':<6} summary"]
    rows += [
        f"{s.name:<28} {s.concept:<10} {s.players:<8} {s.finds:<6} {s.summary}"
        for s in SOLVERS.values()
    ]
    return "\n".join(rows)


def _scenario_only(path: str, command: str) -> None:
    from sim.errors import UsageError

    if not _is_scenario(path):
        raise UsageError(f"sim {command}: PATH must be a scenario (.toml); got {path}")


def _sweep(args: argparse.Namespace) -> str:
    from sim.analysis.design import design_from
    from sim.analysis.sweep import run_sweep
    from sim.errors import UsageError
    from sim.scenario import load_scenario

    _scenario_only(args.path, "sweep")
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
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1; got {args.workers}")
    if args.resume and not args.out:
        raise UsageError("--resume needs --out (the sweep to continue)")
    result = run_sweep(
        scenario,
        design,
        concept=args.concept,
        settings=_settings(args.settings),
        force=_pairs(args.force, "--force"),
        out=args.out,
        chunk_size=args.chunk_size,
        workers=args.workers,
        resume=args.resume,
        scheduler=args.scheduler,
    )
    record = result.sidecar
    summary = (
        f"{record['design']['size']:,} points, {record['rows']:,} rows, {record['concept']}, "
        f"{record['seconds']:.1f} s"
    )
    written = f"wrote {args.out} ({summary}) and {args.out}.json"
    if args.monte_carlo is not None:
        from sim.analysis.monte_carlo import outcome_probabilities
        from sim.analysis.sweep import read_table

        table = result.table if result.table is not None else read_table(args.out)
        lines = [written] if result.table is None else []
        lines.append(
            f"Outcome probabilities over {design.size:,} draws of {', '.join(design.names)} "
            "(the players' choices on each draw's most likely path; 95% Wilson intervals):"
        )
        for row in outcome_probabilities(table, scenario).itertuples():
            share = f"{row.probability:.3f} [{row.low:.3f}, {row.high:.3f}]"
            lines.append(f"  {share}  {row.outcome or '(no equilibrium)'}")
        return "\n".join(lines)
    if result.table is not None:
        return str(result.table.to_csv(index=False)).rstrip("\n")
    return written


def _shifts(args: argparse.Namespace) -> str:
    import json

    from sim.analysis.design import parse_vary
    from sim.analysis.shifts import find_shifts
    from sim.scenario import load_scenario

    _scenario_only(args.path, "shifts")
    scenario = load_scenario(args.path)
    axis = parse_vary(args.vary, scenario, need_count=False)
    result = find_shifts(
        scenario,
        axis.name,
        axis.start,
        axis.stop,
        concept=args.concept,
        settings=_settings(args.settings),
        force=_pairs(args.force, "--force"),
        grid=args.grid,
        tol=args.tol,
    )
    written = ""
    if args.plot:
        from sim.plot.shift import save_figure, shift_figure

        xs, payoffs = result.payoff_curves()
        bands = [(b.low, b.high, b.outcome) for b in result.bands]
        figure = shift_figure(
            result.scenario, axis.name, bands, [s.value for s in result.shifts], xs, payoffs
        )
        save_figure(figure, args.plot)
        written = f"\nwrote {args.plot}"
    if args.format == "json":
        return json.dumps(result.to_dict(), indent=2) + written
    digits = max(1, -math.floor(math.log10(result.tol)) if result.tol < 1 else 1)
    lines = [
        f"{scenario.title}: {result.concept} along {axis.name} from {axis.start:g} to "
        f"{axis.stop:g} (thresholds to within {result.tol:.2g})"
    ]
    if not result.shifts:
        lines.append("The outcome does not change.")
    for shift in result.shifts:
        lines.append(f"At {axis.name} = {shift.value:.{digits}f}: {shift.description}.")
    lines.append("")
    for band in result.bands:
        path = "; ".join(f"{m}={a}" for m, a in band.outcome.items())
        lines.append(f"  {band.low:.{digits}f} .. {band.high:.{digits}f}: {path}")
    return "\n".join(lines) + written


def _plot(args: argparse.Namespace) -> str:
    import json

    from sim.analysis.sweep import read_table
    from sim.errors import UsageError
    from sim.plot.shift import save_figure, shift_from_table
    from sim.scenario import load_scenario

    if args.kind in ("qre", "matrix"):
        from sim.games.extensive_form import ExtensiveFormGame
        from sim.games.normal_form import MAX_PROFILES
        from sim.games.reduced_form import normal_form_within
        from sim.plot.games import matrix_figure, qre_figure

        args.path = args.results
        game = _load(args)
        normal = (
            normal_form_within(game, MAX_PROFILES) if isinstance(game, ExtensiveFormGame) else game
        )
        if normal is None:
            raise UsageError(
                f"{args.results}: the reduced normal form has more than {MAX_PROFILES:,} "
                "pure-strategy profiles, too many to draw"
            )
        figure = qre_figure(normal) if args.kind == "qre" else matrix_figure(normal)
        save_figure(figure, args.out)
        return f"wrote {args.out}"
    if args.kind == "tree":
        save_figure(_tree_figure(args), args.out)
        return f"wrote {args.out}"
    if args.settings or args.force:
        raise UsageError("--set and --force apply to --kind tree, qre and matrix only")
    table_path = Path(args.results)
    sidecar = Path(str(table_path) + ".json")
    if not table_path.is_file() or not sidecar.is_file():
        raise UsageError(f"{args.results}: expected a sweep table and its {sidecar.name}")
    try:
        record = json.loads(sidecar.read_text())
        names = record["design"]["names"]
        scenario = load_scenario(record["scenario"])
        table = read_table(table_path)
    except (KeyError, ValueError, json.JSONDecodeError) as error:
        raise UsageError(f"{args.results}: not a sweep table ({error})") from None
    if args.kind == "probability":
        from sim.analysis.monte_carlo import outcome_probabilities
        from sim.plot.probability import probability_figure

        what = {"monte-carlo": "Monte Carlo draws", "grid": "grid points"}.get(
            record["design"].get("kind"), "sampled points"
        )
        points = int(table["point"].nunique())
        figure = probability_figure(
            outcome_probabilities(table, scenario),
            title=f"{scenario.title}: how often each outcome occurs over {points:,} {what}",
            what=what,
        )
        save_figure(figure, args.out)
        return f"wrote {args.out}"
    wanted = {"shift": 1, "map": 2}[args.kind]
    if len(names) != wanted or record["design"].get("kind") != "grid":
        raise UsageError(
            f"{args.results}: --kind {args.kind} needs a grid over {wanted} parameter(s); this "
            f"sweep is a {record['design'].get('kind')} over {', '.join(names)}"
        )
    if args.kind == "map":
        from sim.plot.regime_map import regime_map

        save_figure(regime_map(scenario, table, names[0], names[1]), args.out)
    else:
        save_figure(shift_from_table(scenario, table, names[0]), args.out)
    return f"wrote {args.out}"


def _tree_figure(args: argparse.Namespace) -> Any:
    """The tree of a scenario or game file with the play of its K-th equilibrium."""
    from sim.errors import UsageError
    from sim.games.extensive_form import ExtensiveFormGame
    from sim.plot.tree import tree_figure

    if args.equilibrium < 1:
        raise UsageError(f"--equilibrium: expected 1 or more; got {args.equilibrium}")
    if _is_scenario(args.results):
        from sim.report.scenario import force_moves
        from sim.report.solve import solve_scenario
        from sim.scenario import load_scenario

        scenario = force_moves(load_scenario(args.results), _pairs(args.force, "--force"))
        if scenario.rounds is not None:
            raise UsageError(
                f"{args.results}: --kind tree draws one-shot scenarios; this one repeats its "
                "stage in [rounds] (sim solve reports each round's play)"
            )
        solution = solve_scenario(scenario, settings=_settings(args.settings))
        game, found, title = solution.game, list(solution), scenario.title
        concept = solution.concept
        pick = _nth(found, args.equilibrium, args.results, concept)
        probabilities, behaviour = pick.terminal_probabilities, pick.behaviour
    else:
        from sim.solvers import solve

        args.path = args.results
        loaded = _load(args)
        if not isinstance(loaded, ExtensiveFormGame):
            raise UsageError(f"{args.results}: --kind tree needs an extensive-form game (.efg)")
        game = loaded
        concept = "spe" if game.tree.is_perfect_information else "nash"
        found, title = list(solve(game, concept)), game.title or Path(args.results).stem
        pick = _nth(found, args.equilibrium, args.results, concept)
        probabilities, behaviour = game.terminal_distribution(pick.strategies), None
    heading = f"{title}: {concept} equilibrium {args.equilibrium} of {len(found)}"
    return tree_figure(game, probabilities, behaviour=behaviour, title=heading)


def _nth(found: list[Any], k: int, path: str, concept: str) -> Any:
    from sim.errors import UsageError

    if not found:
        raise UsageError(f"{path}: no {concept} equilibrium to draw")
    if k > len(found):
        raise UsageError(f"--equilibrium {k}: {path} has {len(found)} {concept} equilibria")
    return found[k - 1]


def _classroom(args: argparse.Namespace) -> str:
    from sim.classroom.handouts import write_handouts
    from sim.errors import UsageError
    from sim.report.scenario import force_moves
    from sim.scenario import load_scenario

    if not _is_scenario(args.path):
        raise UsageError(f"{args.path}: classroom exercises are made from a scenario file (.toml)")
    if args.classroom_command == "serve":
        from sim.classroom.serve import serve

        return serve(
            load_scenario(args.path),
            host=args.host or ("0.0.0.0" if args.public else "127.0.0.1"),
            port=args.port,
            db=args.db,
        )
    scenario = force_moves(load_scenario(args.path), _pairs(args.force, "--force"))
    formats = ("html", "pdf") if args.format == "both" else (args.format,)
    written = write_handouts(
        scenario, args.out, settings=_settings(args.settings), numbers=args.numbers, formats=formats
    )
    return "\n".join(f"wrote {path}" for path in written)


COMMANDS = {
    "solve": _solve,
    "explain": _explain,
    "convert": _convert,
    "validate": _validate,
    "scenarios": _scenarios,
    "sweep": _sweep,
    "shifts": _shifts,
    "plot": _plot,
    "methods": _methods,
    "classroom": _classroom,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sim`` command line; return the exit status.

    Examples
    --------
    >>> main(["validate", "no-such-file.nfg"])
    2
    """
    parser = _build_parser()
    try:
        from sim.errors import InputError, SimError

        args = parser.parse_args(argv)
        if args.version:
            from sim import __version__

            print(f"sim {__version__}")
            return EXIT_OK
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_INPUT
        with warnings.catch_warnings():
            # Numerical warnings would add lines to the one-line error contract;
            # every result is checked independently instead.
            warnings.simplefilter("ignore", RuntimeWarning)
            output = COMMANDS[args.command](args)
        print(output)
        return EXIT_OK
    except InputError as exc:
        print(f"sim: error: {exc.render(_as_flag)}", file=sys.stderr)
        return EXIT_INPUT
    except SimError as exc:
        print(f"sim: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        print("sim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: say so in one line, never a traceback
        print(
            f"sim: internal error: {type(exc).__name__}: {exc} "
            "(please report this with the command you ran)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
