"""Refuse queries that could reach the network or change a store, judged on the parsed query.

A keyword search is easy to fool (``SERV\\u0049CE``, ``SERVICE#comment``, lower case), so
the query is parsed with rdflib's SPARQL 1.1 parser and the parse tree is inspected:

- only SELECT queries run (an update such as ``LOAD`` or ``INSERT`` is refused);
- no ``SERVICE`` clause anywhere (inside ``EXISTS``, ``OPTIONAL`` or a subquery too),
  whether its target is an IRI or a variable;
- no ``FROM`` / ``FROM NAMED``: the dataset is the store's, never a fetched document.

Two parsers can read one text differently: rdflib ends a ``#`` comment only at a line
feed, Oxigraph also at a carriage return, so ``# c\\rSERVICE <...>`` hides a SERVICE
clause from one and not from the other. The check therefore never judges the text it was
given but a canonical form of it, and :func:`check_query` returns that canonical text:
it is the only text the runner sends to an engine. The canonical form expands the
codepoint escapes ``\\uXXXX`` and ``\\UXXXXXXXX`` (which SPARQL processes before
parsing), turns CRLF and lone CR into LF, and is refused if an escape is left after the
expansion (``\\u005Cu0053`` would otherwise mean one thing to a parser that expands once
and another to one that expands twice). A second, independent layer keeps the embedded
engine off the network even if this check were wrong (:mod:`kg.core.offline`).

Examples
--------
>>> check_query("SELECT ?s WHERE { ?s ?p ?o }").text
'SELECT ?s WHERE { ?s ?p ?o }'
>>> check_query("select * { serv\\u0069ce <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
kg.sparql.check.UnsafeQueryError: SERVICE (a federated call to another endpoint) is refused: queries run on the local graph only
>>> check_query("SELECT * { ?s ?p ?o # c\\rSERVICE <http://example.org/x> { ?a ?b ?c }\\n}")
Traceback (most recent call last):
...
kg.sparql.check.UnsafeQueryError: SERVICE (a federated call to another endpoint) is refused: queries run on the local graph only
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.core.errors import UsageError

__all__ = ["UnsafeQueryError", "QuerySyntaxError", "CheckedQuery", "canonical_text", "check_query",
           "projected_variables"]

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class UnsafeQueryError(UsageError):
    """The query asks for something aco-kg refuses (SERVICE, FROM, an update)."""


class QuerySyntaxError(UsageError):
    """The query is not valid SPARQL 1.1."""


def _negate_lexically(literal):
    """Negate a numeric literal by its lexical form, keeping its datatype."""
    from rdflib import Literal

    return Literal(f"-{literal}", datatype=literal.datatype)


def _parse(text: str):
    from pyparsing import ParseException
    from rdflib.plugins.sparql import parser
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    # rdflib's parser negates a signed number with Literal.__neg__, which refuses
    # xsd:decimal (RDFLib/rdflib#2962, open), so every negative decimal such as -250000.5
    # was a syntax error; its grammar calls parser.neg by name, so this replaces it
    parser.neg = _negate_lexically

    try:
        return parseQuery(text)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except Exception:  # not an update either: report the query's syntax error
            raise QuerySyntaxError(f"not a valid SPARQL query: line {exc.lineno}, column "
                                   f"{exc.col}: {exc.msg}") from None
        raise UnsafeQueryError("updates (LOAD, INSERT, DELETE, CLEAR, ...) are refused: "
                               "only SELECT queries run") from None
    except Exception as exc:  # rdflib raises plain exceptions for some malformed input
        raise QuerySyntaxError(f"not a valid SPARQL query: {exc}") from None


def _nodes(tree):
    """Yield every parse-tree node (rdflib CompValue) below `tree`, depth first."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed :func:`check_query`.

    Attributes
    ----------
    text : str
        The canonical text that was checked: the only text an engine may be given.
    variables : tuple of str
        The variables the SELECT projects, in order.
    """

    text: str
    variables: tuple[str, ...]


def canonical_text(text: str) -> str:
    r"""The text every parser reads alike: escapes expanded once, every line end a LF.

    Raises
    ------
    QuerySyntaxError
        If an escape names no Unicode character.
    UnsafeQueryError
        If the expansion leaves an escape behind (an escaped escape).

    Examples
    --------
    >>> canonical_text("SELECT ?\\u0073 {}\r\n# c\r?s")
    'SELECT ?s {}\n# c\n?s'
    >>> canonical_text("SELECT * { ?s ?p '\\u005Cu0053' }")
    Traceback (most recent call last):
    ...
    kg.sparql.check.UnsafeQueryError: an escape sequence that spells another escape (\u...) is refused: write the character itself
    """

    def expand(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QuerySyntaxError(f"not a valid SPARQL query: {match.group(0)} is not a "
                                   "Unicode character")
        return chr(code)

    expanded = _ESCAPE.sub(expand, text)
    if _ESCAPE.search(expanded):
        raise UnsafeQueryError("an escape sequence that spells another escape (\\u...) is "
                               "refused: write the character itself")
    return expanded.replace("\r\n", "\n").replace("\r", "\n")


@lru_cache(maxsize=128)
def check_query(text: str) -> CheckedQuery:
    """Check a query and return the text to run: a SELECT without SERVICE, FROM or updates.

    The answer for a text is remembered (the last 128 texts): rdflib's parser takes about
    a tenth of a second per query, and the canned queries, the workbench's examples and a
    user's repeated query are checked again and again. A refused text raises each time.

    Parameters
    ----------
    text : str
        The query as the user wrote it.

    Returns
    -------
    CheckedQuery
        Its canonical text (see the module's notes) and projected variables.

    Raises
    ------
    QuerySyntaxError
        If the text is not SPARQL 1.1.
    UnsafeQueryError
        If it is an update, not a SELECT, or uses SERVICE, FROM or FROM NAMED.
    """
    from rdflib.plugins.sparql.algebra import translateQuery

    canonical = canonical_text(text)
    parsed = _parse(canonical)
    query = parsed[1]
    if query.name != "SelectQuery":
        kind = query.name.replace("Query", "").upper()
        raise UnsafeQueryError(f"only SELECT queries run; this is a {kind} query")
    for node in _nodes(parsed):
        if node.name == "ServiceGraphPattern":
            raise UnsafeQueryError("SERVICE (a federated call to another endpoint) is refused: "
                                   "queries run on the local graph only")
        if node.name == "DatasetClause":
            raise UnsafeQueryError("FROM and FROM NAMED are refused: queries run on the "
                                   "store's own graph, never on fetched documents")
    try:
        variables = tuple(str(v) for v in translateQuery(parsed).algebra["PV"])
    except Exception as exc:  # rdflib rejects some queries only when it builds the algebra
        raise QuerySyntaxError(f"not a valid SPARQL query: {exc}") from None
    return CheckedQuery(canonical, variables)


def projected_variables(text: str) -> list[str]:
    """Return the names of the variables a SELECT query projects, in order.

    >>> projected_variables("SELECT ?b (COUNT(*) AS ?n) WHERE { ?b ?p ?o } GROUP BY ?b")
    ['b', 'n']
    """
    return list(check_query(text).variables)
