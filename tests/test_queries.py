"""The query library: headers, golden results, cross-engine agreement, data-quality checks,
parameters, the CLI and its formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pyoxigraph as ox
import pytest

from conftest import ROOT, run_cli
from query_support import (EXPECTED, expected_csv, golden_queries, normalise_csv, normalise_frame,
                           rdflib_graph, rdflib_select)
from kg.cli import main
from kg.core.errors import UsageError
from kg.sparql.catalogue import list_queries, load_query, parse_header, QueryHeaderError
from kg.sparql.check import check_query, projected_variables
from kg.sparql.select import select

ALL_QUERIES = sorted((ROOT / "queries").rglob("*.rq"))
GOLDEN_QUERIES = golden_queries()
BROKEN = ROOT / "tests" / "fixtures" / "broken"


class _ByLabel(dict):
    """A value per dataset ("data": the curated data, "tiny": the tiny fixture), made when a
    test first asks for it, so that a run of tiny-only tests never builds the curated data."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, label):
        self[label] = self.make(label)
        return self[label]


_BUILDS = {"data": "curated", "tiny": "tiny"}


@pytest.fixture(scope="session")
def published(request):
    """The published `out` of each dataset (the shared session builds, read-only)."""
    return _ByLabel(lambda label: request.getfixturevalue(f"{_BUILDS[label]}_out"))


@pytest.fixture(scope="session")
def stores(request):
    return _ByLabel(lambda label: request.getfixturevalue(f"{_BUILDS[label]}_store"))


@pytest.fixture(scope="session")
def rdflib_graphs(published):
    return _ByLabel(lambda label: rdflib_graph(published[label]))


# --- the catalogue ------------------------------------------------------------------------

def test_at_least_25_competency_questions_with_headers():
    catalogue = list_queries()
    questions = [q for q in catalogue if q.name.startswith("cq-")]
    assert len(questions) >= 25
    assert len({q.question for q in questions}) == len(questions), "two queries ask the same"
    assert all(q.name[3:5].isdigit() for q in questions)


@pytest.mark.parametrize("path", ALL_QUERIES, ids=lambda p: p.relative_to(ROOT / "queries").as_posix())
def test_every_query_parses_and_its_header_matches_its_projection(path):
    text = path.read_text(encoding="utf-8")
    check_query(text)  # parses as SPARQL 1.1 SELECT, no SERVICE/FROM
    header = parse_header(text, str(path))
    assert tuple(projected_variables(text)) == header.returns, "'# returns:' differs from SELECT"
    for parameter in header.parameters:
        # a parameter must be a projected variable: the VALUES block a remote endpoint
        # gets is joined after grouping, where only projected variables are in scope
        assert parameter.name in header.returns, parameter.name


def test_every_golden_query_has_expected_files_and_every_expected_file_a_query():
    stems = {p.stem for p in GOLDEN_QUERIES}
    for label, folder in EXPECTED.items():
        files = {p.stem for p in folder.glob("*.csv")}
        assert files == stems, f"{label}: missing {stems - files}, orphaned {files - stems}"


def test_every_violation_query_has_a_broken_fixture_and_vice_versa():
    violations = {p.stem for p in (ROOT / "queries").glob("*-violation.rq")}
    assert len(violations) >= 5
    assert {p.stem for p in BROKEN.glob("*.ttl")} == violations
    assert {p.stem for p in BROKEN.glob("*.csv")} == violations


def test_header_parser_rejects_malformed_headers():
    with pytest.raises(QueryHeaderError, match="no '# question:'"):
        parse_header("# returns: a\nSELECT ?a {}")
    with pytest.raises(QueryHeaderError, match="unknown type"):
        parse_header("# question: q\n# param: a (colour) optional - x\n# returns: a\nSELECT ?a {}")
    with pytest.raises(QueryHeaderError, match="malformed parameter"):
        parse_header("# question: q\n# param: a optional\n# returns: a\nSELECT ?a {}")


# --- golden results and cross-engine agreement ---------------------------------------------

# the goldens on the tiny fixture are in the fast tier; those on the curated data, and the
# agreement of a second engine (rdflib's; Virtuoso in tests/test_virtuoso.py), in make test
DATASETS = ["tiny", pytest.param("data", marks=pytest.mark.slow)]


