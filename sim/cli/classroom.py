"""The classroom commands: handouts for a role-play, and the live session.

``add_classroom`` adds ``sim classroom`` with its two actions, each with a
``run`` default that calls the library and returns the text to print.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sim.cli._common import Parser, add_scenario_options, pairs, settings

if TYPE_CHECKING:
    from sim.cli._common import Commands

__all__ = ["add_classroom"]


def add_classroom(commands: Commands) -> None:
    """``sim classroom handouts|serve SCENARIO``."""
    classroom = commands.add_parser(
        "classroom",
        help="run a role-play exercise: handouts, a live session, the debrief",
        description="Classroom exercises built on a scenario.",
    )
    exercises = classroom.add_subparsers(
        dest="classroom_command", metavar="ACTION", parser_class=Parser, required=True
    )
    _add_handouts(exercises)
    _add_serve(exercises)


def _add_handouts(exercises: Commands) -> None:
    handouts = exercises.add_parser(
        "handouts",
        help="write the public background, a private briefing per role and the instructor's guide",
        description="Write a scenario's handouts (HTML and PDF) into a folder: the public "
        "background, one private briefing per role, and the instructor's guide with the "
        "answer key.",
    )
    handouts.add_argument("path", metavar="SCENARIO", help="a scenario file (.toml)")
    handouts.add_argument("--out", required=True, metavar="DIR", help="the folder to write into")
    add_scenario_options(handouts)
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
    handouts.set_defaults(run=_handouts)


def _add_serve(exercises: Commands) -> None:
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
    serve.set_defaults(run=_serve)


def _scenario(path: str) -> None:
    from sim.errors import UsageError

    if not path.lower().endswith(".toml"):
        raise UsageError(f"{path}: classroom exercises are made from a scenario file (.toml)")


def _handouts(args: argparse.Namespace) -> str:
    from sim.classroom.handouts import write_handouts
    from sim.report.scenario import force_moves
    from sim.scenario import load_scenario

    _scenario(args.path)
    scenario = force_moves(load_scenario(args.path), pairs(args.force, "--force"))
    formats = ("html", "pdf") if args.format == "both" else (args.format,)
    written = write_handouts(
        scenario, args.out, settings=settings(args.settings), numbers=args.numbers, formats=formats
    )
    return "\n".join(f"wrote {path}" for path in written)


def _serve(args: argparse.Namespace) -> str:
    from sim.classroom.serve import serve
    from sim.scenario import load_scenario

    _scenario(args.path)
    return serve(
        load_scenario(args.path),
        host=args.host or ("0.0.0.0" if args.public else "127.0.0.1"),
        port=args.port,
        db=args.db,
    )
