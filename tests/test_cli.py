"""The command line: help with examples, exit codes 0, 1 and 2, clear messages."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import TINY, run_cli
from kg.cli import _parser, main


def test_every_command_has_help_with_an_example():
    parser = _parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {"build", "validate", "dictionary"} <= set(commands)
    for name, sub in commands.items():
        text = sub.format_help()
        assert "example" in text, name
        assert sub.description, name


@pytest.fixture(scope="module")
def cli_build(tmp_path_factory):
    """`aco-kg build` of the tiny fixture, run once: (exit code, stdout, stderr, out folder)."""
    import contextlib
    import io
    out = tmp_path_factory.mktemp("cli-build") / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["build", "--data", str(TINY), "--out", str(out), "-q"])
    return code, stdout.getvalue(), stderr.getvalue(), out


def test_build_succeeds_with_exit_0_and_says_where(cli_build):
    code, out, err, folder = cli_build
    assert code == 0, err
    assert "outputs in" in out and str(folder) in out


def test_invalid_data_exit_1_without_traceback(tiny, tmp_path, capsys):
    (tiny / "fees.csv").write_text("fee_id\n")
    ledger = tmp_path / "ledger.csv"
    assert main(["build", "--data", str(tiny), "--out", str(tmp_path / "out"), "-q",
                 "--ledger", str(ledger)]) == 1
    err = capsys.readouterr().err
    assert "fees.csv:1: column alliance_id: column is missing from the header" in err
    assert "Traceback" not in err
    assert ledger.read_text().startswith("file,line,status,column,reason,sha256,iri")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["build", "--bogus"], ["validate", "--data"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as caught:  # argparse leaves through sys.exit
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "Traceback" not in err


@pytest.mark.slow
def test_usage_error_exits_2_from_the_installed_entry_point():
    result = run_cli("build", "--bogus")
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_missing_data_folder_exit_2(tmp_path, capsys):
    assert main(["validate", "--data", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_internal_error_exit_2_with_a_plain_message(monkeypatch, capsys, tmp_path):
    import importlib
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(importlib.import_module("kg.graph.build"), "validate", broken)
    assert main(["validate", "--data", str(TINY)]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: disk on fire" in err and "Traceback" not in err


def test_progress_goes_to_stderr(tmp_path, capsys):
    assert main(["validate", "--data", str(TINY)]) == 0
    out, err = capsys.readouterr()
    from kg.core.dictionary import load_dictionary
    files = len(load_dictionary().resources)  # one file per resource of the dictionary
    assert f"read {files} files" in err and "SHACL (pySHACL): conforms" in err
    assert f"read {files} files" not in out and "valid:" in out


def test_dictionary_command_prints_every_file(capsys):
    assert main(["dictionary"]) == 0
    out = capsys.readouterr().out
    assert "#### `organizations.csv`" in out and "#### `study_findings.csv`" in out


def test_cli_build_publishes_report_and_map_in_the_release(cli_build, tmp_path, capsys):
    code, _, err, out = cli_build
    assert code == 0, err
    report = (out / "report.html").read_text(encoding="utf-8")
    page = (out / "map.html").read_text(encoding="utf-8")
    # the tiny fixture's partner is named 'Partner "Quoted" <script>alert(1)</script>'
    assert "<script>alert(1)</script>" not in report and "<script>alert(1)</script>" not in page
    assert "Partner &#34;Quoted&#34; &lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert "vis-network" in page
    assert main(["build", "--data", str(TINY), "--out", str(tmp_path / "x"), "--products", "chart"]) == 2
    assert "unknown product ['chart']" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


@pytest.mark.slow  # a subprocess each
@pytest.mark.parametrize("argv", [["queries"], ["dictionary"]])
def test_a_reader_that_stops_early_gets_no_traceback(argv):
    # `aco-kg queries | head -1`: the reader closes the pipe before aco-kg writes; the
    # command must end quietly (exit 0), not with a BrokenPipeError traceback (exit 2/120)
    import subprocess
    import sys
    child = subprocess.Popen([sys.executable, "-m", "kg", *argv], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    child.stdout.close()
    stderr = child.stderr.read().decode()
    assert child.wait(timeout=60) == 0, stderr
    assert "BrokenPipe" not in stderr and "Traceback" not in stderr, stderr


def test_library_errors_do_not_name_command_line_options():
    """Only kg/cli.py speaks in options; the library names its own arguments, which the
    command line turns into options (UsageError.argument)."""
    import ast
    root = Path(__file__).resolve().parents[1] / "kg"
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                for part in ast.walk(node.exc):
                    if isinstance(part, ast.Constant) and isinstance(part.value, str) \
                            and re.search(r"(^|\s)--[a-z]", part.value):
                        offenders.append(f"{path.relative_to(root)}:{node.lineno}: {part.value!r}")
    assert offenders == []


def test_an_argument_error_is_shown_with_its_option(tiny_out, tmp_path, capsys):
    assert main(["map", "--store", str(tiny_out / "store"), "--max-nodes", "0",
                 "--out", str(tmp_path / "never.html")]) == 2
    assert "aco-kg: error: --max-nodes: must be at least 1, got 0" in capsys.readouterr().err
    assert not (tmp_path / "never.html").exists()


def test_a_build_says_which_folders_of_the_build_it_replaces_left_out(tiny_release, tmp_path, capsys):
    """`make demo` builds data and build-cms; a bare `aco-kg build` reads data alone and
    replaces that graph: it says so, and how to keep both."""
    import json

    from conftest import copy_release
    from kg.graph.build import published_folders

    out = copy_release(tiny_release, tmp_path)
    assert published_folders(out) == [os.path.normpath(str(TINY))]  # the same folder: no note
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["inputs"].append({"file": "build-cms/sources.csv", "rows": 0, "sha256": "0"})
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert published_folders(out) == [os.path.normpath(str(TINY)), "build-cms"]
    assert main(["build", "--data", str(TINY), "--out", str(out), "-q", "--products", ""]) == 0
    err = capsys.readouterr().err
    assert f"note: {out} holds a build that also read build-cms" in err
    assert f"--data {TINY} --data build-cms" in err
    assert published_folders(out) == [os.path.normpath(str(TINY))]  # replaced, as it said
