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
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
import pyoxigraph as ox

from kg.sparql.limits import RowLimitExceeded
from kg.sparql.terms import XSD, cell_value, iri, literal_value, to_term

__all__ = ["XSD", "RowLimitExceeded", "iri", "to_term", "from_term", "typed_frame",
           "solutions_frame", "select"]


def from_term(term) -> Any:
    """Turn an RDF term of a result into a Python value (None when unbound)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    datatype = term.datatype.value if term.datatype is not None else None
    if datatype == XSD + "date":
        try:
            return pd.Timestamp(term.value)
        except ValueError:
            return term.value
    return literal_value(term.value, datatype)


def typed_frame(columns: list[str], rows: list[list[Any]]) -> pd.DataFrame:
    """Build a DataFrame from Python values and give each column its natural dtype.

    A column whose known values are all booleans becomes ``boolean``, all integers
    ``Int64``, all numbers ``Float64``, all dates ``datetime64``; anything else stays
    ``object``. Missing values stay missing (never 0). Dates may come as
    ``datetime.date`` or ``pandas.Timestamp``.

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
        elif len(values) and all(isinstance(v, (pd.Timestamp, dt.date)) for v in values):
            frame[column] = pd.to_datetime(frame[column].map(
                lambda v: v if v is None or isinstance(v, pd.Timestamp) else pd.Timestamp(v.isoformat())))
    return frame


def solutions_frame(solutions) -> pd.DataFrame:
    """A :class:`kg.sparql.solutions.Solutions` as a typed DataFrame (see :func:`typed_frame`).

    >>> from kg.sparql.solutions import Solutions
    >>> frame = solutions_frame(Solutions(("d",), [(("L", "2017-03-01", XSD + "date", None),)]))
    >>> frame["d"].tolist()
    [Timestamp('2017-03-01 00:00:00')]
    """
    return typed_frame(list(solutions.variables),
                       [[cell_value(cell) for cell in row] for row in solutions.rows])


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