@pytest.mark.parametrize("label", DATASETS)
@pytest.mark.parametrize("path", GOLDEN_QUERIES, ids=lambda p: p.stem)
def test_golden_result(path, label, stores):
    oxigraph = select(path, stores[label])
    golden = expected_csv(label, path.stem).read_text(encoding="utf-8")
    assert normalise_frame(oxigraph) == normalise_csv(golden)


@pytest.mark.slow
@pytest.mark.parametrize("label", ["tiny", "data"])
@pytest.mark.parametrize("path", GOLDEN_QUERIES, ids=lambda p: p.stem)
def test_rdflib_agrees(path, label, stores, rdflib_graphs):
    text = path.read_text(encoding="utf-8")
    assert normalise_frame(rdflib_select(text, rdflib_graphs[label])) == \
        normalise_frame(select(path, stores[label]))


PARAMETER_CASES = [
    ("cq-05-partner-vetoes", {"aco": "id:organization/access-aco"}, 2),
    ("cq-05-partner-vetoes", {"aco": "id:organization/collaborative-aco"}, 0),
    ("cq-02-partner-services-promised-delivered",
     {"aco": "id:organization/collaborative-aco",
      "partner": "id:organization/collaborative-aco-management-partner"}, 9),
    ("cq-13-acos-by-payer-contract", {"program": "medicaid-aco"}, 2),
    ("cq-13-acos-by-payer-contract", {"program": "medicare-mssp"}, 0),
    ("cq-15-alliance-timeline", {"alliance": "id:alliance/collaborative-aco-alliance"}, 12),
    ("cq-26-management-partners", {"partnerName": "Aledade"}, 1),
]


@pytest.mark.parametrize("name,params,rows", PARAMETER_CASES)
def test_parameters_restrict_results(name, params, rows, stores):
    from kg.sparql.catalogue import bind_parameters
    canned = load_query(name)
    bindings = bind_parameters(canned, params)
    oxigraph = select(canned.text, stores["data"], bindings)
    assert len(oxigraph) == rows
    # the restricted rows are exactly the unrestricted rows that hold the bound values
    unrestricted = select(canned.text, stores["data"])
    keep = pd.Series(True, index=unrestricted.index)
    for name, value in params.items():
        term = bindings[name]
        keep &= unrestricted[name].astype(str) == str(getattr(term, "value", value))
    assert keep.sum() == rows
    assert normalise_frame(unrestricted[keep]) == normalise_frame(oxigraph)


@pytest.mark.slow
@pytest.mark.parametrize("name,params,rows", PARAMETER_CASES)
def test_parameters_restrict_results_on_rdflib_too(name, params, rows, stores, rdflib_graphs):
    from kg.sparql.catalogue import bind_parameters
    canned = load_query(name)
    bindings = bind_parameters(canned, params)
    assert normalise_frame(rdflib_select(canned.text, rdflib_graphs["data"], bindings)) == \
        normalise_frame(select(canned.text, stores["data"], bindings))


# --- data-quality checks ---------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted((ROOT / "queries").glob("*-violation.rq")), ids=lambda p: p.stem)
def test_violation_query_finds_exactly_what_its_broken_fixture_breaks(path, stores, published):
    """tests/fixtures/broken/NAME.ttl says in its comment what it breaks; NAME.csv holds the
    rows the query must return for it, written from that comment and the query."""
    assert len(select(path, stores["tiny"])) == 0
    store = ox.Store()
    store.load(path=str(BROKEN / f"{path.stem}.ttl"), format=ox.RdfFormat.TURTLE)
    store.load(path=str(published["tiny"] / "ontology.ttl"), format=ox.RdfFormat.TURTLE)
    expected = normalise_csv((BROKEN / f"{path.stem}.csv").read_text(encoding="utf-8"))
    assert len(expected) > 1, "an expected answer with no row tests nothing"
    assert normalise_frame(select(path, store)) == expected
    text = path.read_text(encoding="utf-8")
    assert normalise_frame(rdflib_select(text, _broken_graph(path.stem, published["tiny"]))) == expected


def test_violation_queries_find_nothing_in_the_curated_data(stores):
    found = {path.stem: len(select(path, stores["data"]))
             for path in sorted((ROOT / "queries").glob("*-violation.rq"))}
    assert len(found) >= 5 and set(found.values()) == {0}, found


