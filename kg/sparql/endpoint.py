"""Any SPARQL 1.1 endpoint: run queries (SPARQL 1.1 Protocol) and load the graph
(SPARQL 1.1 Graph Store HTTP Protocol), with the standard library's HTTP client.

The same ``.rq`` files run on the embedded store and on a remote one (Oxigraph server,
Virtuoso, GraphDB, QLever, Neptune). The protocol has no way to bind variables, so
parameters travel as a ``VALUES`` block whose cells are RDF terms written by Oxigraph's
N-Triples serializer (every quote, brace, ``#`` and newline escaped). The block opens the
query's ``WHERE`` group, so that the variables are bound before the pattern is matched,
as Oxigraph's substitutions bind them on the embedded store; nothing else of the text is
touched, and the text sent is checked again as a whole. (A *trailing* ``VALUES`` block,
which SPARQL allows after the query, was the first design: Virtuoso 7.2 answers four of
the catalogue's queries wrongly with it, with rows of every alliance or ACO instead of the
one asked for; see tests/test_virtuoso.py.)

Examples
--------
>>> import pyoxigraph as ox
>>> print(values_clause({"aco": ox.NamedNode("https://w3id.org/aco-kg/id/organization/a"),
...                      "name": 'x" } #'}))
<BLANKLINE>
VALUES (?aco ?name) { (<https://w3id.org/aco-kg/id/organization/a> "x\\" } #") }
>>> print(bind_values("PREFIX s: <https://e.org/x#>\\nSELECT ?a ('{' AS ?b) # {\\nWHERE { ?a s:p ?c }",
...                   {"a": ox.NamedNode("https://e.org/a")}))
PREFIX s: <https://e.org/x#>
SELECT ?a ('{' AS ?b) # {
WHERE {
VALUES (?a) { (<https://e.org/a>) }
 ?a s:p ?c }
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Mapping

import pyoxigraph as ox

from kg.core.errors import UsageError
from kg.sparql.check import check_query
from kg.sparql.limits import QueryTimeout, RowLimitExceeded
from kg.sparql.solutions import Solutions
from kg.sparql.terms import XSD, Cell, to_term

__all__ = ["EndpointError", "values_clause", "bind_values", "time_limit_parameter", "solutions_remote",
           "select_remote", "unknown_iris_remote", "graph_store_url", "push"]

_RESULTS_JSON = "application/sparql-results+json"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
#: Virtuoso's "anytime query": a query stopped at the server's time limit still answers
#: 200 with the solutions found so far, and says so only in this header
_PARTIAL_RESULTS = ("X-SQL-State", "S1TAT")


class EndpointError(UsageError):
    """The endpoint could not be reached or answered with an error."""


def values_clause(bindings: Mapping[str, Any] | None) -> str:
    """Return a trailing ``VALUES`` block binding each variable to one RDF term ("" if none)."""
    if not bindings:
        return ""
    names = list(bindings)
    for name in names:
        ox.Variable(name)  # raises ValueError for a name that is not a SPARQL variable
    terms = " ".join(str(to_term(bindings[n])) for n in names)
    return f"\nVALUES ({' '.join('?' + n for n in names)}) {{ ({terms}) }}"


#: What the scan for the WHERE group steps over whole: strings (long ones first), IRIs,
#: comments; anything else is read one character at a time.
_SKIPPED = re.compile("|".join([
    r'"""(?:[^"\\]|\\.|"(?!""))*"""',  # long strings
    r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n]|\\.)*"',  # strings
    r"'(?:[^'\\\n]|\\.)*'",
    r'<[^<>"{}|^`\\\x00-\x20]*>',  # IRIs
    r"#[^\n]*",  # comments
]))


def _where_group(query: str) -> int | None:
    """The position of the ``{`` that opens the WHERE group of a SELECT query, or None.

    It is the first ``{`` outside parentheses: the prologue has none, and every expression
    of a SELECT clause (``(EXISTS { ... } AS ?x)``) is in parentheses.
    """
    depth, position = 0, 0
    while position < len(query):
        skipped = _SKIPPED.match(query, position)
        if skipped:
            position = skipped.end()
            continue
        character = query[position]
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        elif character == "{" and depth == 0:
            return position
        position += 1
    return None


def bind_values(query: str, bindings: Mapping[str, Any] | None) -> str:
    """`query` with a ``VALUES`` block binding `bindings`, first in its WHERE group.

    A query whose WHERE group cannot be found gets the block at its end instead (SPARQL's
    trailing ``VALUES``); either way the result is checked again before it is sent.
    """
    block = values_clause(bindings)
    if not block:
        return query
    opening = _where_group(query)
    if opening is None:
        return query + block
    return f"{query[:opening + 1]}{block}\n{query[opening + 1:]}"


def _request(request: urllib.request.Request, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            header, value = _PARTIAL_RESULTS
            if (response.headers.get(header) or "").strip() == value:
                raise QueryTimeout(
                    f"{request.full_url} stopped the query at its own time limit and sent "
                    f"only the solutions found so far ({header}: {value}); an incomplete "
                    "answer is refused: narrow the query or raise the limit",
                    argument="timeout")
            return response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read(600).decode("utf-8", errors="replace").strip()
        raise EndpointError(f"{request.get_method()} {request.full_url} failed: HTTP {exc.code} "
                            f"{exc.reason}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"cannot reach {request.full_url}: {reason}") from None


def _cell(binding: dict) -> Cell:
    """A term of a SPARQL JSON result as a cell (``typed-literal``, which Virtuoso writes
    for a typed literal, is read as a literal)."""
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return ("I", value)
    if kind == "bnode":
        return ("B", value)
    if "xml:lang" in binding:
        return ("L", value, _LANG_STRING, binding["xml:lang"])
    return ("L", value, binding.get("datatype") or XSD + "string", None)


def time_limit_parameter(spec: str | None, seconds: float) -> dict[str, str]:
    """The request parameter that asks a server to stop a query after `seconds`.

    The SPARQL 1.1 Protocol has no such parameter; some servers read one of their own.
    `spec` names it and its unit, ``NAME:s`` or ``NAME:ms`` (Virtuoso: ``timeout:ms``);
    None sends nothing, and the server may then go on running a query the client has
    stopped waiting for.

    >>> time_limit_parameter("timeout:ms", 2.5)
    {'timeout': '2500'}
    >>> time_limit_parameter(None, 2.5)
    {}
    """
    if spec is None:
        return {}
    name, _, unit = spec.partition(":")
    if not name or unit not in ("s", "ms") or name == "query":
        raise UsageError(f"must be NAME:s or NAME:ms (e.g. timeout:ms), got {spec!r}",
                         argument="endpoint_time_parameter")
    return {name: str(round(seconds * 1000)) if unit == "ms" else f"{seconds:g}"}


def solutions_remote(query: str, endpoint: str, bindings: Mapping[str, Any] | None = None, *,
                     timeout: float = 60, max_rows: int | None = None, truncate: bool = False,
                     time_parameter: str | None = None) -> Solutions:
    """Run a SELECT query on a SPARQL 1.1 endpoint and return its solutions.

    Parameters
    ----------
    query : str
        The query text (checked by the caller).
    endpoint : str
        The query endpoint, e.g. ``http://127.0.0.1:7878/query``.
    bindings : mapping, optional
        Variable values, sent as a ``VALUES`` block of RDF terms (:func:`bind_values`).
    timeout : float
        Socket timeout in seconds, and the time limit sent to the server (see below).
    max_rows : int, optional
        Raise :class:`kg.sparql.limits.RowLimitExceeded` when more rows come back (or,
        with `truncate`, keep the first `max_rows`).
    truncate : bool
        Keep the first `max_rows` solutions instead of failing.
    time_parameter : str, optional
        The server's own time-limit parameter, ``NAME:s`` or ``NAME:ms``
        (:func:`time_limit_parameter`).

    Raises
    ------
    EndpointError
        If the endpoint cannot be reached or reports an error.
    kg.sparql.limits.QueryTimeout
        If the server says it stopped the query at its own time limit and sent part of
        the answer (Virtuoso's ``X-SQL-State: S1TAT``).
    """
    # the parameters travel as text: check the whole text that is sent, and send what was checked
    sent = check_query(bind_values(query, bindings)).text
    body = urllib.parse.urlencode({"query": sent, **time_limit_parameter(time_parameter, timeout)}
                                  ).encode("utf-8")
    request = urllib.request.Request(
        endpoint, data=body, method="POST",
        headers={"Accept": _RESULTS_JSON,
                 "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    payload = _request(request, timeout)
    try:
        results = json.loads(payload)
        columns = tuple(results["head"]["vars"])
        solutions = results["results"]["bindings"]
    except (ValueError, KeyError, TypeError):
        raise EndpointError(f"{endpoint} did not answer with SPARQL JSON results: "
                            f"{payload[:200]!r}") from None
    truncated = False
    if max_rows is not None and len(solutions) > max_rows:
        if not truncate:
            raise RowLimitExceeded(max_rows)
        solutions, truncated = solutions[:max_rows], True
    rows = [tuple(_cell(s[c]) if c in s else None for c in columns) for s in solutions]
    return Solutions(columns, rows, truncated)


def select_remote(query: str, endpoint: str, bindings: Mapping[str, Any] | None = None, *,
                  timeout: float = 60, max_rows: int | None = None,
                  time_parameter: str | None = None):
    """:func:`solutions_remote` as a typed DataFrame (see :func:`kg.sparql.select.typed_frame`)."""
    from kg.sparql.select import solutions_frame

    return solutions_frame(solutions_remote(query, endpoint, bindings, timeout=timeout,
                                            max_rows=max_rows, time_parameter=time_parameter))


#: Whether a resource is named anywhere in the graph (bound to ?resource).
_NAMED = "SELECT ?resource WHERE { { ?resource ?p ?o } UNION { ?s ?p ?resource } } LIMIT 1"


def unknown_iris_remote(endpoint: str, iris: list[str], *, timeout: float = 60,
                        time_parameter: str | None = None) -> dict[str, list[str]]:
    """The IRIs of `iris` that name nothing in the endpoint's graph (as subject or object).

    The remote store is not searched for close IRIs: each unknown IRI maps to ``[]``.
    """
    unknown = {}
    for value in iris:
        found = solutions_remote(_NAMED, endpoint, {"resource": ox.NamedNode(value)},
                                 timeout=timeout, time_parameter=time_parameter)
        if not len(found):
            unknown[value] = []
    return unknown


def graph_store_url(endpoint: str, graph: str | None = None) -> str:
    """Return the Graph Store Protocol address of the default graph or of `graph`.

    >>> graph_store_url("http://127.0.0.1:7878/store")
    'http://127.0.0.1:7878/store?default'
    >>> graph_store_url("http://127.0.0.1:7878/store", "https://w3id.org/aco-kg/graph")
    'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Faco-kg%2Fgraph'
    """
    joiner = "&" if "?" in endpoint else "?"
    if graph is None:
        return f"{endpoint}{joiner}default"
    return f"{endpoint}{joiner}{urllib.parse.urlencode({'graph': graph})}"


def push(out: str | Path, endpoint: str, graph: str | None = None, *,
         timeout: float = 300) -> list[tuple[str, int]]:
    """Load a published graph into a store through the SPARQL 1.1 Graph Store Protocol.

    The data (``graph.nt``) replace the target graph (HTTP PUT), then the ontology and
    code lists (``ontology.ttl``) are added to it (HTTP POST), so the remote graph holds
    what the embedded store holds and every canned query gives the same answer.

    Parameters
    ----------
    out : path
        A published output folder (``out/``).
    endpoint : str
        The Graph Store Protocol address, e.g. ``http://127.0.0.1:7878/store``.
    graph : str, optional
        The named graph to load into; the default graph when omitted.

    Returns
    -------
    list of (file name, bytes sent)

    Raises
    ------
    kg.core.errors.UsageError
        If `out` is not a published graph or `graph` is not an IRI.
    EndpointError
        If the store refuses a request.
    """
    out = Path(out)
    files = [(out / "graph.nt", "application/n-triples"), (out / "ontology.ttl", "text/turtle")]
    for path, _ in files:
        if not path.is_file():
            raise UsageError(f"no {path.name} in {out}: run 'aco-kg build' first")
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError:
            raise UsageError(f"must be an IRI, got {graph!r}", argument="graph") from None
    target = graph_store_url(endpoint, graph)
    sent = []
    for number, (path, content_type) in enumerate(files):
        data = path.read_bytes()
        request = urllib.request.Request(target, data=data, method="PUT" if number == 0 else "POST",
                                         headers={"Content-Type": content_type})
        _request(request, timeout)
        sent.append((path.name, len(data)))
    return sent
