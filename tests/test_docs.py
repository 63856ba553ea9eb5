"""The README cannot drift: its data section is generated, its commands are real."""

from __future__ import annotations

import re

from conftest import ROOT
from kg.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, _parser
from kg.core.dictionary import load_dictionary, to_markdown

README = (ROOT / "README.md").read_text(encoding="utf-8")
BEGIN, END = "<!-- dictionary:begin -->", "<!-- dictionary:end -->"


def test_readme_data_dictionary_is_generated_from_the_dictionary():
    start, stop = README.index(BEGIN) + len(BEGIN), README.index(END)
    assert README[start:stop].strip() == to_markdown(load_dictionary()).strip(), (
        "README's data dictionary is stale: regenerate it with `make readme`")


def test_readme_quickstart_is_the_two_commands():
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\s*(make \w+)", quickstart, flags=re.M)
    assert commands[:2] == ["make demo", "make test"]


def test_readme_documents_every_command():
    commands = _parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"aco-kg {name}" in README, name


def readme_table(heading_row: str) -> dict[str, str]:
    """The first two cells of each row of the README table whose header row is `heading_row`."""
    lines = README.split(heading_row + "\n", 1)[1].splitlines()
    assert re.fullmatch(r"\|(\s*-+\s*\|)+", lines[0]), "no |---| line under the header"
    rows = {}
    for line in lines[1:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0]] = cells[1]
    return rows


def test_readme_exit_code_table_is_the_command_lines():
    """The README's table lists exactly the codes kg.cli returns, each with the meaning that
    `aco-kg --help` gives it."""
    table = readme_table("| exit code | meaning |")
    assert list(table) == [str(c) for c in sorted({EXIT_OK, EXIT_INVALID, EXIT_USAGE})]
    epilog = dict(re.findall(r"(\d) ([^,\n]+)", _parser().epilog.split("\n", 1)[0]))
    assert list(epilog) == list(table), "aco-kg --help lists other exit codes"
    assert epilog[str(EXIT_OK)] == "ok" and table[str(EXIT_OK)] == "success"
    assert epilog[str(EXIT_INVALID)].startswith("invalid data")
    assert table[str(EXIT_INVALID)].startswith("invalid data") and \
        "nothing was published" in table[str(EXIT_INVALID)]
    assert epilog[str(EXIT_USAGE)] == "usage or internal error"
    assert table[str(EXIT_USAGE)].startswith("usage error") and \
        table[str(EXIT_USAGE)].endswith("or internal error")


MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def test_readme_and_make_help_document_both_test_tiers():
    help_lines = dict(re.findall(r"^([a-z-]+):.*## (.+)$", MAKEFILE, flags=re.M))
    assert "not slow" in help_lines["test-fast"] and "every test" in help_lines["test"]
    select = re.search(r"^FAST_SELECT\s*:=\s*(.+)$", MAKEFILE, flags=re.M).group(1).strip()
    tests = README.split("### Tests", 1)[1].split("\n## ", 1)[0]
    assert "make test-fast" in tests and "make test" in tests
    assert f'-m "{select}"' in tests, "the README does not give the fast tier's selection"


def test_every_module_the_readme_names_exists():
    named = sorted(set(re.findall(r"\bkg/[\w/]+\.py\b", README)))
    assert len(named) >= 10
    assert [path for path in named if not (ROOT / path).is_file()] == []
