"""The documentation runs: every shell example shows the real output, and the CLI page is whole.

Three kinds of check, all driven by the Markdown files themselves:

- Every fenced block marked ``console`` in ``docs/**/*.md`` and ``README.md`` is a
  transcript. Each line starting with ``$ `` is a ``sim`` command; the lines up
  to the next command are its expected output (stdout and stderr together). A
  last line ``[exit N]`` gives the expected exit status (default 0). A line
  that is exactly ``...`` matches any run of lines, so long JSON can be elided.
  Commands run through the ``sim`` console script installed next to
  ``sys.executable``, from the repository root, with ``COLUMNS=100``.
- Every option, choice and subcommand that ``sim ... --help`` prints appears in
  ``docs/reference/cli.md``, so the reference cannot drift from the parser.
- A fenced block preceded by ``<!-- file: PATH -->`` shows the whole of the
  file at ``PATH`` (relative to the repository root).

The Python examples (``>>>`` in ``python`` blocks) are run by pytest's own
``--doctest-glob=*.md`` (see ``pyproject.toml``), not here.

Commands run in parallel threads. A block that writes files with ``--out`` runs
its commands in order and then removes those files; the commands of other blocks
only read, so each distinct one runs once however many pages show it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CLI_PAGE = DOCS / "reference" / "cli.md"
TIMEOUT = 120

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)(?P<info>[^\n`]*)$")
_EXIT = re.compile(r"^\[exit (\d+)\]$")
_FILE_MARK = re.compile(r"^<!--\s*file:\s*(\S+)\s*-->$")


# ---------------------------------------------------------------------------- parsing
@dataclass(frozen=True)
class Command:
    """One ``$ sim ...`` line with the output and exit status the page promises."""

    argv: tuple[str, ...]
    expected: tuple[str, ...]
    status: int
    line: int


@dataclass(frozen=True)
class Block:
    """A fenced block: where it is, its info string, its lines and the line before it."""

    path: Path
    line: int  # 1-based line of the opening fence
    info: str
    lines: tuple[str, ...]
    preceding: str  # the last non-blank line before the fence

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"


def markdown_files() -> list[Path]:
    """The pages whose examples are checked: ``docs/**/*.md`` and ``README.md``."""
    files = sorted(DOCS.rglob("*.md"))
    readme = ROOT / "README.md"
    if readme.exists():
        files.append(readme)
    return files


def fenced_blocks(path: Path) -> list[Block]:
    """Every fenced code block in a Markdown file."""
    blocks = []
    lines = path.read_text(encoding="utf-8").splitlines()
    k = 0
    preceding = ""
    while k < len(lines):
        match = _FENCE.match(lines[k])
        if match is None:
            if lines[k].strip():
                preceding = lines[k].strip()
            k += 1
            continue
        fence, indent = match["fence"], len(match["indent"])
        start, body = k, []
        k += 1
        while k < len(lines) and not lines[k].strip().startswith(fence):
            body.append(lines[k][indent:] if lines[k][:indent].isspace() else lines[k])
            k += 1
        if k == len(lines):
            raise AssertionError(f"{path}:{start + 1}: code block is never closed")
        info = match["info"].strip()
        blocks.append(Block(path, start + 1, info, tuple(body), preceding))
        preceding = ""
        k += 1
    return blocks


def console_commands(block: Block) -> list[Command]:
    """Split a ``console`` block into commands and their expected output."""
    commands: list[Command] = []
    current: list[str] | None = None
    argv: tuple[str, ...] = ()
    line = 0

    def finish() -> None:
        if current is None:
            return
        expected = [text.rstrip() for text in current]
        while expected and not expected[-1]:
            expected.pop()
        status = 0
        if expected and (match := _EXIT.match(expected[-1])):
            status = int(match.group(1))
            expected.pop()
        commands.append(Command(argv, tuple(expected), status, line))

    for offset, text in enumerate(block.lines):
        if text.startswith("$ "):
            finish()
            line = block.line + 1 + offset
            words = shlex.split(text[2:])
            if not words or words[0] != "sim":
                raise AssertionError(
                    f"{block.name}: line {line}: console examples may only run 'sim'; got {text!r}"
                )
            argv, current = tuple(words), []
        elif current is None:
            if text.strip():
                raise AssertionError(
                    f"{block.name}: output before the first '$ ' command: {text!r}"
                )
        else:
            current.append(text)
    finish()
    if not commands:
        raise AssertionError(f"{block.name}: a console block with no '$ sim' command")
    return commands


def _collect(kind: str) -> list[Block]:
    found = []
    for path in markdown_files():
        for block in fenced_blocks(path):
            is_console = block.info.split()[:1] == ["console"]
            shows_file = _FILE_MARK.match(block.preceding) is not None
            if (kind == "console" and is_console) or (kind == "file" and shows_file):
                found.append(block)
    return found


CONSOLE_BLOCKS = _collect("console")
FILE_BLOCKS = _collect("file")


# ---------------------------------------------------------------------------- running
def sim_script() -> str:
    """The ``sim`` console script of the interpreter running the tests."""
    folder = Path(sys.executable).parent
    for name in ("sim", "sim.exe"):
        if (folder / name).exists():
            return str(folder / name)
    raise AssertionError(f"no 'sim' console script next to {sys.executable}; install the project")


#: Options that name a file the command writes.
WRITING_OPTIONS = ("--out", "--plot")


def _out_targets(argv: tuple[str, ...]) -> list[Path]:
    """Files a command writes with ``--out FILE``/``--plot FILE`` (or ``=FILE``).

    ``sim sweep`` also writes a JSON sidecar next to its table.
    """
    targets = []
    for k, word in enumerate(argv):
        name = word.split("=", 1)[0]
        if name not in WRITING_OPTIONS:
            continue
        value = word.split("=", 1)[1] if "=" in word else argv[k + 1] if k + 1 < len(argv) else ""
        if value:
            targets.append(ROOT / value)
            if argv[1:2] == ("sweep",) and name == "--out":
                targets.append(ROOT / f"{value}.json")
    return targets


def run_command(argv: tuple[str, ...]) -> tuple[int, str]:
    """Run one ``sim`` command from the repository root; return its status and output."""
    done = subprocess.run(
        [sim_script(), *argv[1:]],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "100"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    return done.returncode, done.stdout


def writes_files(block: Block) -> bool:
    return any(_out_targets(command.argv) for command in console_commands(block))


def run_block(block: Block) -> list[tuple[Command, int, str]]:
    """Run a block's commands in order; remove the files they wrote with ``--out``."""
    results = []
    written: list[Path] = []
    try:
        for command in console_commands(block):
            for target in _out_targets(command.argv):
                if target.exists() and target not in written:
                    raise AssertionError(
                        f"{block.name}: --out {target} already exists; examples must not "
                        "overwrite files in the repository"
                    )
                written.append(target)
            results.append((command, *run_command(command.argv)))
    finally:
        for target in written:
            if target.is_dir():  # sim classroom handouts --out DIR
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
    return results