def _broken_graph(name: str, out):
    import rdflib
    graph = rdflib.Graph()
    graph.parse(BROKEN / f"{name}.ttl", format="turtle")
    graph.parse(out / "ontology.ttl", format="turtle")
    return graph


# --- typed results ---------------------------------------------------------------------------

def test_python_api_returns_typed_columns(published):
    import kg
    frame = kg.query("cq-21-savings-by-year", store=published["tiny"] / "store")
    assert str(frame["earnedSavings"].dtype) == "Float64"
    assert str(frame["contractYear"].dtype) == "Int64"
    assert str(frame["approximate"].dtype) == "boolean"
    assert frame["earnedSavings"].isna().sum() == 1  # unknown stays unknown, never 0
    assert frame["earnedSavings"].min() == -250000.5
    dates = kg.query(text="PREFIX time: <http://www.w3.org/2006/time#> SELECT ?d WHERE "
                          "{ ?i time:inXSDDate ?d }", store=published["tiny"] / "store")
    assert str(dates["d"].dtype).startswith("datetime64")


# --- parameters ------------------------------------------------------------------------------

HOSTILE = ['x" } ?s ?p ?o { "', "a}b{c", "# comment\n}", "line\nbreak", '" || true || "',
           "'; DROP", "<https://w3id.org/aco-kg/id/organization/access-aco>"]


# three in the fast tier (each value takes three queries, each in a worker process)
@pytest.mark.parametrize("value", HOSTILE[:3] + [pytest.param(v, marks=pytest.mark.slow)
                                                 for v in HOSTILE[3:]])
def test_hostile_parameter_values_match_nothing_and_change_nothing(value, published, rdflib_graphs):
    import kg
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from kg.sparql.endpoint import values_clause

    canned = load_query("cq-13-acos-by-payer-contract")
    before = str(translateQuery(parseQuery(canned.text)).algebra)
    frame = kg.query("cq-13-acos-by-payer-contract", {"program": value},
                     store=published["data"] / "store")
    assert len(frame) == 0
    assert str(translateQuery(parseQuery(canned.text)).algebra) == before
    # bound as a term, with rdflib's engine too
    assert len(rdflib_select(canned.text, rdflib_graphs["data"], {"program": value})) == 0
    # for an endpoint the value travels as one escaped literal of a VALUES block
    extended = parseQuery(canned.text + values_clause({"program": value}))
    rows = extended[1]["valuesClause"]["value"]
    assert len(rows) == 1 and len(rows[0]) == 1 and str(rows[0][0]["string"]) == value
    # an ad-hoc query binds the value as a literal, never as query text ("<...>" is the
    # documented way to give an ad-hoc query an IRI, so that value is left out here)
    if value.startswith("<"):
        return
    adhoc = kg.query(text="SELECT ?x ?v WHERE { ?s ?p ?x FILTER(?x = ?v) }", params={"v": value},
                     store=published["data"] / "store")
    assert len(adhoc) == 0


@pytest.mark.parametrize("params,message", [
    ({"acoo": "id:organization/access-aco"}, "has no parameter acoo"),
    ({"aco": "not an iri"}, "is not an IRI"),
    ({"aco": 'https://x/"}'}, "is not an IRI"),
])
def test_bad_parameters_are_usage_errors(params, message, published):
    import kg
    with pytest.raises(UsageError, match=message):
        kg.query("cq-05-partner-vetoes", params, store=published["data"] / "store")


def test_cli_bad_parameter_exits_2_with_a_message(published, capsys):
    store = str(published["data"] / "store")
    assert main(["query", "cq-05-partner-vetoes", "--param", "bogus=1", "--store", store]) == 2
    err = capsys.readouterr().err
    assert "has no parameter bogus" in err and "Traceback" not in err
    assert main(["query", "cq-05-partner-vetoes", "--param", "aco", "--store", store]) == 2
    assert "NAME=VALUE" in capsys.readouterr().err
    assert main(["query", "no-such-query", "--store", store]) == 2
    assert "no query named" in capsys.readouterr().err
    assert main(["query", "cq-01-acos-with-management-partner", "--store", "/nonexistent"]) == 2
    assert "no Oxigraph store" in capsys.readouterr().err


