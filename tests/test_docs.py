"""The README cannot drift: its data section is generated, its commands are real."""

from __future__ import annotations

import re

from conftest import ROOT
from kg.cli import _parser
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


def test_readme_documents_every_command_and_exit_code():
    commands = _parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"aco-kg {name}" in README, name
    for code in ("0", "1", "2"):
        assert re.search(rf"\|\s*{code}\s*\|", README), code
