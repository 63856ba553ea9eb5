"""Rows to triples: one declarative mapping, driven by the data dictionary.

Each accepted row becomes a node ``id:KIND/ID`` typed with the resource's ``rdfType``;
each non-blank cell becomes one triple (or a short path through intermediate nodes,
such as an OWL-Time interval). The N-Triples text is generated column by column with
pandas string operations rather than one Python object per term, so the mapping stays
fast on millions of rows; Oxigraph and rdflib then parse the text.

:func:`rows_from_graph` is the inverse: it reads rows back from a graph, which the tests
use to show that nothing is lost on the way.

Examples
--------
>>> escape_literal(pd.Series(['say "hi"\\n'])).tolist()
['say \\\\"hi\\\\"\\\\n']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from kg.core.dictionary import TIME_STEP, Dictionary, Field, Resource, load_dictionary
from kg.core.gcpause import gc_paused
from kg.core.iris import INSTANCE, PREFIXES, expand, mint, parse_instance_iri
from kg.ingest.statements import statement_target
from kg.ingest.tables import Table

__all__ = ["LITERAL_DATATYPES", "STATEMENT_PARTS", "TIME_POSITIONS", "Mapped", "escape_literal",
           "map_tables", "rows_from_graph", "statement_parts"]

XSD = PREFIXES["xsd"]
TIME = PREFIXES["time"]
RDF = PREFIXES["rdf"]
RDF_TYPE = "<" + RDF + "type>"
#: The properties of a reified statement (RDF 1.1 reification vocabulary).
STATEMENT_PARTS = (RDF + "subject", RDF + "predicate", RDF + "object")
_DATATYPES = {
    "integer": XSD + "integer",
    "number": XSD + "decimal",
    "boolean": XSD + "boolean",
    "year": XSD + "gYear",
}
#: A partial date's datatype, and its OWL-Time position property, by its length.
_DATE_TYPES = {4: XSD + "gYear", 7: XSD + "gYearMonth", 10: XSD + "date"}
_TIME_POSITION = {4: TIME + "inXSDgYear", 7: TIME + "inXSDgYearMonth", 10: TIME + "inXSDDate"}
#: The datatypes of the literals a column of each type becomes (a text is an xsd:string;
#: a partial date one of three, by its precision). The column shapes use the same.
LITERAL_DATATYPES: dict[str, tuple[str, ...]] = {
    "string": (XSD + "string",),
    **{kind: (datatype,) for kind, datatype in _DATATYPES.items()},
    "date": tuple(_DATE_TYPES[n] for n in (10, 7, 4)),
}
#: The OWL-Time position properties the last step ``@time`` of an rdfPath stands for.
TIME_POSITIONS: tuple[str, ...] = tuple(_TIME_POSITION[n] for n in (10, 7, 4))


@dataclass
class Mapped:
    """The triples of a build, and where each row's node came from.

    Attributes
    ----------
    ntriples : str
        The graph as N-Triples text, one triple per line, no duplicates.
    iris : dict of str to list of str
        For each resource, the IRI of each row of its table's frame ("" if rejected).
    origin : dict of str to tuple of (str, int)
        For each row node (and each intermediate node), the file and line it came from;
        made on first use (a build needs it only to place SHACL violations).
    """

    ntriples: str
    iris: dict[str, list[str]]
    #: (node IRIs, row positions, table) in the order the mapping made the nodes
    nodes: list[tuple[np.ndarray, np.ndarray, Table]] = field(default_factory=list, repr=False)

    @property
    def triple_count(self) -> int:
        """Number of triples."""
        return self.ntriples.count("\n")

    @cached_property
    def origin(self) -> dict[str, tuple[str, int]]:
        origin: dict[str, tuple[str, int]] = {}
        for nodes, positions, table in self.nodes:
            for iri, pos in zip(nodes.tolist(), positions.tolist()):
                origin.setdefault(iri, (table.file_of(pos), table.lines[pos]))
        return origin


def escape_literal(values: pd.Series) -> pd.Series:
    """Escape text for an N-Triples string literal (backslash, quote, CR, LF)."""
    return (values.str.replace("\\", "\\\\", regex=False)
            .str.replace('"', '\\"', regex=False)
            .str.replace("\n", "\\n", regex=False)
            .str.replace("\r", "\\r", regex=False))


#: Characters that urllib.parse.quote never escapes: an identifier made only of these is
#: its own IRI segment, so :func:`_mint_all` skips the per-value call for it.
_UNQUOTED = r"[A-Za-z0-9_.~-]+"


def _mint_all(kind: str, values: pd.Series) -> pd.Series:
    """:func:`kg.core.iris.mint` of every value, column-wise where no character needs quoting.

    >>> _mint_all("seat", pd.Series(["s1", "s 1"])).tolist()
    ['https://w3id.org/aco-kg/id/seat/s1', 'https://w3id.org/aco-kg/id/seat/s%201']
    """
    plain = values.str.fullmatch(_UNQUOTED).fillna(False).astype(bool)
    minted = mint(kind, "")  # the kind segment, quoted once
    result = minted + values
    if not plain.all():
        result[~plain] = values[~plain].map(lambda v: mint(kind, v))
    return result


# The triples are assembled as numpy arrays of Python strings: one C loop per
# concatenation, where the pandas string methods check every cell for a missing value.
def _text(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype=object)


def _iri(values: np.ndarray) -> np.ndarray:
    return "<" + values + ">"


def _objects(values: pd.Series, f: Field, dictionary: Dictionary,
             codes: dict[str, dict[str, str]], kinds: dict[str, str]) -> np.ndarray:
    """The N-Triples object term of each (non-blank, valid) cell."""
    if f.reference:
        kind = kinds[f.reference]
        return _iri(_text(_mint_all(kind, values)))
    if f.code_scheme == "*":
        qualified = {f"{s}/{n}": iri for s, notes in codes.items() for n, iri in notes.items()}
        return _iri(_text(values.map(qualified)))
    if f.code_scheme:
        return _iri(_text(values.map(codes[f.code_scheme])))
    if f.type == "boolean":
        datatype = '"^^<' + _DATATYPES["boolean"] + ">"
        truth = values.isin(dictionary.true_values).to_numpy()
        return np.where(truth, '"true' + datatype, '"false' + datatype).astype(object)
    if f.type == "date":
        return '"' + _text(values) + ('"^^<' + _text(values.str.len().map(_DATE_TYPES)) + ">")
    if f.type in _DATATYPES:
        return '"' + _text(values) + ('"^^<' + _DATATYPES[f.type] + ">")
    return '"' + _text(escape_literal(values)) + '"'


def _add(pieces: list[str], lines: np.ndarray) -> None:
    pieces.append("".join(lines.tolist()))


def _local(curie: str) -> str:
    return curie.partition(":")[2]


def map_tables(tables: dict[str, Table], dictionary: Dictionary,
               codes: dict[str, dict[str, str]]) -> Mapped:
    """Map the accepted rows of every table to N-Triples.

    Parameters
    ----------
    tables : dict of str to Table
        Checked tables (rows with problems are left out).
    dictionary : Dictionary
    codes : dict
        ``{scheme: {notation: IRI}}`` from :func:`kg.graph.ontology.code_lists`.

    Returns
    -------
    Mapped
    """
    with gc_paused():  # one string per triple: see kg.core.gcpause
        return _map_tables(tables, dictionary, codes)


def _map_tables(tables: dict[str, Table], dictionary: Dictionary,
                codes: dict[str, dict[str, str]]) -> Mapped:
    kinds = {r.name: r.iri_kind for r in dictionary.resources}
    # each piece of lines is joined at once, so that only one piece's line strings are
    # alive at a time (at millions of triples they take more memory than the text)
    pieces: list[str] = []
    iris: dict[str, list[str]] = {}
    nodes: list[tuple[np.ndarray, np.ndarray, Table]] = []
    for r in dictionary.resources:
        table = tables.get(r.name)
        if table is None:
            continue
        rows = table.accepted
        minted = _mint_all(r.iri_kind, rows[r.primary_key])
        subjects = _text(minted)
        row_positions = minted.index.to_numpy()
        all_iris = np.full(len(table.frame), "", dtype=object)
        all_iris[row_positions] = subjects
        iris[r.name] = all_iris.tolist()
        nodes.append((subjects, row_positions, table))
        if rows.empty:
            continue
        subject_terms = _iri(subjects)
        _add(pieces, subject_terms + (" " + RDF_TYPE + " <" + expand(r.rdf_type) + "> .\n"))
        # rows whose intermediate node (by the path leading to it) is already linked and
        # typed: a second field through the same node (an interval's end after its
        # start) adds only its own triple, so no triple is written twice
        linked: dict[tuple[str, ...], np.ndarray] = {}
        for f in r.fields:
            if not f.rdf_path:
                continue
            present = _text(rows[f.name]) != ""
            if not present.any():
                continue
            values = rows[f.name][present]
            positions = row_positions[present]
            node, node_terms = subjects[present], subject_terms[present]
            steps = list(f.rdf_path)
            last = steps.pop()
            for depth, step in enumerate(steps, start=1):  # e.g. an interval and its beginning
                child = node + ("/" + _local(step))
                child_terms = _iri(child)
                done = linked.setdefault(tuple(steps[:depth]), np.zeros(len(subjects), dtype=bool))
                new = ~done[present]
                done[present] = True
                _add(pieces, node_terms[new] + (" <" + expand(step) + "> ") + child_terms[new] + " .\n")
                node_type = dictionary.intermediate_types.get(step)
                if node_type:
                    _add(pieces, child_terms[new] + (" " + RDF_TYPE + " <" + expand(node_type) + "> .\n"))
                nodes.append((child[new], positions[new], table))
                node, node_terms = child, child_terms
            obj = _objects(values, f, dictionary, codes, kinds)
            if last == TIME_STEP:
                predicates = "<" + _text(values.str.len().map(_TIME_POSITION)) + "> "
                _add(pieces, node_terms + " " + predicates + obj + " .\n")
            else:
                _add(pieces, node_terms + (" <" + expand(last) + "> ") + obj + " .\n")
        if r.statement_of:
            pieces.append(_statement_triples(r, rows, subject_terms, tables, dictionary, codes))
    return Mapped("".join(pieces), iris, nodes)


def statement_parts(target: Resource, row_id: str, column: str, value: str,
                    dictionary: Dictionary, codes: dict[str, dict[str, str]]) -> tuple[str, str, str]:
    """The triple of one cell, as N-Triples terms: what a statement about the cell reifies.

    The subject is the row's node, or the intermediate node the column's rdfPath ends on
    (an interval's beginning, ...); the predicate is the path's last property (for a
    date, the OWL-Time position its precision picks); the object is the value's term.

    >>> from kg.core.dictionary import load_dictionary
    >>> from kg.graph.ontology import code_lists
    >>> d = load_dictionary()
    >>> parts = statement_parts(d.resource("alliances"), "a1", "outcome_as_of", "2017", d, code_lists())
    >>> parts[0], parts[1].rsplit("#", 1)[1], parts[2]
    ('<https://w3id.org/aco-kg/id/alliance/a1>', 'outcomeAsOf>', '"2017"^^<http://www.w3.org/2001/XMLSchema#gYear>')
    """
    f = target.field(column)
    kinds = {r.name: r.iri_kind for r in dictionary.resources}
    node = mint(target.iri_kind, row_id)
    for step in f.rdf_path[:-1]:
        node += "/" + _local(step)
    last = f.rdf_path[-1]
    predicate = _TIME_POSITION[len(value)] if last == TIME_STEP else expand(last)
    term = _objects(pd.Series([value]), f, dictionary, codes, kinds)[0]
    return "<" + node + ">", "<" + predicate + ">", term


def _statement_triples(r: Resource, rows: pd.DataFrame, subject_terms: np.ndarray,
                       tables: dict[str, Table], dictionary: Dictionary,
                       codes: dict[str, dict[str, str]]) -> str:
    """rdf:subject, rdf:predicate and rdf:object of each statement row (see
    :mod:`kg.ingest.statements`; the rows were checked to name a non-blank cell). A
    statement about a rejected row gets none: that build fails anyway."""
    file_col, row_col, column_col = r.statement_of
    lines = []
    for subject, file, row_id, column in zip(subject_terms.tolist(), rows[file_col], rows[row_col],
                                             rows[column_col]):
        target, _ = statement_target(dictionary, file, column)
        frame = tables[target.name].accepted
        values = frame.loc[frame[target.primary_key] == row_id, column]
        if values.empty:
            continue
        value = values.iloc[0]
        for part, term in zip(STATEMENT_PARTS, statement_parts(target, row_id, column, value,
                                                                dictionary, codes)):
            lines.append(f"{subject} <{part}> {term} .\n")
    return "".join(lines)


def _lexical(term, f: Field, resource: Resource, codes_back: dict[str, str]) -> str:
    from rdflib import Literal
    if isinstance(term, Literal):
        return str(term)
    iri = str(term)
    if f.code_scheme:
        notation = codes_back[iri]
        return notation if f.code_scheme != "*" else notation
    if iri.startswith(INSTANCE):
        return parse_instance_iri(iri)[1]
    return iri


def _statement_cell(graph, subject, resource: Resource, dictionary: Dictionary) -> dict[str, str]:
    """The file, row key and column a reified statement is about (read from the graph)."""
    from rdflib import URIRef

    node = str(graph.value(subject, URIRef(STATEMENT_PARTS[0])))
    predicate = str(graph.value(subject, URIRef(STATEMENT_PARTS[1])))
    kind, rest = node[len(INSTANCE):].split("/", 1)
    row_key, _, steps = rest.partition("/")
    target = next(r for r in dictionary.resources if r.iri_kind == kind)
    for f in target.fields:
        if not f.rdf_path or tuple(_local(s) for s in f.rdf_path[:-1]) != tuple(filter(None, steps.split("/"))):
            continue
        last = f.rdf_path[-1]
        if (predicate in _TIME_POSITION.values()) if last == TIME_STEP else predicate == expand(last):
            file_col, row_col, column_col = resource.statement_of
            return {file_col: target.path, row_col: parse_instance_iri(mint(kind, "") + row_key)[1],
                    column_col: f.name}
    raise ValueError(f"{subject} is a statement about no column: {node} {predicate}")


def rows_from_graph(graph, resource: Resource, codes: dict[str, dict[str, str]],
                    dictionary: Dictionary | None = None) -> pd.DataFrame:
    """Read the rows of `resource` back from an rdflib graph (the inverse of the mapping).

    Booleans come back as ``true``/``false``; every other value as written in the CSV.
    A column with no triple comes back blank.

    Parameters
    ----------
    graph : rdflib.Graph
    resource : Resource
    codes : dict
        ``{scheme: {notation: IRI}}``.
    dictionary : Dictionary, optional
        Where the files a statement names are looked up (the project's own by default).

    Returns
    -------
    pandas.DataFrame
        One row per node of the resource's class, sorted by the primary key.
    """
    from rdflib import RDF, URIRef

    qualified = {iri: f"{s}/{n}" for s, notes in codes.items() for n, iri in notes.items()}
    plain = {iri: n for notes in codes.values() for n, iri in notes.items()}
    records = []
    for subject in graph.subjects(RDF.type, URIRef(expand(resource.rdf_type))):
        if not str(subject).startswith(INSTANCE + resource.iri_kind + "/"):
            continue
        row = {resource.primary_key: parse_instance_iri(str(subject))[1]}
        for f in resource.fields:
            if not f.rdf_path:
                continue
            nodes = [subject]
            for step in f.rdf_path[:-1]:
                nodes = [o for n in nodes for o in graph.objects(n, URIRef(expand(step)))]
            last = f.rdf_path[-1]
            if last == TIME_STEP:
                values = [o for n in nodes for p in _TIME_POSITION.values()
                          for o in graph.objects(n, URIRef(p))]
            else:
                values = [o for n in nodes for o in graph.objects(n, URIRef(expand(last)))]
            if len(values) > 1:
                raise ValueError(f"{subject} has {len(values)} values for {f.name}")
            back = qualified if f.code_scheme == "*" else plain
            row[f.name] = _lexical(values[0], f, resource, back) if values else ""
        if resource.statement_of:
            row.update(_statement_cell(graph, subject, resource, dictionary or load_dictionary()))
        records.append(row)
    frame = pd.DataFrame(records, columns=resource.columns, dtype=str).fillna("")
    return frame.sort_values(resource.primary_key).reset_index(drop=True)