@cache
def all_results() -> dict[str, list[tuple[Command, int, str]] | BaseException]:
    """Run every console block, in parallel; errors are kept per block.

    A block that writes files (``--out``) runs as one unit, in order. Commands
    of the other blocks only read the repository, so each distinct command runs
    once however many pages show it.
    """
    writers = [block for block in CONSOLE_BLOCKS if writes_files(block)]
    readers = [block for block in CONSOLE_BLOCKS if block not in writers]
    distinct = sorted({c.argv for block in readers for c in console_commands(block)})

    def attempt(block: Block) -> list[tuple[Command, int, str]] | BaseException:
        try:
            return run_block(block)
        except BaseException as exc:  # reported by that block's test
            return exc

    def attempt_command(argv: tuple[str, ...]) -> tuple[int, str] | BaseException:
        try:
            return run_command(argv)
        except BaseException as exc:
            return exc

    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) * 2)) as pool:
        written = pool.map(attempt, writers)
        ran = dict(zip(distinct, pool.map(attempt_command, distinct), strict=True))
        results: dict[str, list[tuple[Command, int, str]] | BaseException] = dict(
            zip((block.name for block in writers), written, strict=True)
        )
    for block in readers:
        commands = console_commands(block)
        failed = next((r for c in commands if isinstance(r := ran[c.argv], BaseException)), None)
        results[block.name] = failed or [
            (c, *r) for c in commands if not isinstance(r := ran[c.argv], BaseException)
        ]
    return results


def output_matches(expected: tuple[str, ...], actual: str) -> bool:
    """Whether ``actual`` equals ``expected`` up to trailing whitespace, ``...`` matching lines."""
    lines = [text.rstrip() for text in actual.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if text == "..." else re.escape(text) + r"\n" for text in expected
    )
    return re.fullmatch(pattern, "".join(text + "\n" for text in lines)) is not None


# ---------------------------------------------------------------------------- the tests
def test_pages_have_console_examples() -> None:
    assert CONSOLE_BLOCKS, "no ```console blocks found under docs/"


