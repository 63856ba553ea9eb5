"""Helpers for the query tests: run a query on rdflib's own engine, normalise result tables.

Kept apart from kg/ on purpose: the rdflib engine is a second opinion that the tests
compare Oxigraph against, not a way aco-kg answers queries.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import pandas as pd

from kg.products.formats import to_csv
from kg.sparql.select import from_term, typed_frame

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "queries"
#: The datasets whose query answers are golden, each row justified in golden/queries/why.yaml.
DATASETS = {"tiny": ROOT / "tests" / "fixtures" / "tiny", "data": ROOT / "data"}
EXPECTED = {label: GOLDEN / label for label in DATASETS}


def expected_csv(label: str, query: str) -> Path:
    """The expected result of `query` on the dataset `label` ("tiny" or "data")."""
    return EXPECTED[label] / f"{query}.csv"


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


# --- why each golden row is right (tests/golden/queries/why.yaml) ------------------------------

INSTANCE = "https://w3id.org/aco-kg/id/"
CODE = "https://w3id.org/aco-kg/code/"
TRUE, FALSE = {"true", "yes"}, {"false", "no"}


def csv_records(path: Path) -> dict[int, dict[str, str]]:
    """The records of a CSV file by the line each starts on (header excluded), read with the
    standard library alone: a record that spans lines is keyed by its first line."""
    text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header, records, start = next(reader), {}, reader.line_num + 1
    for cells in reader:
        if cells:
            records[start] = dict(zip(header, cells))
        start = reader.line_num + 1
    return records


@lru_cache(maxsize=None)  # the matching below asks about the same pairs many times
def cell_holds(golden: str, cell: str) -> bool:
    """Whether a data cell holds the golden value: the same text, the same number, the same
    truth value (yes/no in the data, true/false in results), or the identifier or code an
    aco-kg IRI was minted from (id/KIND/ID holds ID; code/SCHEME/CODE holds CODE)."""
    if golden == cell:
        return True
    if golden.startswith(INSTANCE):
        return golden[len(INSTANCE):].split("/", 1)[-1] == cell
    if golden.startswith(CODE):
        path = golden[len(CODE):]
        return cell in (path, path.rsplit("/", 1)[-1])
    if golden in TRUE or golden in FALSE:
        return cell in (TRUE if golden in TRUE else FALSE)
    try:
        return Decimal(golden) == Decimal(cell)
    except (InvalidOperation, ValueError):
        return False


def _unheld(row: dict[str, str], cited: list[dict[str, str]], derived):
    return (column for column, value in row.items()
            if value != "" and column not in derived
            and not any(cell_holds(value, cell) for record in cited for cell in record.values()))


def unheld_columns(row: dict[str, str], cited: list[dict[str, str]], derived) -> list[str]:
    """The columns of a golden row whose value no cited record holds (derived ones aside)."""
    return list(_unheld(row, cited, derived))


def holds_row(row: dict[str, str], cited: list[dict[str, str]], derived) -> bool:
    """Whether the cited records hold every value of a golden row (derived ones aside)."""
    return next(_unheld(row, cited, derived), None) is None


def _has_provenance(path: Path) -> bool:
    """Whether a data file's records are facts with provenance (source_id, locator, evidence)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {"source_id", "locator", "evidence"} <= set(next(csv.reader(handle)))


def check_justification(query: str, why: dict, golden_csv: Path, folder: Path) -> list[str]:
    """Everything wrong with the justification `why` of one golden file; [] when it holds.

    `why` is a dataset entry of why.yaml: either ``rows`` (one string of ``FILE:LINE``
    citations per golden row, the row's own record first) with an optional ``each`` (files,
    or "sourced" for every file whose records carry provenance, whose every record must be
    the first citation of exactly one row) and ``except`` ({FILE:LINE: reason} left out of
    ``each``), or ``empty`` (why the answer has no row) with optional ``cites``.
    """
    import networkx as nx

    with open(golden_csv, newline="", encoding="utf-8") as handle:
        golden = list(csv.DictReader(handle))
    problems: list[str] = []
    tables: dict[str, dict[int, dict[str, str]]] = {}

    def record(citation: str):
        name, _, line = citation.rpartition(":")
        if not (folder / name).is_file() or not line.isdigit():
            problems.append(f"{query}: {citation}: no such file in {folder.name}")
            return None
        records = tables.setdefault(name, csv_records(folder / name))
        if int(line) not in records:
            problems.append(f"{query}: {citation}: no record starts on that line")
            return None
        return records[int(line)]

    if "empty" in why:
        for citation in why.get("cites", []):
            record(citation)
        if golden:
            problems.append(f"{query}: justified as empty, but the golden file has {len(golden)} rows")
        return problems
    derived = why.get("derived", {})
    entries = [entry.split() for entry in why.get("rows", [])]
    cited = [[r for r in map(record, entry) if r is not None] for entry in entries]
    if problems:
        return problems
    # a golden row is justified by an entry whose records hold all its values; every golden
    # row needs an entry of its own and every entry a golden row (a perfect matching)
    graph = nx.Graph()
    graph.add_nodes_from(("golden", i) for i in range(len(golden)))
    graph.add_nodes_from(("why", j) for j in range(len(entries)))
    # only the entries whose records hold the ids the row's IRIs were minted from can hold
    # the row (cell_holds compares those exactly): look them up instead of trying every entry
    holding = {}
    for j, records in enumerate(cited):
        for cell in {cell for record in records for cell in record.values()}:
            holding.setdefault(cell, set()).add(j)
    for i, row in enumerate(golden):
        ids = [value[len(INSTANCE):].split("/", 1)[-1] for column, value in row.items()
               if column not in derived and value.startswith(INSTANCE)]
        candidates = set.intersection(*(holding.get(key, set()) for key in ids)) if ids \
            else range(len(cited))
        for j in sorted(candidates):
            records = cited[j]
            if holds_row(row, records, derived):
                graph.add_edge(("golden", i), ("why", j))
    matching = nx.bipartite.hopcroft_karp_matching(
        graph, top_nodes=[("golden", i) for i in range(len(golden))])
    for i, row in enumerate(golden):
        if ("golden", i) not in matching:
            near = min(range(len(cited)), default=None,
                       key=lambda j: len(unheld_columns(row, cited[j], derived)))
            detail = "" if near is None else (
                f"; nearest: '{why['rows'][near]}' lacks "
                f"{unheld_columns(row, cited[near], derived)}")
            problems.append(f"{query}: golden row {i + 2} is not justified{detail}")
    for j, entry in enumerate(why.get("rows", [])):
        if ("why", j) not in matching:
            problems.append(f"{query}: '{entry}' justifies no golden row (a row the query "
                            "should return and does not, or a wrong citation)")
    each = why.get("each")
    if why.get("except") and not each:
        problems.append(f"{query}: except without each")
    if each:
        names = sorted(p.name for p in folder.glob("*.csv") if _has_provenance(p)) \
            if each == "sourced" else each
        expected = {f"{name}:{line}" for name in names
                    for line in tables.setdefault(name, csv_records(folder / name))}
        for excepted in sorted(set(why.get("except", {})) - expected):
            problems.append(f"{query}: except names {excepted}, not a record of {names}")
        expected -= set(why.get("except", {}))
        firsts = [entry[0] for entry in entries]
        for missing in sorted(expected - set(firsts)):
            problems.append(f"{query}: {missing} has no golden row of its own")
        for extra in sorted(set(firsts) - expected):
            problems.append(f"{query}: {extra} is not a record of {names}")
    return problems
