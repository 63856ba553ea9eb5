"""The SPARQL 1.1 Protocol, read-only: which requests are queries, and in which format to answer.

Pure functions of a request's parts (method, URL parameters, content type, body, Accept
header), so that every rule is tested without a server:

- a query comes as ``GET ?query=``, as ``POST`` of a form (``query=``), or as ``POST`` of
  ``application/sparql-query``; anything else that names a query is refused;
- updates are refused (an ``update`` parameter, ``application/sparql-update``), and so are
  ``default-graph-uri`` and ``named-graph-uri``: like ``FROM``, they would make the
  dataset something other than the store's graph;
- the answer is SPARQL JSON unless the Accept header prefers CSV or TSV (a wildcard gets
  JSON); an Accept header that allows none of them is answered 406;
- ``download=csv|tsv|json`` asks for the file ``aco-kg query --format csv|tsv|json``
  prints, as an attachment (the editor's download links).

Examples
--------
>>> request = query_request("GET", "query=SELECT+*+WHERE+%7B%7D", None, b"", "text/csv")
>>> request.text, request.media_type
('SELECT * WHERE {}', 'text/csv')
>>> query_request("POST", "", "application/sparql-update", b"CLEAR ALL", None)
Traceback (most recent call last):
...
kg.products.workbench.protocol.ProtocolError: 403: updates are refused: this endpoint is read-only
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from kg.sparql.results import MEDIA_TYPES

__all__ = ["MAX_BODY_BYTES", "DOWNLOADS", "ProtocolError", "QueryRequest", "query_request",
           "negotiate"]

#: The largest request body accepted (a query of a megabyte is not a query a person wrote).
MAX_BODY_BYTES = 1 << 20
#: The files the editor's download links ask for: the command line's formats.
DOWNLOADS = {"csv": "text/csv", "tsv": "text/tab-separated-values", "json": "application/json"}
_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
_PREFERENCE = list(MEDIA_TYPES)  # JSON first: the answer when the client takes anything


class ProtocolError(Exception):
    """A request the endpoint refuses, with the HTTP status to answer and the reason."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


@dataclass(frozen=True)
class QueryRequest:
    """A query request: its text and what to answer with.

    Attributes
    ----------
    text : str
        The query, as sent (it is checked like any ad-hoc query before it runs).
    media_type : str
        The results format negotiated (:data:`kg.sparql.results.MEDIA_TYPES`).
    download : str or None
        ``csv``, ``tsv`` or ``json``: answer with the command line's file instead.
    """

    text: str
    media_type: str
    download: str | None = None


def _parameters(encoded: str) -> dict[str, list[str]]:
    try:
        return urllib.parse.parse_qs(encoded, keep_blank_values=True, strict_parsing=False,
                                     errors="strict", max_num_fields=50)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(400, f"malformed parameters: {exc}") from None


def _one(parameters: dict[str, list[str]], name: str) -> str | None:
    values = parameters.get(name, [])
    if len(values) > 1:
        raise ProtocolError(400, f"the parameter {name} is given {len(values)} times")
    return values[0] if values else None


def query_request(method: str, url_query: str, content_type: str | None, body: bytes,
                  accept: str | None) -> QueryRequest:
    """Read a request to the query endpoint.

    Parameters
    ----------
    method : str
        ``GET`` or ``POST`` (the caller answers other methods 405).
    url_query : str
        The part of the URL after ``?``.
    content_type : str or None
        The Content-Type header of a POST.
    body : bytes
        The body of a POST (at most :data:`MAX_BODY_BYTES`, checked by the caller).
    accept : str or None
        The Accept header.

    Raises
    ------
    ProtocolError
        400 for a missing, repeated or undecodable query or a dataset parameter, 403 for
        an update, 406 for an Accept header that allows no results format, 415 for a POST
        of another content type.
    """
    parameters = _parameters(url_query)
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if method == "POST":
        if media == _UPDATE:
            raise ProtocolError(403, "updates are refused: this endpoint is read-only")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(400, "the request body is not UTF-8") from None
        if media == _FORM:
            for name, values in _parameters(text).items():
                parameters.setdefault(name, []).extend(values)
        elif media == _QUERY:
            if "query" in parameters:
                raise ProtocolError(400, "a query in the body and another in the URL")
            parameters["query"] = [text]
        else:
            raise ProtocolError(415, f"a query is sent as {_FORM} or {_QUERY}, not "
                                     f"{media or 'a body without a Content-Type'}")
    if "update" in parameters:
        raise ProtocolError(403, "updates are refused: this endpoint is read-only")
    for name in ("default-graph-uri", "named-graph-uri", "using-graph-uri",
                 "using-named-graph-uri"):
        if name in parameters:
            raise ProtocolError(400, f"{name} is refused: queries run on the store's own "
                                     "graph, never on another dataset")
    text = _one(parameters, "query")
    if text is None or not text.strip():
        raise ProtocolError(400, "no query: send one as the parameter 'query' (the editor is "
                                 "at /)")
    download = _one(parameters, "download")
    if download is not None and download not in DOWNLOADS:
        raise ProtocolError(400, f"download must be one of {', '.join(DOWNLOADS)}, "
                                 f"got {download!r}")
    media_type = DOWNLOADS[download] if download else negotiate(accept)
    return QueryRequest(text, media_type, download)


def _weights(accept: str) -> list[tuple[str, float]]:
    weighted = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        weight = 1.0
        for parameter in pieces[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weighted.append((pieces[0].lower(), weight))
    return weighted


def negotiate(accept: str | None) -> str:
    """The results format to answer an Accept header with (JSON by default).

    >>> negotiate(None), negotiate("text/csv;q=0.5, text/tab-separated-values")
    ('application/sparql-results+json', 'text/tab-separated-values')
    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8")
    'application/sparql-results+json'
    >>> negotiate("application/sparql-results+xml")
    Traceback (most recent call last):
    ...
    kg.products.workbench.protocol.ProtocolError: 406: no results format of this endpoint is acceptable (application/sparql-results+json, text/csv, text/tab-separated-values)
    """
    if not accept or not accept.strip():
        return _PREFERENCE[0]
    best, best_weight = None, 0.0
    for media, weight in _weights(accept):
        if media == "application/json":
            media = "application/sparql-results+json"
        if media in ("*/*", "application/*"):
            candidates = [_PREFERENCE[0]]
        elif media == "text/*":
            candidates = ["text/csv"]
        else:
            candidates = [media] if media in MEDIA_TYPES else []
        for candidate in candidates:
            if weight > best_weight or (weight == best_weight and best is not None
                                        and _PREFERENCE.index(candidate) < _PREFERENCE.index(best)):
                best, best_weight = candidate, weight
    if best is None:
        raise ProtocolError(406, "no results format of this endpoint is acceptable "
                                 f"({', '.join(MEDIA_TYPES)})")
    return best
