r"""SPARQL 1.1 query results documents: JSON, CSV and TSV, written from :class:`Solutions`.

The formats of the W3C Recommendations "SPARQL 1.1 Query Results JSON Format" and
"SPARQL 1.1 Query Results CSV and TSV Formats", as a SPARQL endpoint sends them
(``aco-kg serve``): JSON keeps every term whole (IRI, blank node, literal with its
datatype or language); CSV gives plain values (an IRI's text, a literal's lexical form)
with CRLF line ends; TSV writes each term in Turtle/N-Triples syntax (Oxigraph's
serializer escapes tabs, line breaks and quotes), with ``?`` before each variable.

Examples
--------
>>> from kg.sparql.solutions import Solutions
>>> found = Solutions(("org", "name"), [(("I", "https://e.org/a"), ("L", "A, Inc.", XSD + "string", None)),
...                                     (("I", "https://e.org/b"), None)])
>>> to_csv(found)
'org,name\r\nhttps://e.org/a,"A, Inc."\r\nhttps://e.org/b,\r\n'
>>> to_tsv(found).splitlines()
['?org\t?name', '<https://e.org/a>\t"A, Inc."', '<https://e.org/b>\t']
>>> to_json(found)[:60]
'{"head": {"vars": ["org", "name"]}, "results": {"bindings": '
"""

from __future__ import annotations

import csv
import io
import json

from kg.sparql.solutions import Solutions
from kg.sparql.terms import XSD, Cell, decode

__all__ = ["MEDIA_TYPES", "to_json", "to_csv", "to_tsv", "serialize"]

#: The results formats, by media type.
MEDIA_TYPES = {
    "application/sparql-results+json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _json_term(cell: Cell) -> dict:
    if cell[0] == "I":
        return {"type": "uri", "value": cell[1]}
    if cell[0] == "B":
        return {"type": "bnode", "value": cell[1]}
    _, lexical, datatype, language = cell
    if language:
        return {"type": "literal", "value": lexical, "xml:lang": language}
    if datatype and datatype not in (XSD + "string", _LANG_STRING):
        return {"type": "literal", "value": lexical, "datatype": datatype}
    return {"type": "literal", "value": lexical}


def to_json(found: Solutions) -> str:
    """The SPARQL 1.1 JSON results document (unbound variables are left out of a binding)."""
    bindings = [{name: _json_term(cell) for name, cell in zip(found.variables, row)
                 if cell is not None} for row in found.rows]
    return json.dumps({"head": {"vars": list(found.variables)},
                       "results": {"bindings": bindings}}, ensure_ascii=False)


def _csv_value(cell: Cell) -> str:
    if cell is None:
        return ""
    if cell[0] == "B":
        return "_:" + cell[1]
    return cell[1]


def to_csv(found: Solutions) -> str:
    """The SPARQL 1.1 CSV results document: plain values, RFC 4180 quoting, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(found.variables)
    writer.writerows([_csv_value(c) for c in row] for row in found.rows)
    return buffer.getvalue()


def to_tsv(found: Solutions) -> str:
    """The SPARQL 1.1 TSV results document: terms in Turtle syntax, tab-separated."""
    lines = ["\t".join("?" + name for name in found.variables)]
    lines += ["\t".join("" if cell is None else str(decode(cell)) for cell in row)
              for row in found.rows]
    return "\n".join(lines) + "\n"


def serialize(found: Solutions, fmt: str) -> str:
    """`found` as the results format `fmt`: ``json``, ``csv`` or ``tsv``."""
    writers = {"json": to_json, "csv": to_csv, "tsv": to_tsv}
    if fmt not in writers:
        raise ValueError(f"unknown results format {fmt!r}; one of {', '.join(writers)}")
    return writers[fmt](found)
