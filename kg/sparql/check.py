"""Refuse queries that could reach the network or change a store, judged on the parsed query.

A keyword search is easy to fool (``SERV\\u0049CE``, ``SERVICE#comment``, lower case), so
the query is parsed with rdflib's SPARQL 1.1 parser, which expands ``\\u`` escapes and
drops comments as the standard says, and the parse tree is inspected:

- only SELECT queries run (an update such as ``LOAD`` or ``INSERT`` is refused);
- no ``SERVICE`` clause, whether its target is an IRI or a variable;
- no ``FROM`` / ``FROM NAMED``: the dataset is the store's, never a fetched document.

Examples
--------
>>> check_query("SELECT ?s WHERE { ?s ?p ?o }")
>>> check_query("select * { serv\\\\u0069ce <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
kg.sparql.check.UnsafeQueryError: SERVICE (a federated call to another endpoint) is refused: queries run on the local graph only
"""

from __future__ import annotations

from kg.core.errors import UsageError

__all__ = ["UnsafeQueryError", "QuerySyntaxError", "check_query", "projected_variables"]


class UnsafeQueryError(UsageError):
    """The query asks for something aco-kg refuses (SERVICE, FROM, an update)."""


class QuerySyntaxError(UsageError):
    """The query is not valid SPARQL 1.1."""


def _parse(text: str):
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

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


def check_query(text: str) -> None:
    """Raise unless `text` is a SELECT query without SERVICE, FROM or FROM NAMED.

    Raises
    ------
    QuerySyntaxError
        If the text is not SPARQL 1.1.
    UnsafeQueryError
        If it is an update, not a SELECT, or uses SERVICE, FROM or FROM NAMED.
    """
    parsed = _parse(text)
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


def projected_variables(text: str) -> list[str]:
    """Return the names of the variables a SELECT query projects, in order.

    >>> projected_variables("SELECT ?b (COUNT(*) AS ?n) WHERE { ?b ?p ?o } GROUP BY ?b")
    ['b', 'n']
    """
    from rdflib.plugins.sparql.algebra import translateQuery

    check_query(text)
    return [str(v) for v in translateQuery(_parse(text)).algebra["PV"]]