# --- the CLI and its formats ------------------------------------------------------------------

@pytest.mark.slow  # every query twice through the command line, each in a worker process
@pytest.mark.parametrize("label", ["tiny", "data"])
def test_every_canned_query_returns_its_golden_result_through_the_cli(label, published, capsys):
    store = str(published[label] / "store")
    for path in GOLDEN_QUERIES:
        golden = normalise_csv(expected_csv(label, path.stem).read_text(encoding="utf-8"))
        assert main(["query", path.stem, "--format", "csv", "--store", store]) == 0
        assert normalise_csv(capsys.readouterr().out) == golden, path.stem
        assert main(["query", path.stem, "--format", "json", "--store", store]) == 0
        records = json.loads(capsys.readouterr().out)
        header = golden[0]
        as_rows = [tuple(_json_cell(r[c]) for c in header) for r in records]
        assert normalise_csv(_rows_to_csv(header, as_rows)) == golden, path.stem


def _json_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _rows_to_csv(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def test_json_has_proper_types(published, capsys):
    assert main(["query", "cq-21-savings-by-year", "--format", "json",
                 "--store", str(published["tiny"] / "store")]) == 0
    records = sorted(json.loads(capsys.readouterr().out), key=lambda r: r["contractYear"])
    assert records[0]["earnedSavings"] == -250000.5 and records[0]["contractYear"] == 1
    assert records[0]["approximate"] is False and records[1]["earnedSavings"] is None


def test_csv_defends_against_formula_injection_but_keeps_negative_numbers(published, capsys):
    store = str(published["tiny"] / "store")
    assert main(["query", "--text", 'SELECT ?t ?n WHERE { VALUES (?t ?n) { ("=1+1" -5) ("@x" 2) '
                 '("-cmd" 3) ("plain" 4) } }', "--format", "csv", "--store", store]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[1:] == [["'=1+1", "-5"], ["'@x", "2"], ["'-cmd", "3"], ["plain", "4"]]


def test_table_and_tsv_formats(published, capsys):
    store = str(published["data"] / "store")
    assert main(["query", "cq-05-partner-vetoes", "--format", "table", "--store", store]) == 0
    out = capsys.readouterr().out
    assert "partnerName" in out and "(2 rows)" in out
    assert main(["query", "cq-05-partner-vetoes", "--format", "tsv", "--store", store]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[:2] == ["partner", "partnerName"] and len(lines) == 3


def test_queries_command_lists_every_question(capsys):
    assert main(["queries"]) == 0
    out = capsys.readouterr().out
    for canned in list_queries():
        assert canned.name in out and canned.question in out
    assert "aco (IRI, optional)" in out


@pytest.mark.slow
def test_cli_in_a_subprocess_csv_and_json(published):
    store = str(published["data"] / "store")
    result = run_cli("query", "cq-06-savings-shares", "--format", "csv", "--store", store)
    assert result.returncode == 0, result.stderr
    golden = expected_csv("data", "cq-06-savings-shares").read_text(encoding="utf-8")
    assert normalise_csv(result.stdout) == normalise_csv(golden)
    result = run_cli("query", str(ROOT / "queries" / "cq-08-dissolved-alliances.rq"), "--format",
                     "json", "--store", store)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["outcomeAsOf"] == "2017"


# --- declared order ('# order:') ---------------------------------------------------------------

def test_order_header_is_read_and_must_name_returned_columns():
    header = parse_header("# question: q?\n# returns: board seat\n# order: board, seat\nSELECT ?board ?seat {}")
    assert header.order == ("board", "seat")
    with pytest.raises(QueryHeaderError, match="order"):
        parse_header("# question: q?\n# returns: board\n# order: seat\nSELECT ?board {}")


def test_kg_query_sorts_a_query_by_its_declared_order(published):
    # the map and analysis queries have no ORDER BY (it is slow on Oxigraph) and declare
    # their order instead: run through kg.query, their rows come in that order
    import kg
    path = ROOT / "queries" / "tables" / "board_seats.rq"
    assert "ORDER BY" not in path.read_text().upper().split("WHERE")[-1]
    frame = kg.query(path, store=published["data"] / "store")
    assert len(frame) > 1
    rows = list(zip(frame["board"], frame["seat"]))  # '# order: board seat'
    assert rows == sorted(rows)
