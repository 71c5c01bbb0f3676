"""The ``sim`` command: parse the arguments, call one library function, print.

Each command group has its module: ``games`` (solve, convert, explain,
validate, scenarios, methods), ``sweeps`` (sweep, shifts, plot) and
``classroom``. Each adds its subcommands to the parser with a ``run``
default; ``_common`` holds what they share. Exit status: 0 on success, 2 for
bad input or usage, 1 for an internal error, 130 when interrupted. Errors are
one line on stderr, never a traceback. Heavy modules (numpy, scipy,
matplotlib) are imported inside the commands so that ``sim --help`` is instant.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

from sim.cli import classroom, games, sweeps
from sim.cli._common import Parser

__all__ = ["FLAGS", "build_parser", "main"]

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2

#: The flag of each library parameter that has one. The library's errors name
#: parameters (``solve(): concept='qre' needs lam``); this is the one place that
#: says them as the command line's flags (``--concept qre needs --lambda``).
FLAGS = {
    "chunk_size": "--chunk-size", "concept": "--concept", "db": "--db",
    "equilibrium": "--equilibrium", "host": "--host", "port": "--port",
    "expect": "--expect", "force": "--force", "grid": "--grid", "kind": "--kind",
    "lam": "--lambda", "method": "--method",
    "n": "--monte-carlo",  # monte_carlo_design(n=...); no other message may say {n}
    "objective": "--objective", "out": "--out", "player": "--player", "refine": "--refine",
    "require_all": "--all",
    "resume": "--resume", "sample": "--sample", "sampling": "--sampling",
    "scheduler": "--scheduler", "seed": "--seed", "settings": "--set",
    "tie_break": "--tie-break", "tol": "--tol", "vary": "--vary", "workers": "--workers",
}  # fmt: skip

#: The subcommands, in the order ``sim --help`` lists them.
_COMMANDS = (
    games.add_solve,
    games.add_convert,
    games.add_explain,
    games.add_validate,
    games.add_scenarios,
    sweeps.add_sweep,
    sweeps.add_shifts,
    sweeps.add_plot,
    games.add_methods,
    classroom.add_classroom,
)


def _as_flag(name: str, value: object) -> str:
    """A library parameter as the command line spells it: ``--lambda``, ``--concept qre``."""
    flag = FLAGS.get(name, name)
    return flag if value is None or value is True else f"{flag} {value}"


def build_parser() -> argparse.ArgumentParser:
    """The ``sim`` parser: the top-level options, and each command module's subcommands."""
    parser = Parser(
        prog="sim",
        description="Simulate diplomatic negotiations as games: solve, convert and check games.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for add in _COMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sim`` command line; return the exit status.

    Examples
    --------
    >>> main(["validate", "no-such-file.nfg"])
    2
    """
    parser = build_parser()
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
            output = args.run(args)
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
