"""The source check: the figures and quoted labels of a row occur where its locator points.

Run on tests/fixtures/sourcecheck (a report written for the tests, its outline and rows
that cite it): it passes as committed, and fails, with the row's file, line and column,
on a planted wrong number, a number that is in the text but not in the cited passage, a
quoted or printed label that differs from the print, a locator that names nothing, and a
copy that is missing or not the one the locators were written against. The real sources
are checked by CI (.ci/run: make check-sources SOURCES=../shared/seeds).
"""

from __future__ import annotations

import csv
import shutil

import pytest

from conftest import ROOT
from kg.cli import main
from kg.core.errors import UsageError
from kg.ingest.sourcetext import check_sources
from kg.ingest.sourcetext.document import Document
from kg.ingest.sourcetext.locator import LocatorError, resolve
from kg.ingest.sourcetext.outline import load_outline

FIXTURE = ROOT / "tests" / "fixtures" / "sourcecheck"
OUTLINE = FIXTURE / "outline.yaml"


@pytest.fixture
def data(tmp_path):
    """A writable copy of the fixture's rows."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE / "data", target)
    return target


def check(data_dir, texts=FIXTURE / "texts", outline=OUTLINE):
    return check_sources(data_dir, texts, outline=outline)


def edit(path, key: str, column: str, value: str) -> int:
    """Set one cell of the row with `key` (first column); return the row's line."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    (line,) = [n for n, row in enumerate(rows[1:], 2) if row[0] == key]
    rows[line - 1][header.index(column)] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return line


def test_the_fixture_passes_and_every_rule_is_used():
    report = check(FIXTURE / "data")
    assert report.ok, report.problems
    assert report.rows == 18  # the row citing a source without a copy is not checked
    assert set(report.found) == {"as printed", "thousands separator", "$ N m (millions)",
                                 "number in words", "fraction in words", "N in 10",
                                 "label as printed"}


@pytest.mark.parametrize("file, key, column, value, shown", [
    ("savings.csv", "north-year-2", "earned_savings_usd", "2500000", "2500000"),
    ("payer_contracts.csv", "north-contract", "attributed_patients", "12500", "12500"),
    ("studies.csv", "report-study", "acos_studied", "8", "8"),
    ("studies.csv", "report-study", "last_year", "2018", "2018"),
    ("study_findings.csv", "gains-shared", "share_exact_pct", "75", "75"),
    ("savings_shares.csv", "north-share", "description",
     "The partner took no more than 30% of the savings.", "'30'"),
    ("organizations.csv", "north-network", "description", "A network of five clinics.", "'five'"),
])
def test_a_planted_wrong_number_fails_with_its_file_line_and_column(data, file, key, column,
                                                                   value, shown):
    line = edit(data / file, key, column, value)
    report = check(data)
    assert [(p.file, p.line, p.column) for p in report.problems] == [(str(data / file), line, column)]
    assert report.problems[0].reason.startswith(f"{shown} is not in ")
    assert main(["check-sources", "--data", str(data), "--sources", str(FIXTURE / "texts"),
                 "--outline", str(OUTLINE)]) == 1


def test_a_number_elsewhere_in_the_text_is_not_in_the_cited_passage(data):
    """25 is in the North Network's first paragraph, not in the Background."""
    line = edit(data / "study_findings.csv", "partners-common", "description",
                "Nearly 40% of such networks have a partner, 25% a company.")
    (problem,) = check(data).problems
    assert (problem.line, problem.column) == (line, "description")
    assert problem.reason.startswith("'25' is not in Background, para 1")


def test_a_quoted_label_must_be_printed_as_quoted(data):
    edit(data / "conflict_practices.csv", "monthly-meetings", "description",
         "Monthly meetings, the \"monthly reckoning\" as one called them.")
    (problem,) = check(data).problems
    assert problem.column == "description"
    assert problem.reason.startswith("the quoted label 'monthly reckoning' is not in")


def test_a_value_marked_inferred_is_not_looked_for_but_its_statement_is(data):
    """total_seats 9 is in no passage: its statement marks it inferred; without the
    statement it fails, and the statement's basis is held to its own locator."""
    assert check(data).ok
    (data / "statement_evidence.csv").write_text(
        (data / "statement_evidence.csv").read_text(encoding="utf-8").splitlines()[0] + "\n",
        encoding="utf-8")
    (problem,) = check(data).problems
    assert (problem.file, problem.column) == (str(data / "boards.csv"), "total_seats")


def test_a_basis_may_name_the_inferred_value_but_no_other_missing_number(data):
    line = edit(data / "statement_evidence.csv", "board-size", "basis",
                "Nine is the curator's count of the 12 heads named.")
    (problem,) = check(data).problems
    assert (problem.line, problem.column) == (line, "basis")
    assert problem.reason.startswith("'12' is not in")


