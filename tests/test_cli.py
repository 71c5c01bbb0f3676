"""The command line: contract output, exit codes, clear errors, fast start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "sim" / "examples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_solve_json_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "solve", str(EXAMPLES / "summit.nfg"), "--format", "json")
    assert code == 0 and err == ""
    report = json.loads(out)
    assert set(report) == {"game", "equilibria", "sets", "complete", "notes", "options"}
    assert report["complete"] is True
    assert [p["name"] for p in report["game"]["players"]] == ["Seoul", "Tokyo"]
    for eq in report["equilibria"]:
        assert set(eq) == {
            "concept",
            "method",
            "strategies",
            "payoffs",
            "max_regret",
            "pure",
            "outcomes",
        }
        assert eq["max_regret"] <= 1e-9
        assert sum(o["probability"] for o in eq["outcomes"]) == pytest.approx(1.0)
        assert all(set(o["actions"]) == {"Seoul", "Tokyo"} for o in eq["outcomes"])


def test_solve_extensive_form_reports_play_paths(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "solve", str(EXAMPLES / "mediation.efg"), "--format", "json")
    assert code == 0
    report = json.loads(out)
    first = report["equilibria"][0]
    assert len(first["strategies"][0]) == len(report["game"]["players"][0]["actions"])
    assert sum(o["probability"] for o in first["outcomes"]) == pytest.approx(1.0)


def test_table_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "solve", str(EXAMPLES / "summit.nfg"))
    assert code == 0
    assert "host 1/3, cancel 2/3" in out
    assert "the list is complete" in out


def test_pure_nash_concept(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "solve", str(EXAMPLES / "summit.nfg"), "--concept", "pure-nash", "--format", "json"
    )
    assert code == 0
    assert all(eq["pure"] for eq in json.loads(out)["equilibria"])


BAD_FILES = {
    "empty.nfg": b"",
    "binary.nfg": b"\x00\x01\x02NFG",
    "truncated.nfg": b'NFG 1 R "t" { "A" "B" } { 2 2 }\n\n1 2 3',
    "header.nfg": b'XYZ 1 R "t" { "A" "B" } { 2 2 }\n',
    "letters.nfg": b'NFG 1 R "t" { "A" "B" } { 2 2 }\n\n1 2 3 4 5 6 7 x\n',
    "too_many.nfg": b'NFG 1 R "t" { "A" "B" } { 2 2 }\n\n1 2 3 4 5 6 7 8 9 10\n',
    "empty.efg": b"",
    "truncated.efg": (
        b'EFG 2 R "t" { "A" "B" }\n""\n\np "" 1 1 "" { "a" "b" } 0\nt "" 1 "" { 1, 2 }\n'
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
@pytest.mark.parametrize("command", ["solve", "validate", "convert"])
def test_bad_files_get_one_clear_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, command: str
) -> None:
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    out_file = tmp_path / "out.efg"
    extra = ["--to", "efg", "--out", str(out_file)] if command == "convert" else []
    code, out, err = run(capsys, command, str(path), *extra)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("sim: error: ")
    assert str(path) in err
    assert "Traceback" not in err
    assert not out_file.exists(), "nothing may be half-written"
    assert list(tmp_path.iterdir()) == [path]


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "solve")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2
    code, _, err = run(capsys, "solve", str(EXAMPLES / "summit.nfg"), "--concept", "bogus")
    assert code == 2 and "invalid choice" in err
    code, _, err = run(capsys, "solve", str(EXAMPLES / "summit.nfg"), "--method", "bogus")
    assert code == 2 and "unknown method" in err
    code, _, err = run(capsys, "solve", "game.txt")
    assert code == 2 and ".nfg" in err


def test_library_errors_are_said_with_the_flags(capsys: pytest.CaptureFixture[str]) -> None:
    # The library names parameters (lam, concept='qre'); the command line says the
    # same message with its flags, from one table (sim.cli.FLAGS).
    code, _, err = run(capsys, "solve", str(EXAMPLES / "summit.nfg"), "--concept", "qre")
    assert (code, err) == (
        2,
        "sim: error: --concept qre needs --lambda (the precision, in payoff units)\n",
    )
    scenario = str(ROOT / "scenarios" / "baseline_nov2020.toml")
    code, _, err = run(capsys, "solve", scenario, "--lambda", "1")
    assert (code, err) == (2, "sim: error: --lambda does not apply to --concept spe\n")
    code, _, err = run(capsys, "solve", scenario, "--force", "stance=bogus")
    assert code == 2 and err.startswith("sim: error: --force stance: expected one of proceed")
    code, _, err = run(capsys, "sweep", scenario, "--vary", "us_alliance_priority=0:3:4")
    assert code == 2 and "--vary us_alliance_priority: 3 is outside" in err


def test_internal_errors_exit_1_without_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.solvers

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(sim.solvers, "solve", broken)
    code, _, err = run(capsys, "solve", str(EXAMPLES / "summit.nfg"))
    assert code == 1
    assert "internal error" in err and "boom" in err and "Traceback" not in err


def test_convert_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.formats import load_game

    efg = tmp_path / "summit.efg"
    assert (
        run(capsys, "convert", str(EXAMPLES / "summit.nfg"), "--to", "efg", "--out", str(efg))[0]
        == 0
    )
    nfg = tmp_path / "again.nfg"
    assert run(capsys, "convert", str(efg), "--to", "nfg", "--out", str(nfg))[0] == 0
    assert load_game(nfg) == load_game(EXAMPLES / "summit.nfg")


def test_help_does_not_import_numpy() -> None:
    code = (
        "import sys, sim.cli; sim.cli.build_parser().format_help(); "
        "print(sorted(m for m in ('numpy', 'scipy', 'matplotlib', 'nashpy') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_methods_lists_every_solver(capsys: pytest.CaptureFixture[str]) -> None:
    from sim.solvers import SOLVERS

    code, out, _ = run(capsys, "methods")
    assert code == 0
    assert all(name in out for name in SOLVERS)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import sim

    assert run(capsys, "--version")[1].strip() == f"sim {sim.__version__}"


def test_files_are_written_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import tempfile

    from sim.errors import OutputError
    from sim.files import write_atomically

    write_atomically(tmp_path / "game.efg", "EFG 2 R")
    assert (tmp_path / "game.efg").read_text() == "EFG 2 R"
    for target, says in [
        (tmp_path / "missing" / "game.efg", "the directory .* does not exist"),
        (tmp_path, "is a directory; expected a file name"),
    ]:
        with pytest.raises(OutputError, match=says):
            write_atomically(target, "EFG 2 R")

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(OutputError, match="cannot write there: Permission denied"):
        write_atomically(tmp_path / "other.efg", "EFG 2 R")
    assert [p.name for p in tmp_path.iterdir()] == ["game.efg"]


def test_figures_are_written_whole_or_not_at_all(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    from sim.errors import OutputError
    from sim.plot.shift import save_figure

    figure = Figure()
    figure.add_subplot().plot([0, 1], [1, 0])
    save_figure(figure, str(tmp_path / "line.svg"))
    assert (tmp_path / "line.svg").read_text().lstrip().startswith("<?xml")
    with pytest.raises(OutputError, match=r"the directory .* does not exist"):
        save_figure(figure, str(tmp_path / "missing" / "line.png"))
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(OutputError, match="is a directory"):
        save_figure(figure, str(tmp_path / "folder.png"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.png", "line.svg"]


def test_commands_print_what_their_library_functions_say(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The CLI parses and prints; the words come from the library.
    from sim.analysis.explain import explain_report
    from sim.analysis.shifts import find_shifts
    from sim.report.inputs import scenario_listing, validate_file

    tree = str(EXAMPLES / "mediation.efg")
    assert (
        run(capsys, "explain", tree, "--equilibrium", "2")[1]
        == explain_report(tree, None, 2) + "\n"
    )
    tutorial = str(ROOT / "docs" / "tutorial" / "fishing_dispute.toml")
    assert run(capsys, "validate", tutorial, "--expect")[1] == (
        validate_file(tutorial, expect=True).text() + "\n"
    )
    folder = str(ROOT / "scenarios")
    assert run(capsys, "scenarios", folder)[1] == scenario_listing(folder) + "\n"
    scenario = str(ROOT / "scenarios" / "baseline_nov2020.toml")
    shifts = find_shifts(scenario, "us_alliance_priority", 0, 2, grid=17)
    printed = run(capsys, "shifts", scenario, "--vary", "us_alliance_priority=0:2", "--grid", "17")
    assert printed[1] == shifts.text() + "\n"


def test_the_library_behind_the_commands_names_parameters_not_flags(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sim.analysis.explain import explain_report
    from sim.errors import InputError
    from sim.plot.kinds import figure
    from sim.report.inputs import validate_file

    summit = str(EXAMPLES / "summit.nfg")
    calls = [
        (lambda: validate_file(summit, expect=True), ["validate", summit, "--expect"]),
        (lambda: explain_report(summit, equilibrium=9), ["explain", summit, "--equilibrium", "9"]),
        (
            lambda: figure(summit, "tree", equilibrium=0),
            ["plot", summit, "--kind", "tree", "--equilibrium", "0", "--out", "x.png"],
        ),
    ]
    for call, argv in calls:
        with pytest.raises(InputError) as error:
            call()
        assert "--" not in str(error.value)
        code, _, err = run(capsys, *argv)
        assert (code, err) == (2, f"sim: error: {error.value.render(cli_flag)}\n")
        assert "--" in err


def cli_flag(name: str, value: object) -> str:
    from sim.cli import FLAGS

    return FLAGS[name] if value is None or value is True else f"{FLAGS[name]} {value}"
