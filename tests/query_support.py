"""Helpers for the query tests: run a query on rdflib's own engine, normalise result tables.

Kept apart from kg/ on purpose: the rdflib engine is a second opinion that the tests
compare Oxigraph against, not a way aco-kg answers queries.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from kg.products.formats import to_csv
from kg.sparql.select import from_term, typed_frame

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "queries"


def golden_queries():
    """The queries with golden results: queries/cq-*.rq and queries/*-violation.rq."""
    folder = ROOT / "queries"
    return sorted(list(folder.glob("cq-*.rq")) + list(folder.glob("*-violation.rq")))


def rdflib_graph(out: Path):
    """The default graph of a published store, as rdflib sees it: graph.nt + ontology.ttl."""
    import rdflib

    graph = rdflib.Graph()
    graph.parse(out / "graph.nt", format="nt")
    graph.parse(out / "ontology.ttl", format="turtle")
    return graph


def _oxigraph_term(term):
    """Turn an rdflib term into the Oxigraph term with the same lexical form and datatype."""
    import pyoxigraph as ox
    import rdflib

    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def rdflib_select(text: str, graph, bindings=None) -> pd.DataFrame:
    """Run a SELECT query with rdflib's engine; the same typed frame kg.sparql.select gives."""
    import rdflib

    init = {}
    for name, value in (bindings or {}).items():
        init[rdflib.Variable(name)] = (rdflib.URIRef(value.value) if hasattr(value, "value")
                                       and type(value).__name__ == "NamedNode"
                                       else rdflib.Literal(value))
    result = graph.query(text, initBindings=init)
    columns = [str(v) for v in result.vars]
    rows = [[from_term(_oxigraph_term(row[i])) for i in range(len(columns))] for row in result]
    return typed_frame(columns, rows)


def _number(text: str) -> str | None:
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    value = value.normalize()
    return format(value, "f") if value == value.to_integral() else str(value)


def normalise_csv(text: str) -> list[tuple[str, ...]]:
    """Rows of a CSV text, header first, numbers in one canonical form, body rows sorted."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header, body = tuple(rows[0]), rows[1:]
    clean = [tuple(_number(c) or c for c in row) for row in body]
    return [header] + sorted(clean)


def normalise_frame(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    """A frame as normalised CSV rows (see :func:`normalise_csv`)."""
    return normalise_csv(to_csv(frame))