def test_the_curators_numbering_in_a_key_is_no_figure(data):
    """clinic-3: the 3 of 'Clinic 3' is the key's; 4 would be a figure the table lacks."""
    assert check(data).ok
    edit(data / "organizations.csv", "clinic-3", "name", "Clinic 4 of the South network")
    (problem,) = check(data).problems
    assert (problem.column, problem.reason[:17]) == ("name", "'4' is not in Tab")


@pytest.mark.parametrize("locator, reason", [
    ("Table 1, row 'Clinic', column 'North'", "Table 1 has no row 'Clinic'"),
    ("Table 1, row 'Clinics', column 'East'", "Table 1 has no column 'East'"),
    ("Table 3", "no table 'Table 3'"),
    ("Findings > South Network, para 1", "no section 'South Network' after 'Findings'"),
    ("Findings > North Network, para 7", "there is no paragraph 7 (there are 4)"),
    ("Findings > Lessons, item 3", "there is no item 3 (there are 2)"),
    ("Findings > Lessons, question 4", "there is no question 4 (there are 3)"),
    ("Summary", "no section 'Summary'"),  # reached only through Abstract
    ("Findings > North Network, paragraph 2", "no section 'North Network, paragraph 2'"),
])
def test_a_locator_that_names_nothing_fails(data, locator, reason):
    line = edit(data / "studies.csv", "report-study", "locator", locator)
    (problem,) = check(data).problems
    assert (problem.line, problem.column) == (line, "locator")
    assert reason in problem.reason


def test_a_missing_or_different_copy_fails(tmp_path):
    texts = tmp_path / "texts"
    texts.mkdir()
    (problem,) = check(FIXTURE / "data", texts).problems
    assert problem.reason == "missing: the plain-text copy of report"
    (texts / "report.txt").write_text((FIXTURE / "texts" / "report.txt").read_text(
        encoding="utf-8").replace("1,250", "1,260"), encoding="utf-8")
    (problem,) = check(FIXTURE / "data", texts).problems
    assert "is not that of the copy the locators of report were written against" in problem.reason


def test_a_sources_row_is_checked_against_the_whole_text(data):
    line = edit(data / "sources.csv", "report", "identifier", "10.5555/report.2019.77")
    # 10.5555 and 2019.77 (a decimal) are in no text: a DOI the source does not print
    problems = check(data).problems
    assert {(p.line, p.column) for p in problems} == {(line, "identifier")}
    assert sorted(p.reason.split(" ")[0] for p in problems) == ["'10.5555'", "'2019.77'"]


def test_a_missing_folder_or_outline_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        check(FIXTURE / "data", tmp_path / "nowhere")
    with pytest.raises(UsageError, match="cannot read the outline"):
        check(FIXTURE / "data", outline=tmp_path / "none.yaml")


def test_the_command_line_passes_on_the_fixture(capsys):
    assert main(["check-sources", "--data", str(FIXTURE / "data"), "--sources",
                 str(FIXTURE / "texts"), "--outline", str(OUTLINE)]) == 0
    assert capsys.readouterr().out.startswith("sources agree: 18 rows checked")


# --- the document and its locators -------------------------------------------------------------

@pytest.fixture(scope="module")
def report_text():
    (entry,) = load_outline(OUTLINE).values()
    return Document((FIXTURE / "texts" / "report.txt").read_text(encoding="utf-8"), entry)


@pytest.mark.parametrize("locator, lines, starts", [
    ("Abstract > Summary", [(3, 3)], "**Summary:** We followed seven"),
    ("Background", [(9, 9)], "The network was formed"),
    ("Findings > North Network, paras 3 and 4", [(19, 19), (21, 21)], "The partner's role"),
    ("Table 1, row 'Year 2' under 'Money saved by the network', column 'South'", [(30, 30)],
     "Money saved by the network Year 2: $1 m"),
    ("Table 1, rows under 'Network facts', columns 'North' and 'South'", [(25, 25), (26, 26)],
     "Network facts Clinics: 4 | 3"),
    ("Findings > Lessons, item 1, sub-item 1", [(38, 38)], "name who staffs each service"),
    ("Findings > Lessons, question 2", [(42, 42)], "How would savings be split"),
])
def test_locators_resolve_to_their_passages(report_text, locator, lines, starts):
    passages = resolve(report_text, locator)
    assert [(p.first_line, p.last_line) for p in passages] == lines
    assert passages[0].text.startswith(starts)


def test_a_table_note_is_not_a_paragraph(report_text):
    """The note under the table is set apart by the outline (notParagraphs)."""
    section = report_text.section(["Findings", "North Network"])
    assert len(section.paragraphs) == 4
    with pytest.raises(LocatorError):
        resolve(report_text, "Findings > North Network, para 5")
