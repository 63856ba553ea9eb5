"""Bad input, one class per test: a clear error, the right ledger, nothing published.

Each test starts from a published build of the tiny fixture, breaks one thing, builds
again, and checks (1) the problem names the file, line, column and reason, (2) the ledger
accounts for every record (loaded + rejected = records counted independently), and
(3) the previous output is byte-identical.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

import pandas as pd
import pytest

from conftest import TINY, copy_release, count_records, tree_digest
from kg import InvalidDataError, build, validate
from kg.core.dictionary import load_dictionary


def variants(cases: list, fast: int = 1) -> list:
    """Parameters of one class of bad input: the first `fast` run in the fast tier, the other
    variants of the same class only in `make test` (each is one more failing build)."""
    return cases[:fast] + [pytest.param(*(c if isinstance(c, tuple) else (c,)), marks=pytest.mark.slow)
                           for c in cases[fast:]]


@pytest.fixture
def published(tiny, tmp_path, tiny_release):
    """A copy of the tiny fixture and of its published build; returns (data, out, digest)."""
    out = copy_release(tiny_release, tmp_path)
    return tiny, out, tree_digest(out)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def expect_rejected(data: Path, out: Path, digest: dict, file: str, line: int | None,
                    column: str | None, reason: str, *, min_rejected: int = 1):
    with pytest.raises(InvalidDataError) as caught:
        build(data, out)
    report = caught.value.report
    matching = [p for p in report.problems if Path(p.file).name == file and p.line == line
                and p.column == column and reason in p.reason]
    assert matching, "\n".join(map(str, report.problems))
    total = sum(count_records(p) for p in data.glob("*.csv"))
    assert report.rows_loaded + report.rows_rejected == report.rows_read == total
    assert not report.ok and report.rows_rejected >= min_rejected
    assert tree_digest(out) == digest, "the previous output changed"
    return report


def test_missing_column(published):
    data, out, digest = published
    path = data / "savings.csv"
    lines = path.read_text().splitlines()
    cut = [",".join(c for i, c in enumerate(l.split(",")) if i != 6) for l in lines]
    path.write_text("\n".join(cut) + "\n")
    report = expect_rejected(data, out, digest, "savings.csv", 1, "earned_savings_usd",
                             "column is missing")
    rows = report.ledger[report.ledger.file.str.endswith("savings.csv")]
    assert set(rows.status) == {"rejected"} and len(rows) == 2


def test_duplicate_column(published):
    data, out, digest = published
    edit(data / "fees.csv", "fee_id,alliance_id,", "fee_id,fee_id,alliance_id,")
    edit(data / "fees.csv", "f-1,all-1,", "f-1,f-1,all-1,")
    expect_rejected(data, out, digest, "fees.csv", 1, "fee_id", "more than once")


def test_unknown_column(published):
    data, out, digest = published
    edit(data / "fees.csv", "description,", "notes,")
    expect_rejected(data, out, digest, "fees.csv", 1, "notes", "unknown column")


def test_duplicate_id(published):
    data, out, digest = published
    path = data / "motivations.csv"
    path.write_text(path.read_text() + path.read_text().splitlines()[1] + "\n")
    expect_rejected(data, out, digest, "motivations.csv", 4, "motivation_id",
                    "duplicate motivation_id 'mot-1' (first on line 2)")


def test_duplicate_unique_key(published):
    data, out, digest = published
    path = data / "board_composition.csv"
    path.write_text(path.read_text() + "r-3,b-1,partner-1,,no,src-a,Table 9,reported\n")
    expect_rejected(data, out, digest, "board_composition.csv", 4, "board_id",
                    "duplicate combination of board_id, org_id")


def test_dangling_reference(published):
    data, out, digest = published
    edit(data / "alliance_members.csv", "m-1,all-1,aco-1", "m-1,all-1,nobody")
    expect_rejected(data, out, digest, "alliance_members.csv", 2, "org_id",
                    "'nobody' is not a org_id in organizations.csv")


@pytest.mark.parametrize("value", variants(["2023-02-30", "2023-13-45", "2023-00", "20230115"]))
def test_impossible_date(published, value):
    data, out, digest = published
    edit(data / "events.csv", "2014-03-15", value)
    expect_rejected(data, out, digest, "events.csv", 2, "date", repr(value))


def test_end_before_start(published):
    data, out, digest = published
    edit(data / "alliance_members.csv", "2014-03-15,2016", "2014-03-15,2013-12")
    expect_rejected(data, out, digest, "alliance_members.csv", 3, "start", "is after end")


@pytest.mark.parametrize("value,words", variants([
    ("$1,000", "not a decimal"), (" 12", "leading or trailing spaces"), ("1e21", "not a decimal"),
    ("twelve", "not a decimal"), ("1 000", "not a decimal"),
], fast=2))
def test_non_numeric_money(published, value, words):
    data, out, digest = published
    edit(data / "savings.csv", "-250000.50", f'"{value}"')
    expect_rejected(data, out, digest, "savings.csv", 2, "earned_savings_usd", words)


def test_blank_money_is_unknown_not_zero(tiny_out):
    graph = (tiny_out / "graph.nt").read_text()
    res2 = [l for l in graph.splitlines() if l.startswith("<https://w3id.org/aco-kg/id/result/res-2>")]
    assert any("generatedSavings" in l for l in res2)
    assert not any("earnedSavings" in l for l in res2), "a blank cell must give no triple"
    assert '"nan"' not in graph and "NaN" not in graph


@pytest.mark.parametrize("value", variants(["130", "-1", "100.5"]))
def test_percentage_out_of_range(published, value):
    data, out, digest = published
    edit(data / "savings_shares.csv", ",30,yes,", f",{value},yes,")
    expect_rejected(data, out, digest, "savings_shares.csv", 2, "share_max_pct", value)


def test_bounds_in_wrong_order(published):
    data, out, digest = published
    edit(data / "savings_shares.csv", ",,,,30,yes,", ",,40,no,30,yes,")
    expect_rejected(data, out, digest, "savings_shares.csv", 2, "share_min_pct", "is after")


def test_utf8_bom_is_accepted(tiny, tmp_path):
    path = tiny / "organizations.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    report = build(tiny, tmp_path / "out")
    assert report.ok and report.rows_rejected == 0
    assert "Ünïcode Care ACO" in (tmp_path / "out" / "graph.nt").read_text(encoding="utf-8")


def test_crlf_line_ends_are_accepted(tiny, tmp_path):
    for path in tiny.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    report = build(tiny, tmp_path / "out")
    assert report.ok
    graph = (tmp_path / "out" / "graph.nt").read_text(encoding="utf-8")
    # the line break inside the quoted description survives as one line break
    assert "with a comma, and a\\r\\nline break." in graph
    assert "\r" not in graph


def test_empty_file(published):
    data, out, digest = published
    (data / "conflict_practices.csv").write_text("")
    # an empty file has no record to reject, but the build fails all the same
    expect_rejected(data, out, digest, "conflict_practices.csv", None, None, "file is empty",
                    min_rejected=0)


def test_header_only_file_is_valid(tiny):
    path = tiny / "conflict_practices.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    report = validate(tiny)
    assert report.ok and report.shacl_conforms is True


@pytest.mark.parametrize("row,cells", [
    ("cp-2,all-1,aco-1,open-surfacing,,src-a,Section 4", 7),
    ("cp-2,all-1,aco-1,open-surfacing,,src-a,Section 4,reported,extra", 9),
])
def test_ragged_row(published, row, cells):
    data, out, digest = published
    path = data / "conflict_practices.csv"
    path.write_text(path.read_text() + row + "\n")
    report = expect_rejected(data, out, digest, "conflict_practices.csv", 3, None,
                             f"expected 8 cells, found {cells}")
    assert (report.ledger.status == "rejected").sum() == 1


@pytest.mark.parametrize("bad_id", variants(["p 1", "", "p#1", "p%201", "p/1", 'p"1', "p'1", "-p1"],
                                             fast=2))
def test_bad_identifier(published, bad_id):
    data, out, digest = published
    cell = '"' + bad_id.replace('"', '""') + '"'
    edit(data / "conflict_practices.csv", "cp-1,", cell + ",")
    reason = "is required but blank" if bad_id == "" else "is not a valid identifier"
    expect_rejected(data, out, digest, "conflict_practices.csv", 2, "practice_id", reason)


def test_unknown_code(published):
    data, out, digest = published
    edit(data / "organizations.csv", ",hospital-or-health-system,", ",hospitl,")
    expect_rejected(data, out, digest, "organizations.csv", 6, "kind",
                    "'hospitl' is not in code list org-kind")


def test_not_utf8(published):
    data, out, digest = published
    path = data / "studies.csv"
    path.write_bytes(path.read_bytes().replace("Fixture".encode(), "Fixt\xe9re".encode("latin-1")))
    expect_rejected(data, out, digest, "studies.csv", 2, None, "not UTF-8")


def test_missing_file(published):
    data, out, digest = published
    (data / "studies.csv").unlink()
    with pytest.raises(InvalidDataError) as caught:
        build(data, out)
    assert any("studies.csv" in p.file and "file is missing" in p.reason
               for p in caught.value.report.problems)
    assert tree_digest(out) == digest


def test_bad_boolean(published):
    data, out, digest = published
    edit(data / "board_seats.csv", "seat-1,b-1,partner-1,yes", "seat-1,b-1,partner-1,Y")
    expect_rejected(data, out, digest, "board_seats.csv", 2, "voting", "not a boolean")


def test_every_problem_is_reported_at_once(tiny):
    edit(tiny / "fees.csv", "120000.00", "lots")
    edit(tiny / "events.csv", "2014-03-15", "2014-02-30")
    report = validate(tiny)
    files = {Path(p.file).name for p in report.problems}
    assert {"fees.csv", "events.csv"} <= files


LEGAL_TEXT = ['He said "no" <script>alert(1)</script> & left', "Ærø Sundhed — Økonomi ✓",
              "NA", "None", "null", "nan"]


@pytest.fixture(scope="module")
def legal_text_graph(tmp_path_factory):
    """The tiny fixture plus one study per text of LEGAL_TEXT (study-text-N), built once."""
    import csv
    import shutil
    from rdflib import Graph
    base = tmp_path_factory.mktemp("legal-text")
    data = base / "tiny"
    shutil.copytree(TINY, data)
    with open(data / "studies.csv", encoding="utf-8", newline="") as handle:
        template = list(csv.DictReader(handle))[0]
    with open(data / "studies.csv", "a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(template), lineterminator="\n")
        for index, text in enumerate(LEGAL_TEXT):
            writer.writerow({**template, "study_id": f"study-text-{index}", "name": text})
    build(data, base / "out")
    return Graph().parse(base / "out" / "graph.nt", format="nt")


@pytest.mark.parametrize("index,text", list(enumerate(LEGAL_TEXT)))
def test_legal_text_loads_exactly(legal_text_graph, index, text):
    from rdflib import Literal, URIRef
    label = legal_text_graph.value(URIRef(f"https://w3id.org/aco-kg/id/study/study-text-{index}"),
                                   URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))
    assert label == Literal(text)


def test_negative_savings_load(tiny_out):
    from rdflib import Graph, URIRef
    g = Graph().parse(tiny_out / "graph.ttl", format="turtle")
    earned = g.value(URIRef("https://w3id.org/aco-kg/id/result/res-1"),
                     URIRef("https://w3id.org/aco-kg/ontology#earnedSavings"))
    assert earned is not None and float(earned) == -250000.50


def test_leading_zero_id_stays_text(tiny_out):
    graph = (tiny_out / "graph.nt").read_text(encoding="utf-8")
    assert "<https://w3id.org/aco-kg/id/organization/00123>" in graph
    assert "/organization/123>" not in graph


@pytest.mark.parametrize("body,lines", [
    ('a,T,,2020,C,report,\nb,T,,2020,C,report,\nc,T,,2020,C,report,\n', [2, 3, 4]),
    ('a,T,,2020,C,report,\nb,T,,2020,C,report,\nc,T,,2020,C,report,', [2, 3, 4]),  # no final newline
    ('a,T,,2020,C,report,\nb,"two\nlines",,2020,C,report,\n\nc,T,,2020,C,report,\n', [2, 3, 6]),
    ('a,T,,2020,C,report,\r\n\r\nb,T,,2020,C,report,\r\n', [2, 4]),
])
def test_records_keep_their_physical_line_numbers(tmp_path, body, lines):
    """A record's line is where it starts, past multi-line cells and blank lines."""
    from kg.ingest.tables import read_table
    sources = next(r for r in load_dictionary().resources if r.name == "sources")
    path = tmp_path / "sources.csv"
    path.write_bytes((",".join(sources.columns) + "\n" + body).encode("utf-8"))
    table = read_table(path, sources)
    assert not table.file_problems
    assert table.lines == lines
    assert table.frame["source_id"].tolist() == ["a", "b", "c"][:len(lines)]


