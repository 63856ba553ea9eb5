"""The curated data: valid, sourced, and robust to the acceptance mutations."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from conftest import DATA, copy_release, run_cli, tree_digest
from kg import InvalidDataError, build, validate
from kg.core.dictionary import load_dictionary

DICTIONARY = load_dictionary()
FILES_WITH_ROWS = [r.path for r in DICTIONARY.resources
                   if len((DATA / r.path).read_text(encoding="utf-8").strip().splitlines()) > 1]


def test_curated_data_is_valid_and_conforms():
    report = validate(DATA)
    assert report.ok, "\n".join(map(str, report.problems))
    assert report.shacl_conforms is True
    assert report.rows_rejected == 0 and report.rows_read > 150


def test_every_dictionary_file_exists_and_nothing_else():
    # the CMS files live in data/cms/, the operator registry in data/operators/ (read by
    # operator discovery, not a resource of the graph)
    assert {p.name for p in DATA.glob("*.csv")} == {r.path for r in DICTIONARY.resources}


def read(name: str) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_fact_cites_a_known_source():
    sources = {row["source_id"] for row in read("sources.csv")}
    for r in DICTIONARY.resources:
        if r.provenance:
            for row in read(r.path):
                assert row["source_id"] in sources and row["locator"].strip(), (r.path, row)


def test_milbank_table_1_savings_are_encoded():
    savings = read("savings.csv")
    contracts = {c["contract_id"]: c["aco_id"] for c in read("payer_contracts.csv")}
    by_aco: dict[str, list[float]] = {}
    for row in savings:
        by_aco.setdefault(contracts[row["contract_id"]], []).append(float(row["earned_savings_usd"]))
    totals = sorted(round(sum(v) / 1e6, 2) for v in by_aco.values())
    assert totals == [8.5, 17.0]  # Collaborative 2 + 3 + 3.5; Access 1.5 + 5 + 5 + 5.5
    assert all(row["approximate"] == "yes" and row["performance_year"] == "" for row in savings)


def test_access_partner_holds_a_veto_and_two_voting_seats():
    seats = read("board_seats.csv")
    assert len(seats) == 2 and {s["voting"] for s in seats} == {"yes"}
    powers = read("reserved_powers.csv")
    assert any(p["power_kind"] == "veto" and p["holder_org"] == seats[0]["holder_org"] for p in powers)


def test_unknown_stays_blank_not_zero(curated_out):
    """Every number of the curated data, blank or not, as the published graph holds it: a
    blank cell gives no triple (never 0, never "nan"); a filled one gives its exact value."""
    from decimal import Decimal
    from rdflib import Graph, URIRef
    from kg.core.iris import expand
    graph = Graph().parse(curated_out / "graph.nt", format="nt")
    with open(curated_out / "ledger.csv", newline="", encoding="utf-8") as handle:
        ledger = list(csv.DictReader(handle))
    blanks = filled = 0
    for r in DICTIONARY.resources:
        numbers = [f for f in r.fields if f.type in ("integer", "number") and len(f.rdf_path) == 1]
        iris = [e["iri"] for e in ledger if Path(e["file"]).name == r.path]
        rows = read(r.path)
        assert len(iris) == len(rows), r.path
        for iri, row in zip(iris, rows):
            for f in numbers:
                values = list(graph.objects(URIRef(iri), URIRef(expand(f.rdf_path[0]))))
                if row[f.name] == "":
                    blanks += 1
                    assert values == [], (r.path, row, f.name, values)
                else:
                    filled += 1
                    assert [Decimal(str(v)) for v in values] == [Decimal(row[f.name])], \
                        (r.path, f.name, row[f.name], values)
    # the curated data hold both: Milbank gives savings but no shares as figures
    assert blanks > 20 and filled > 20
    shares = read("savings_shares.csv")
    collaborative = [s for s in shares if s["share_level"] == "significant"]
    assert collaborative and all(s["share_exact_pct"] == s["share_min_pct"] == "" for s in collaborative)


def without_column(text: str, column: str) -> str:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    index = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r[:index] + r[index + 1:] for r in rows])
    return out.getvalue()


@pytest.mark.slow  # one failing build of the curated data per file
@pytest.mark.parametrize("resource", DICTIONARY.resources, ids=lambda r: r.name)
def test_deleting_any_column_is_rejected(curated, tmp_path, resource, curated_release):
    """Every column, one at a time: the file's header check names it on line 1; and for
    one column per file, the whole build fails and leaves the previous output untouched."""
    from kg.ingest.tables import read_table
    path = curated / resource.path
    original = path.read_text(encoding="utf-8")
    for column in resource.columns:
        path.write_text(without_column(original, column), encoding="utf-8")
        table = read_table(path, resource)
        assert [(p.line, p.column) for p in table.file_problems] == [(1, column)], column
    out = copy_release(curated_release, tmp_path)
    before = tree_digest(out)
    path.write_text(without_column(original, resource.columns[-1]), encoding="utf-8")
    with pytest.raises(InvalidDataError) as caught:
        build(curated, out)
    report = caught.value.report
    assert any(Path(p.file).name == resource.path and p.line == 1 for p in report.problems)
    assert report.rows_loaded + report.rows_rejected == report.rows_read
    assert tree_digest(out) == before


@pytest.mark.slow  # one failing build of the curated data per file
@pytest.mark.parametrize("name", FILES_WITH_ROWS)
def test_duplicating_any_row_is_rejected(curated, tmp_path, name, curated_release):
    out = copy_release(curated_release, tmp_path)
    before = tree_digest(out)
    path = curated / name
    text = path.read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(records[-1])
    path.write_text(text + buffer.getvalue(), encoding="utf-8")
    with pytest.raises(InvalidDataError) as caught:
        build(curated, out)
    assert any(Path(p.file).name == name and "duplicate" in p.reason
               for p in caught.value.report.problems)
    assert tree_digest(out) == before


@pytest.mark.slow
def test_cli_names_file_and_line_and_exits_1(curated, tmp_path, curated_release):
    out = copy_release(curated_release, tmp_path)
    before = tree_digest(out)
    path = curated / "tensions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + [lines[3]]) + "\n", encoding="utf-8")
    result = run_cli("build", "--data", str(curated), "--out", str(out))
    assert result.returncode == 1
    assert f"tensions.csv:{len(lines) + 1}: column tension_id: duplicate tension_id" in result.stderr
    assert "left as it was" in result.stderr
    assert tree_digest(out) == before
