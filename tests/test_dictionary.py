"""The data dictionary states only rules that something checks."""

from __future__ import annotations

import pytest

from conftest import ROOT, TINY
from kg import validate
from kg.core.dictionary import load_dictionary
from kg.core.errors import UsageError


def edited_dictionary(tmp_path, old: str, new: str):
    text = (ROOT / "data" / "datapackage.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "datapackage.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, message", [
    ("constraints: {required: true, minimum: 1}, rdfPath: aco:sequence",
     "constraints: {required: true, enum: [1, 2]}, rdfPath: aco:sequence",
     r"unknown constraints \['enum'\]"),
    ('{name: date, type: date, format: partial, rdfPath: [time:hasTime, "@time"], '
     'description: "When assessed."}',
     '{name: date, type: date, format: partial, constraints: {minimum: 2000}, '
     'rdfPath: [time:hasTime, "@time"], description: "When assessed."}',
     "minimum and maximum apply to integer, number and year fields only"),
    ("{name: fee_kind, type: string, constraints: {required: true}, codeScheme: fee-kind,",
     "{name: fee_kind, type: string, constraints: {required: true, minLength: 2}, codeScheme: fee-kind,",
     "minLength applies to text fields only"),
])
def test_dictionary_refuses_a_constraint_nothing_would_check(tmp_path, old, new, message):
    """A rule in the dictionary that neither the CSV reader nor the shapes would check
    is an error, not a silent no-op."""
    with pytest.raises(UsageError, match=message):
        load_dictionary(edited_dictionary(tmp_path, old, new))


def test_min_length_is_checked_in_the_csv_too(tmp_path):
    dictionary = edited_dictionary(
        tmp_path, "constraints: {required: true, minLength: 1}\n    rdfPath: aco:sourceLocator",
        "constraints: {required: true, minLength: 8}\n    rdfPath: aco:sourceLocator")
    report = validate(TINY, dictionary=dictionary)
    short = [p for p in report.problems if p.column == "locator"]
    assert short and all("is shorter than 8 characters" in p.reason for p in short)
    assert any("Table 9" in p.reason for p in short)  # 7 characters
    assert not report.ok


@pytest.mark.parametrize("make,message", [
    (lambda p: __import__("os").mkfifo(p), "not a regular file but a FIFO"),
    (lambda p: p.write_text("resources: [unclosed\n"), "not UTF-8 YAML"),
    (lambda p: p.write_text("- a list\n"), "not a data dictionary"),
])
def test_a_dictionary_that_cannot_be_read_is_a_usage_error(tmp_path, make, message):
    """--dictionary names a file: a FIFO is refused without waiting, bad YAML is named."""
    path = tmp_path / "datapackage.yaml"
    make(path)
    with pytest.raises(UsageError, match=message):
        load_dictionary(path)