@pytest.mark.slow  # every command of the docs runs on the first call (about 45 s)
@pytest.mark.parametrize("block", CONSOLE_BLOCKS, ids=lambda b: b.name)
def test_console_block(block: Block) -> None:
    result = all_results()[block.name]
    if isinstance(result, BaseException):
        raise result
    for command, status, output in result:
        shown = shlex.join(command.argv)
        expected = "\n".join(command.expected)
        assert status == command.status, (
            f"{block.name}: line {command.line}: '{shown}' exited {status}, "
            f"expected {command.status}; output:\n{output}"
        )
        assert output_matches(command.expected, output), (
            f"{block.name}: line {command.line}: '{shown}' printed:\n{output}\n"
            f"--- but the page shows:\n{expected}"
        )


@pytest.mark.parametrize("block", FILE_BLOCKS, ids=lambda b: b.name)
def test_file_block_shows_the_file(block: Block) -> None:
    match = _FILE_MARK.match(block.preceding)
    assert match is not None
    shown = [text.rstrip() for text in block.lines]
    actual = [text.rstrip() for text in (ROOT / match.group(1)).read_text("utf-8").splitlines()]
    assert shown == actual, f"{block.name} no longer shows {match.group(1)} as it is"


# ------------------------------------------------------------------- the CLI reference page
def help_text(*command: str) -> str:
    done = subprocess.run(
        [sim_script(), *command, "--help"],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "100"},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    return done.stdout


@cache
def all_help() -> dict[str, str]:
    """``sim --help`` and ``sim COMMAND --help`` for every subcommand, keyed by command."""
    top = help_text()
    section = top.split("positional arguments:", 1)[1].split("options:", 1)[0]
    # A long name pushes its help onto the next line: the name then ends the line.
    subcommands = re.findall(r"^ {4}([a-z][\w-]*)(?: {2,}|$)", section, flags=re.MULTILINE)
    assert subcommands, f"no subcommands found in 'sim --help':\n{top}"
    with ThreadPoolExecutor(max_workers=len(subcommands)) as pool:
        texts = list(pool.map(help_text, subcommands))
    found = {"": top, **dict(zip(subcommands, texts, strict=True))}
    for name, text in list(found.items()):  # commands with actions: sim classroom handouts
        if name and "ACTION ..." in text.split("\n", 1)[0]:
            listing = text.split("positional arguments:", 1)[1].split("options:", 1)[0]
            for action in re.findall(r"^ {4}([a-z][\w-]*)(?: {2,}|$)", listing, re.MULTILINE):
                found[f"{name} {action}"] = help_text(name, action)
    return found


def test_cli_reference_lists_every_subcommand() -> None:
    page = CLI_PAGE.read_text(encoding="utf-8")
    headings = set(re.findall(r"^#+ .*?`sim ([a-z][\w-]*)", page, flags=re.MULTILINE))
    missing = [name for name in all_help() if name and " " not in name and name not in headings]
    assert not missing, f"docs/reference/cli.md has no heading '## `sim NAME`' for {missing}"


@pytest.mark.parametrize(
    "command",
    [
        "",
        "solve",
        "convert",
        "validate",
        "methods",
        "scenarios",
        "sweep",
        "shifts",
        "plot",
        "classroom",
        "classroom handouts",
        "classroom serve",
    ],
)
def test_cli_reference_lists_every_option(command: str) -> None:
    texts = all_help()
    if command not in texts:
        pytest.fail(f"'sim {command}' is not a subcommand any more; update this test and the page")
    text = texts[command]
    page = CLI_PAGE.read_text(encoding="utf-8")
    options = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", text))
    choices = {c for group in re.findall(r"\{([^}]*)\}", text) for c in group.split(",")}
    assert options, f"no options found in 'sim {command} --help'"
    # Every option and choice must appear as a word of some inline code span.
    words = {w for span in re.findall(r"`([^`\n]+)`", page) for w in re.split(r"[\s|=\[\]]+", span)}
    missing = sorted((options | choices) - words)
    assert not missing, (
        f"docs/reference/cli.md does not mention {missing}, printed by 'sim {command} --help'"
    )


def test_output_matching() -> None:
    assert output_matches(("a", "...", "d"), "a\nb\nc\nd\n")
    assert output_matches(("a", "...", "b"), "a\nb")
    assert output_matches(("a",), "a   \n\n")
    assert not output_matches(("a", "...", "d"), "a\nb\nc\n")
    assert not output_matches(("a", "b"), "a\nb\nc")