# --- inputs that are not regular files, over a limit, or damaged ------------------------------

@contextlib.contextmanager
def hang_guard(seconds: int = 120):
    """Fail instead of blocking for ever (a FIFO opened for reading waits for a writer):
    a guard against a hang, not a measure of speed."""
    def stop(*_):
        raise AssertionError(f"still blocked after {seconds} s")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_inputs_that_are_not_regular_files_are_refused(published, tmp_path, capsys):
    """A FIFO, a link to /dev/zero and a directory named like CSV files: exit 1, each file
    named with what it is, the ledger written, nothing published (and nothing blocks)."""
    from kg.cli import main
    data, out, digest = published
    for name in ("fees.csv", "tensions.csv", "events.csv"):
        (data / name).unlink()
    os.mkfifo(data / "fees.csv")
    (data / "tensions.csv").symlink_to("/dev/zero")
    (data / "events.csv").mkdir()
    ledger = tmp_path / "ledger.csv"
    with hang_guard():
        code = main(["build", "--data", str(data), "--out", str(out), "--ledger", str(ledger),
                     "--quiet", "--products", ""])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{data / 'fees.csv'}: not a regular file but a FIFO (named pipe)" in err
    assert f"{data / 'tensions.csv'}: not a regular file: a link to /dev/zero, a character device" in err
    assert f"{data / 'events.csv'}: not a regular file but a directory" in err
    assert "internal error" not in err and "3 files refused" in err
    rows = pd.read_csv(ledger, dtype=str, keep_default_na=False)
    readable = [p for p in data.glob("*.csv") if p.is_file() and not p.is_symlink()]
    assert len(rows) == sum(count_records(p) for p in readable) > 0
    assert tree_digest(out) == digest


