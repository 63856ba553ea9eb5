"""SPARQL SELECT queries on the Oxigraph store, answered as typed pandas DataFrames.

Parameters are bound as RDF terms (Oxigraph's substitutions), never pasted into the
query text. Numbers come back as numbers, dates as dates, IRIs and text as strings, and
an unbound value as a missing value (never 0).

Examples
--------
>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("https://example.org/a"),
...                   ox.NamedNode("https://example.org/savings"),
...                   ox.Literal("-1.5", datatype=ox.NamedNode(XSD + "decimal"))))
>>> select("SELECT ?s ?v WHERE { ?s ?p ?v }", store)
                       s    v
0  https://example.org/a -1.5
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
import pyoxigraph as ox

from kg.core.errors import UsageError

__all__ = ["XSD", "RowLimitExceeded", "iri", "to_term", "from_term", "typed_frame", "select"]

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger",
                               "positiveInteger", "negativeInteger", "nonPositiveInteger",
                               "unsignedInt", "unsignedLong")}
_FLOATS = {XSD + t for t in ("decimal", "double", "float")}


class RowLimitExceeded(UsageError):
    """A query returned more rows than the cap allows (see :func:`select`'s ``max_rows``)."""

    def __init__(self, max_rows: int):
        self.max_rows = max_rows
        super().__init__(f"the query returned more than {max_rows} rows (the row cap); "
                         "narrow it with a FILTER or LIMIT, or raise the cap", argument="max_rows")

    def __reduce__(self):  # so that it crosses a process boundary intact
        return (type(self), (self.max_rows,))


def iri(value: str) -> ox.NamedNode:
    """Return an IRI term, for binding a parameter to a resource rather than a text.

    Raises
    ------
    ValueError
        If `value` is not a valid IRI.
    """
    return ox.NamedNode(value)


def to_term(value: Any):
    """Turn a Python value into the RDF term a query parameter is bound to.

    ``str`` becomes a plain literal (never an IRI: use :func:`iri`), ``bool`` an
    ``xsd:boolean``, ``int`` an ``xsd:integer``, ``float``/``Decimal`` an ``xsd:decimal``,
    ``datetime.date`` an ``xsd:date``; an Oxigraph term is kept.

    >>> to_term(3)
    <Literal value=3 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
    """
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, (float, Decimal)):
        return ox.Literal(str(Decimal(str(value))), datatype=ox.NamedNode(XSD + "decimal"))
    if isinstance(value, dt.date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    if isinstance(value, str):
        return ox.Literal(value)
    raise TypeError(f"cannot bind a {type(value).__name__} as a query parameter")


def from_term(term) -> Any:
    """Turn an RDF term of a result into a Python value (None when unbound)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    datatype = term.datatype.value if term.datatype is not None else None
    text = term.value
    try:
        if datatype in _INTEGERS:
            return int(text)
        if datatype in _FLOATS:
            return float(text)
        if datatype == XSD + "boolean":
            return text in ("true", "1")
        if datatype == XSD + "date":
            return pd.Timestamp(text)
        if datatype == XSD + "gYear":
            return int(text)
    except ValueError:
        return text  # an ill-typed literal stays text rather than failing the query
    return text


def typed_frame(columns: list[str], rows: list[list[Any]]) -> pd.DataFrame:
    """Build a DataFrame from Python values and give each column its natural dtype.

    A column whose known values are all booleans becomes ``boolean``, all integers
    ``Int64``, all numbers ``Float64``, all dates ``datetime64``; anything else stays
    ``object``. Missing values stay missing (never 0).

    >>> typed_frame(["n", "x"], [[1, None], [None, 2.5]]).dtypes.tolist()
    [Int64Dtype(), Float64Dtype()]
    """
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    for column in columns:
        values = frame[column].dropna()
        if len(values) and all(isinstance(v, bool) for v in values):
            frame[column] = frame[column].astype("boolean")
        elif len(values) and all(isinstance(v, int) and not isinstance(v, bool)
                                 and -2 ** 63 <= v < 2 ** 63 for v in values):
            frame[column] = frame[column].astype("Int64")
        elif len(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            pass  # beyond 64 bits: exact Python integers (object), never rounded
        elif len(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                 for v in values):
            frame[column] = frame[column].astype("Float64")
        elif len(values) and all(isinstance(v, pd.Timestamp) for v in values):
            frame[column] = pd.to_datetime(frame[column])
    return frame


def select(query: str | Path, store: ox.Store,
           bindings: Mapping[str, Any] | None = None, *,
           max_rows: int | None = None) -> pd.DataFrame:
    """Run a SELECT query and return its solutions as a DataFrame.

    Parameters
    ----------
    query : str or Path
        The query text, or a ``.rq`` file.
    store : pyoxigraph.Store
    bindings : mapping of str to value, optional
        Values for variables of the query, bound as RDF terms (see :func:`to_term`).
    max_rows : int, optional
        Stop and raise :class:`RowLimitExceeded` as soon as more rows than this arrive.

    Returns
    -------
    pandas.DataFrame
        One column per projected variable, in order; numbers as numbers (nullable), dates
        as timestamps, unbound values missing.

    Raises
    ------
    RowLimitExceeded
        If `max_rows` is given and the query returns more rows.
    """
    if isinstance(query, Path):
        query = query.read_text(encoding="utf-8")
    substitutions = {ox.Variable(k): to_term(v) for k, v in (bindings or {}).items()}
    solutions = store.query(query, substitutions=substitutions)
    columns = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        if max_rows is not None and len(rows) >= max_rows:
            raise RowLimitExceeded(max_rows)
        rows.append([from_term(solution[c]) for c in columns])
    return typed_frame(columns, rows)
