"""RDF terms into and out of queries, with pyoxigraph alone (no pandas).

Parameters are bound as RDF terms (:func:`to_term`), never pasted into the query text.
Result terms cross the boundary of the query worker as *cells*: plain tuples that pickle
several times faster than Oxigraph's term objects and need nothing but the standard
library on the other side (:func:`encode`, :func:`decode`, :func:`cell_value`):

- ``None``: unbound;
- ``("I", iri)``: an IRI;
- ``("B", id)``: a blank node;
- ``("L", lexical form, datatype IRI, language tag or None)``: a literal.

Keeping this module free of pandas is what lets the sealed query worker start in a tenth
of a second (see BENCHMARKS.md, "Command line").

Examples
--------
>>> cell = encode(to_term(-1.5))
>>> cell
('L', '-1.5', 'http://www.w3.org/2001/XMLSchema#decimal', None)
>>> cell_value(cell), str(decode(cell))
(-1.5, '"-1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>')
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

__all__ = ["XSD", "Cell", "iri", "to_term", "encode", "decode", "literal_value", "cell_value"]

XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING = XSD + "string"
_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger",
                               "positiveInteger", "negativeInteger", "nonPositiveInteger",
                               "unsignedInt", "unsignedLong")}
_FLOATS = {XSD + t for t in ("decimal", "double", "float")}

#: A result cell: None, ("I", iri), ("B", id) or ("L", lexical, datatype, language).
Cell = tuple | None

_datatypes: dict[str, str] = {}  # one string object per datatype, so pickle writes it once


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


def encode(term) -> Cell:
    """Turn an Oxigraph term of a result (or None) into a cell.

    >>> encode(ox.Literal("Access", language="en"))
    ('L', 'Access', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString', 'en')
    """
    if term is None:
        return None
    kind = type(term)
    if kind is ox.NamedNode:
        return ("I", term.value)
    if kind is ox.Literal:
        datatype = term.datatype.value
        return ("L", term.value, _datatypes.setdefault(datatype, datatype), term.language)
    if kind is ox.BlankNode:
        return ("B", term.value)
    raise TypeError(f"a result cell cannot hold a {kind.__name__}")  # a triple term


def decode(cell: Cell):
    """Turn a cell back into the Oxigraph term it was made from (None when unbound)."""
    if cell is None:
        return None
    if cell[0] == "I":
        return ox.NamedNode(cell[1])
    if cell[0] == "B":
        return ox.BlankNode(cell[1])
    _, lexical, datatype, language = cell
    if language:
        return ox.Literal(lexical, language=language)
    return ox.Literal(lexical, datatype=ox.NamedNode(datatype))


def literal_value(text: str, datatype: str | None) -> Any:
    """The Python value of a literal: numbers as numbers, booleans, ``xsd:date`` as a date,
    ``xsd:gYear`` as an integer; anything else (and an ill-typed literal) as its text.

    >>> literal_value("2017-03-01", XSD + "date"), literal_value("x12", XSD + "integer")
    (datetime.date(2017, 3, 1), 'x12')
    """
    try:
        if datatype in _INTEGERS:
            return int(text)
        if datatype in _FLOATS:
            return float(text)
        if datatype == XSD + "boolean":
            return text in ("true", "1")
        if datatype == XSD + "date":
            return dt.date.fromisoformat(text)
        if datatype == XSD + "gYear":
            return int(text)
    except ValueError:
        return text  # an ill-typed literal stays text rather than failing the query
    return text


def cell_value(cell: Cell) -> Any:
    """The Python value of a cell: None when unbound, an IRI as its text, a blank node as
    ``_:id``, a literal by :func:`literal_value`."""
    if cell is None:
        return None
    if cell[0] == "I":
        return cell[1]
    if cell[0] == "B":
        return "_:" + cell[1]
    return literal_value(cell[1], cell[2])