def test_input_over_the_size_limit_is_refused_unread(tiny):
    """A file larger than MAX_INPUT_BYTES is refused from its size alone (a sparse file:
    reading it would take half a gigabyte)."""
    from kg.core.input_file import MAX_INPUT_BYTES
    path = tiny / "studies.csv"
    with open(path, "r+b") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)
    report = validate(tiny)
    problem = next(p for p in report.problems if p.file == str(path))
    assert problem.line is None
    assert f"the file has {MAX_INPUT_BYTES + 1:,} bytes, over the limit of {MAX_INPUT_BYTES:,}" in problem.reason


def test_a_long_cell_rejects_its_row_not_the_file(tiny):
    """Python's CSV reader stops a whole file at a cell over 131,072 characters; aco-kg's
    own limit (MAX_CELL_CHARS) rejects only that row, and a cell at the limit loads."""
    from kg.ingest.csv_records import MAX_CELL_CHARS
    path = tiny / "studies.csv"
    header, row = path.read_text().splitlines()[:2]
    at_limit = row.replace("study-1,Fixture study", "study-2," + "a" * MAX_CELL_CHARS)
    huge = row.replace("study-1,Fixture study", "study-3," + "b" * 200_000)
    path.write_text("\n".join([header, row, at_limit, huge]) + "\n")
    report = validate(tiny)
    assert [(p.line, p.column) for p in report.problems] == [(4, "name")]
    assert f"has 200,000 characters, over the limit of {MAX_CELL_CHARS:,}" in report.problems[0].reason
    rows = report.ledger[report.ledger.file == str(path)]
    assert rows.status.tolist() == ["loaded", "loaded", "rejected"]


