"""Run a canned or ad-hoc query, safely and within limits, on the embedded store or an endpoint.

This is what :func:`kg.query` and ``aco-kg query`` call. In order:

1. find the query (a catalogue name, a ``.rq`` file, or text);
2. check its parameters against its header (unknown name, missing value, wrong type);
3. refuse SERVICE, FROM and updates on the parsed query (:mod:`kg.sparql.check`);
4. run it in the worker process under a wall-clock limit and a row cap
   (:mod:`kg.sparql.limits`): on the embedded Oxigraph store with network access refused, or
   on a SPARQL 1.1 endpoint (:mod:`kg.sparql.endpoint`).

Examples
--------
Build the tiny fixture and ask which alliances dissolved:

>>> import tempfile, pathlib
>>> from kg.graph.build import build
>>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
>>> _ = build(pathlib.Path(__file__).parents[2] / "tests" / "fixtures" / "tiny", out)
>>> frame = query("cq-08-dissolved-alliances", store=out / "store")
>>> frame[["allianceName", "outcomeAsOf", "locator"]].to_dict("records")
[{'allianceName': 'ACO 1 and Partner 1', 'outcomeAsOf': '2017', 'locator': 'Table 9'}]
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Mapping

from kg.core.errors import UsageError
from kg.sparql.catalogue import (CannedQuery, Header, ParameterError, bind_parameters, has_header,
                                 load_query, read_query_file)
from kg.sparql.check import CheckedQuery, check_query
from kg.sparql.limits import (DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, check_max_rows, check_timeout,
                              run_limited, warm_up)

__all__ = ["DEFAULT_TIMEOUT", "DEFAULT_MAX_ROWS", "QueryWarning", "UnknownIRIWarning",
           "RowsTruncatedWarning", "PreparedQuery", "resolve", "adhoc_bindings", "prepare",
           "solutions", "query"]


class QueryWarning(UserWarning):
    """Something about a query's answer that its reader should know."""


class UnknownIRIWarning(QueryWarning):
    """An IRI parameter names nothing in the graph, so it cannot match anything."""


class RowsTruncatedWarning(QueryWarning):
    """The answer was cut at the row cap, as asked (``truncate=True``)."""


def resolve(name_or_file: str | Path | None = None, *, text: str | None = None) -> CannedQuery:
    """Return the query to run: a catalogue name, a ``.rq`` file or the text of a query.

    A file or text without a ``# question:`` header is an ad-hoc query: it takes no
    declared parameters (see :func:`adhoc_bindings`).
    """
    if (name_or_file is None) == (text is None):
        raise UsageError("give either a query name or file, or the text of a query")
    if text is not None:
        return CannedQuery("(ad hoc)", Path("-"), Header("(ad hoc query)", (), ()), text)
    candidate = Path(name_or_file)
    if candidate.suffix == ".rq" and candidate.is_file():
        body = read_query_file(candidate)
        if not has_header(body):
            return CannedQuery(candidate.stem, candidate, Header("(ad hoc query)", (), ()), body)
    return load_query(name_or_file)


