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

from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from kg.core.errors import UsageError
from kg.sparql.catalogue import (CannedQuery, Header, ParameterError, bind_parameters, has_header,
                        load_query)
from kg.sparql.check import check_query

__all__ = ["DEFAULT_TIMEOUT", "DEFAULT_MAX_ROWS", "resolve", "query", "adhoc_bindings"]

#: Seconds a query may run before it is stopped.
DEFAULT_TIMEOUT = 60.0
#: Rows a query may return before it is stopped.
DEFAULT_MAX_ROWS = 100_000


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
        body = candidate.read_text(encoding="utf-8", errors="replace")
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


def _embedded(store: str, text: str, bindings: dict, max_rows: int) -> pd.DataFrame:
    """Run in the worker: open the store read-only and query it with the network refused."""
    from kg.core.offline import no_network
    from kg.sparql.select import select
    from kg.graph.store import open_store

    from kg.sparql.limits import QueryFailed
    from kg.sparql.select import RowLimitExceeded

    with no_network():
        try:
            return select(text, open_store(store), bindings, max_rows=max_rows)
        except RowLimitExceeded:
            raise
        except (SyntaxError, ValueError, RuntimeError, OSError) as exc:
            raise QueryFailed(f"the store could not run the query: {exc}") from None


def _remote(endpoint: str, text: str, bindings: dict, max_rows: int, timeout: float,
            time_parameter: str | None) -> pd.DataFrame:
    from kg.sparql.endpoint import select_remote

    return select_remote(text, endpoint, bindings, timeout=timeout, max_rows=max_rows,
                         time_parameter=time_parameter)


def query(name_or_file: str | Path | None = None, params: Mapping[str, Any] | None = None, *,
          text: str | None = None, store: str | Path = "out/store", endpoint: str | None = None,
          timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
          endpoint_time_parameter: str | None = None) -> pd.DataFrame:
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

    Raises
    ------
    kg.core.errors.UsageError
        For an unknown query or parameter, a wrong parameter type, a refused query
        (SERVICE, FROM, an update), a syntax error, a missing store, an unreachable
        endpoint; :class:`kg.sparql.limits.QueryTimeout` and
        :class:`kg.sparql.select.RowLimitExceeded` (both UsageErrors) when a limit is hit.
    """
    from kg.sparql.endpoint import time_limit_parameter
    from kg.sparql.limits import check_timeout, run_limited

    timeout = check_timeout(timeout)
    time_limit_parameter(endpoint_time_parameter, timeout)  # refuse a bad one before running

    if max_rows is None or int(max_rows) < 0:
        raise UsageError(f"the row cap must be zero or more, got {max_rows}")
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
    from kg.sparql.order import in_order

    if endpoint is not None:
        frame = run_limited(_remote, (endpoint, checked.text, bindings, int(max_rows), timeout,
                                      endpoint_time_parameter),
                            timeout=timeout, network=True)
    else:
        store = Path(store)
        if not (store / "CURRENT").exists():
            raise UsageError(f"no Oxigraph store at {store}: run 'aco-kg build' (or 'make demo') first")
        frame = run_limited(_embedded, (str(store), checked.text, bindings, int(max_rows)),
                            timeout=timeout)
    # a query that declares its order in the header ('# order:') rather than by ORDER BY
    return in_order(frame, canned.header.order)