@pytest.mark.parametrize("character", variants(["\x00", "\x1b", "\x85", "\x7f"]))
def test_control_characters_in_text_cells_are_refused(published, character):
    data, out, digest = published
    edit(data / "studies.csv", "Fixture study", f"Fixture{character}study")
    report = expect_rejected(data, out, digest, "studies.csv", 2, "name",
                             f"holds the control character {character!r} at position 8")
    assert report.rows_rejected == 1


def test_tabs_and_line_breaks_stay_legal_in_text_cells(tiny):
    from kg.ingest.tables import read_table
    edit(tiny / "studies.csv", "Fixture study", '"Fixture\tstudy\r\nof two lines"')
    table = read_table(tiny / "studies.csv", load_dictionary().resource("studies"))
    assert table.problems == [] and table.frame["name"][0] == "Fixture\tstudy\r\nof two lines"


def test_a_malformed_file_accounts_for_every_record(published):
    """A quote that is never closed: the records before it and the unreadable rest are each
    a rejected ledger entry, and the problem names the line where the rest begins."""
    data, out, digest = published
    path = data / "conflict_practices.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines + ['cp-2,all-1,aco-1,"open-surfacing,,src-a,Section 4,reported',
                                       "cp-3,all-1,aco-1,open-surfacing,,src-a,Section 4,reported"]) + "\n")
    with pytest.raises(InvalidDataError) as caught:
        build(data, out)
    report = caught.value.report
    problem = next(p for p in report.problems if p.file == str(path)
                   and p.reason.startswith("malformed CSV"))
    assert problem.line == len(lines) + 1 and "never closed" in problem.reason
    rows = report.ledger[report.ledger.file == str(path)]
    assert rows.line.tolist() == list(range(2, len(lines) + 2))
    assert set(rows.status) == {"rejected"}
    assert "could not be read from here on" in rows.reason.iloc[-1]
    assert report.rows_loaded + report.rows_rejected == report.rows_read
    assert tree_digest(out) == digest


def test_the_ledger_is_written_for_a_spreadsheet(tiny, tmp_path, capsys):
    """A reason that starts like a formula ('-1 is below the minimum 0') is written with the
    ' prefix of kg.core.delimited; line numbers stay numbers."""
    import csv
    from kg.cli import main
    edit(tiny / "savings_shares.csv", ",30,yes,", ",-1,yes,")
    ledger = tmp_path / "ledger.csv"
    assert main(["validate", "--data", str(tiny), "--ledger", str(ledger), "--quiet"]) == 1
    capsys.readouterr()
    with open(ledger, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rejected = [r for r in rows if r["status"] == "rejected"]
    assert [r["reason"] for r in rejected] == ["'-1 is below the minimum 0"]
    assert pd.read_csv(ledger)["line"].dtype.kind == "i"