def adhoc_bindings(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Bind the parameters of an ad-hoc query: ``<...>`` is an IRI, other text a plain literal.

    >>> adhoc_bindings({"aco": "<https://w3id.org/aco-kg/id/organization/a>", "name": "x"})
    {'aco': <NamedNode value=https://w3id.org/aco-kg/id/organization/a>, 'name': 'x'}
    """
    from kg.sparql.catalogue import ParameterError, Parameter, convert_value

    bound = {}
    for name, value in (params or {}).items():
        if not name.isidentifier():
            raise ParameterError(f"{name!r} is not a variable name")
        if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
            bound[name] = convert_value(Parameter(name, "IRI", False, ""), value)
        else:
            bound[name] = value
    return bound


@dataclass(frozen=True)
class PreparedQuery:
    """A query ready to run: found, its parameters bound, its text checked.

    Attributes
    ----------
    canned : CannedQuery
        The query as found (its header gives the row order, if it declares one).
    checked : CheckedQuery
        The checked text: the only text an engine is given.
    bindings : dict
        Parameter values, as RDF terms or Python values, by variable name.
    """

    canned: CannedQuery
    checked: CheckedQuery
    bindings: dict[str, Any]


def prepare(name_or_file: str | Path | None = None, params: Mapping[str, Any] | None = None, *,
            text: str | None = None) -> PreparedQuery:
    """Find a query, bind its parameters and check it (steps 1 to 3 above).

    Raises
    ------
    kg.core.errors.UsageError
        For an unknown query or parameter, a wrong parameter type, a refused query or a
        syntax error.
    """
    canned = resolve(name_or_file, text=text)
    if canned.header.returns:  # a catalogue query: its header declares the parameters
        bindings = bind_parameters(canned, params)
    else:
        bindings = adhoc_bindings(params)
    checked = check_query(canned.text)  # from here on, only checked.text reaches an engine
    for name in bindings:
        if name not in checked.variables:
            raise ParameterError(f"parameter {name} is not a variable the query returns "
                                 "(a parameter must be one of the SELECT variables)")
    return PreparedQuery(canned, checked, bindings)


def _warn_unknown(unknown: Mapping[str, list[str]], bindings: Mapping[str, Any]) -> None:
    from kg.core.iris import compact

    names = {getattr(v, "value", None): k for k, v in bindings.items()}
    for value, close in unknown.items():
        hint = f"; did you mean {' or '.join(compact(c) for c in close)}?" if close else ""
        warnings.warn(UnknownIRIWarning(
            f"parameter {names.get(value, '?')}: <{value}> names nothing in the graph, so it "
            f"matches nothing{hint}"), stacklevel=3)


def _run(name_or_file, params, text, store, endpoint, timeout, max_rows, truncate,
         endpoint_time_parameter):
    from kg.sparql.endpoint import solutions_remote, time_limit_parameter, unknown_iris_remote
    from kg.sparql.solutions import run_embedded, unknown_iris

    timeout = check_timeout(timeout)
    time_limit_parameter(endpoint_time_parameter, timeout)  # refuse a bad one before running
    max_rows = check_max_rows(max_rows)
    warm_up(network=endpoint is not None)  # the worker starts while the query is checked
    # the query and its parameters are checked first: a mistyped name is the likelier mistake
    prepared = prepare(name_or_file, params, text=text)
    if endpoint is None:
        store = Path(store)
        if not (store / "CURRENT").exists():
            raise UsageError(f"no Oxigraph store at {store}: run 'aco-kg build' (or 'make demo') first")
    checked, bindings = prepared.checked, prepared.bindings
    iris = [v.value for v in bindings.values() if type(v).__name__ == "NamedNode"]
    if endpoint is not None:
        found = run_limited(partial(solutions_remote, timeout=timeout, max_rows=max_rows,
                                    truncate=truncate, time_parameter=endpoint_time_parameter),
                            (checked.text, endpoint, bindings), timeout=timeout, network=True)
        unknown = run_limited(partial(unknown_iris_remote, timeout=timeout,
                                      time_parameter=endpoint_time_parameter),
                              (endpoint, iris), timeout=timeout, network=True) if iris else {}
    else:
        found = run_limited(run_embedded, (str(store), checked.text, bindings, max_rows, truncate),
                            timeout=timeout)
        unknown = run_limited(unknown_iris, (str(store), iris), timeout=timeout) if iris else {}
    _warn_unknown(unknown, bindings)
    if found.truncated:
        warnings.warn(RowsTruncatedWarning(
            f"the answer has more than {max_rows} rows: only the first {max_rows} are given "
            "(the row cap)"), stacklevel=3)
    return prepared, found


def solutions(name_or_file: str | Path | None = None, params: Mapping[str, Any] | None = None, *,
              text: str | None = None, store: str | Path = "out/store",
              endpoint: str | None = None, timeout: float = DEFAULT_TIMEOUT,
              max_rows: int = DEFAULT_MAX_ROWS, truncate: bool = False,
              endpoint_time_parameter: str | None = None):
    """Run a query like :func:`query` and return its solutions as RDF terms
    (:class:`kg.sparql.solutions.Solutions`), for a SPARQL results document.

    The rows come as the engine gives them: a header's ``# order:`` is not applied.
    """
    return _run(name_or_file, params, text, store, endpoint, timeout, max_rows, truncate,
                endpoint_time_parameter)[1]


def query(name_or_file: str | Path | None = None, params: Mapping[str, Any] | None = None, *,
          text: str | None = None, store: str | Path = "out/store", endpoint: str | None = None,
          timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
          truncate: bool = False, endpoint_time_parameter: str | None = None):
    """Run a query and return its result as a DataFrame with typed columns.

    Parameters
    ----------
    name_or_file : str or Path, optional
        A catalogue name (``cq-05-partner-vetoes``; see ``aco-kg queries``) or a ``.rq`` file.
    params : mapping, optional
        Parameter values by name, as text or Python values; checked against the header
        and bound as RDF terms (never pasted into the query).
    text : str, optional
        The text of an ad-hoc query, instead of `name_or_file`.
    store : path
        The published Oxigraph store (default ``out/store``).
    endpoint : str, optional
        A SPARQL 1.1 query endpoint to use instead of the embedded store.
    timeout : float
        Wall-clock seconds before the query is stopped (finite, at most a day).
    max_rows : int
        Rows allowed before the query is stopped.
    truncate : bool
        Over `max_rows`, return the first `max_rows` rows with a
        :class:`RowsTruncatedWarning` instead of raising.
    endpoint_time_parameter : str, optional
        With `endpoint`: the server's own time-limit parameter and unit, ``NAME:s`` or
        ``NAME:ms`` (Virtuoso: ``timeout:ms``), so that the server stops the query too.
        Without it the client stops waiting at `timeout`, and the server may run on (the
        SPARQL 1.1 Protocol has no time limit of its own).

    Returns
    -------
    pandas.DataFrame
        One column per projected variable: numbers as numbers, booleans as booleans,
        ``xsd:date`` values as timestamps, unknown values missing (never 0).

    Warns
    -----
    UnknownIRIWarning
        When an IRI parameter names nothing in the graph (the message names the closest
        IRIs that exist, on the embedded store).
    RowsTruncatedWarning
        When `truncate` cut the answer at the row cap.

    Raises
    ------
    kg.core.errors.UsageError
        For an unknown query or parameter, a wrong parameter type, a refused query
        (SERVICE, FROM, an update), a syntax error, a missing store, an unreachable
        endpoint; :class:`kg.sparql.limits.QueryTimeout` and
        :class:`kg.sparql.limits.RowLimitExceeded` (both UsageErrors) when a limit is hit.
    """
    from kg.sparql.order import in_order
    from kg.sparql.select import solutions_frame

    prepared, found = _run(name_or_file, params, text, store, endpoint, timeout, max_rows,
                           truncate, endpoint_time_parameter)
    # a query that declares its order in the header ('# order:') rather than by ORDER BY
    return in_order(solutions_frame(found), prepared.canned.header.order)
