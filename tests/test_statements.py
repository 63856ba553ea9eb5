"""Evidence per statement (statement_evidence.csv): one value marked inferred in a reported row.

- a statement must name a cell that exists and holds a value: an unknown file, row or
  column, a key or provenance column, a blank cell, a statement marked reported and an
  inferred value without a basis are each rejected with file, line and column, and
  nothing is published;
- the graph reifies exactly the cell's triple (for a date through an interval too), and
  the cell's row keeps its own evidence;
- the mark shows in the answers of the queries (the goldens on the tiny fixture, whose
  statements are justified in golden/queries/why.yaml) and in the inferred-facts query.
"""

from __future__ import annotations

import csv

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from conftest import TINY
from query_support import cell_holds
from kg import InvalidDataError, build, query, validate
from kg.core.dictionary import load_dictionary
from kg.core.iris import CODE, ONTOLOGY, expand, mint
from kg.graph.mapping import TIME_POSITIONS

HEADER = "statement_id,file,row_id,column,basis,source_id,locator,evidence\n"
GOOD = "se-x,organizations.csv,aco-1,profit_status,Read from its mission.,src-a,Table 9,inferred\n"


def with_statement(folder, line: str):
    (folder / "statement_evidence.csv").write_text(HEADER + line, encoding="utf-8")


@pytest.mark.parametrize("line, column, reason", [
    ("se-x,alliance.csv,all-1,outcome,B.,src-a,p,inferred\n", "file",
     "alliance.csv is not a file of the data dictionary"),
    pytest.param("se-x,sources.csv,src-a,title,B.,src-a,p,inferred\n", "file",
     "sources.csv holds no facts with provenance", marks=pytest.mark.slow),
    pytest.param("se-x,statement_evidence.csv,se-outcome-as-of,basis,B.,src-a,p,inferred\n", "file",
     "statement_evidence.csv holds no facts with provenance", marks=pytest.mark.slow),
    ("se-x,alliances.csv,all-9,outcome,B.,src-a,p,inferred\n", "row_id",
     "'all-9' is not a alliance_id in alliances.csv"),
    ("se-x,alliances.csv,all-1,result,B.,src-a,p,inferred\n", "column",
     "result is not a column of alliances.csv"),
    pytest.param("se-x,alliances.csv,all-1,alliance_id,B.,src-a,p,inferred\n", "column",
     "alliance_id is the key of alliances.csv", marks=pytest.mark.slow),
    pytest.param("se-x,alliances.csv,all-1,locator,B.,src-a,p,inferred\n", "column",
     "locator is a provenance column of alliances.csv", marks=pytest.mark.slow),
    pytest.param("se-x,alliances.csv,all-1,description,B.,src-a,p,inferred\n", "column",
     "description of 'all-1' (", marks=pytest.mark.slow),
    ("se-x,alliances.csv,all-1,outcome,B.,src-a,p,reported\n", "evidence",
     "a statement marks a value inferred"),
    ("se-x,alliances.csv,all-1,outcome,,src-a,p,inferred\n", "basis", "is required but blank"),
])
def test_a_statement_about_no_value_is_rejected_and_nothing_published(tiny, tmp_path, line, column,
                                                                        reason):
    with_statement(tiny, line)
    report = validate(tiny)
    assert [(p.file, p.line, p.column) for p in report.problems] == [
        (str(tiny / "statement_evidence.csv"), 2, column)]
    assert reason in report.problems[0].reason
    with pytest.raises(InvalidDataError):
        build(tiny, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_blank_cell_is_named_with_its_own_file_and_line(tiny):
    with_statement(tiny, "se-x,alliances.csv,all-1,description,B.,src-a,p,inferred\n")
    (problem,) = validate(tiny).problems
    assert problem.reason.startswith(f"description of 'all-1' ({tiny / 'alliances.csv'}:2) is blank")


def test_a_statement_about_a_row_of_another_folder_is_found(tiny, tmp_path):
    """Folders read together are one table: the row may be in another folder."""
    extra = tmp_path / "extra"
    extra.mkdir()
    for path in tiny.glob("*.csv"):  # every file, with its header only
        header = path.read_text(encoding="utf-8").splitlines()[0]
        (extra / path.name).write_text(header + "\n", encoding="utf-8")
    with_statement(extra, GOOD)
    assert validate([tiny, extra]).ok


def statement_triples(graph: Graph, statement: str) -> dict:
    node = URIRef(mint("statement", statement))
    return {p: graph.value(node, URIRef(str(RDF) + p)) for p in ("subject", "predicate", "object")}


def test_the_graph_reifies_the_cell_and_the_row_keeps_its_evidence(tiny_out):
    graph = Graph().parse(tiny_out / "graph.nt", format="nt")
    alliance = URIRef(mint("alliance", "all-1"))
    assert statement_triples(graph, "se-outcome-as-of") == {
        "subject": alliance, "predicate": URIRef(ONTOLOGY + "outcomeAsOf"),
        "object": Literal("2017", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))}
    assert graph.value(alliance, URIRef(ONTOLOGY + "evidenceKind")) == URIRef(CODE + "evidence/reported")
    # a date through an interval: the statement is about the instant's position
    start = statement_triples(graph, "se-member-start")
    assert start["subject"] == URIRef(mint("membership", "m-1") + "/memberDuring/hasBeginning")
    assert (start["subject"], start["predicate"], start["object"]) in graph


def test_every_statement_of_the_tiny_fixture_is_listed_as_an_inferred_fact(tiny_out):
    with open(TINY / "statement_evidence.csv", newline="", encoding="utf-8") as handle:
        statements = list(csv.DictReader(handle))
    answer = query("cq-17-inferred-facts", store=tiny_out / "store")
    listed = answer[answer["statement"].notna()]
    assert sorted(listed["statement"]) == sorted(mint("statement", s["statement_id"])
                                                 for s in statements)
    dictionary = load_dictionary()
    for s in statements:
        (row,) = listed[listed["statement"] == mint("statement", s["statement_id"])].itertuples()
        target = dictionary.resource_at(s["file"])
        assert row.fact == mint(target.iri_kind, s["row_id"])
        assert row.basis == s["basis"] and row.locator == s["locator"]
        with open(TINY / s["file"], newline="", encoding="utf-8") as handle:
            (cell,) = [r[s["column"]] for r in csv.DictReader(handle)
                       if r[target.primary_key] == s["row_id"]]
        assert cell_holds(row.value, cell)  # the text, number or code, or the id of an IRI
        last = target.field(s["column"]).rdf_path[-1]
        assert row.property in (TIME_POSITIONS if last == "@time" else [expand(last)])


def test_every_query_with_an_evidence_column_consults_the_statements():
    """The fact's own evidence is not enough where a value of it is inferred: each query that
    returns evidence reads statement evidence (cq-16 counts a fact's inferred values beside
    its own evidence, cq-17 lists them); the tiny goldens show the mark per query."""
    from kg.core.resources import query_dir
    from kg.sparql.catalogue import parse_header
    missing = []
    for path in sorted(query_dir().glob("**/*.rq")):
        text = path.read_text(encoding="utf-8")
        if "evidence" not in parse_header(text).returns or path.stem == "evidence-kind-violation":
            continue
        if "?statementEvidence rdf:subject" not in text and path.stem not in (
                "cq-16-sources-of-facts", "cq-17-inferred-facts"):
            missing.append(path.stem)
    assert not missing, missing
