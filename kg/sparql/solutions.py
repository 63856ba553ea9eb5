"""The solutions of a SELECT query as plain data, and what the sealed query worker runs.

:class:`Solutions` holds a result as :mod:`kg.sparql.terms` cells, which keep every RDF
term whole (an IRI, a typed or tagged literal, a blank node) for a SPARQL results
document, and turn into Python values for a DataFrame. The functions :func:`run_embedded`
and :func:`unknown_iris` run inside the query worker (:mod:`kg.sparql.limits`), which is
why this module imports pyoxigraph and nothing heavier: the worker starts without pandas.

Examples
--------
>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> for n in range(3):
...     store.add(ox.Quad(ox.NamedNode(f"https://example.org/s{n}"),
...                       ox.NamedNode("https://example.org/p"), ox.Literal(str(n))))
>>> first = collect(store.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"),
...                 max_rows=2, truncate=True)
>>> first.truncated, [s.values() for s in first.records()]
(True, [['https://example.org/s0'], ['https://example.org/s1']])
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

import pyoxigraph as ox

from kg.sparql.limits import QueryFailed, RowLimitExceeded
from kg.sparql.terms import Cell, cell_value, encode, to_term

__all__ = ["Solutions", "Record", "collect", "run_embedded", "unknown_iris", "close_iris"]


@dataclass(frozen=True)
class Record:
    """One solution: its cells in the order of the variables."""

    cells: tuple[Cell, ...]

    def values(self) -> list[Any]:
        """The Python values of the cells (see :func:`kg.sparql.terms.cell_value`)."""
        return [cell_value(c) for c in self.cells]


@dataclass(frozen=True)
class Solutions:
    """The result of a SELECT query.

    Attributes
    ----------
    variables : tuple of str
        The projected variables, in order.
    rows : list of tuple
        One tuple of cells per solution.
    truncated : bool
        True when the query had more solutions than the row cap and only the first
        ``len(rows)`` were kept (asked for with ``truncate=True``).
    """

    variables: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(repr=False)
    truncated: bool = False

    def records(self) -> Iterator[Record]:
        return (Record(row) for row in self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def collect(solutions, *, max_rows: int | None = None, truncate: bool = False) -> Solutions:
    """Read Oxigraph's query solutions into :class:`Solutions`, stopping at the row cap.

    Raises
    ------
    kg.sparql.limits.RowLimitExceeded
        If more than `max_rows` solutions come and `truncate` is False.
    """
    variables = tuple(v.value for v in solutions.variables)
    width = range(len(variables))
    rows = []
    for solution in solutions:
        if max_rows is not None and len(rows) >= max_rows:
            if truncate:
                return Solutions(variables, rows, truncated=True)
            raise RowLimitExceeded(max_rows)
        rows.append(tuple([encode(solution[i]) for i in width]))
    return Solutions(variables, rows)


_open_stores: dict[str, ox.Store] = {}


def _store(path: str) -> ox.Store:
    """The store at `path`, opened read-only once per worker (by its real path, so that a
    new release published under the same name is opened afresh)."""
    from kg.graph.store import open_store

    real = os.path.realpath(path)
    if real not in _open_stores:
        _open_stores.clear()  # one store at a time: an older release is let go
        _open_stores[real] = open_store(real)
    return _open_stores[real]


def run_embedded(store: str, text: str, bindings: Mapping[str, Any], max_rows: int,
                 truncate: bool = False) -> Solutions:
    """Run a checked query on a published store (in the sealed worker).

    Parameters
    ----------
    store : str
        The store folder.
    text : str
        The checked text of the query (:func:`kg.sparql.check.check_query`).
    bindings : mapping
        Values of variables, bound as RDF terms (Oxigraph's substitutions).
    max_rows : int
        The row cap.
    truncate : bool
        Keep the first `max_rows` solutions instead of failing when there are more.
    """
    from kg.core.offline import no_network

    substitutions = {ox.Variable(k): to_term(v) for k, v in (bindings or {}).items()}
    with no_network():
        try:
            return collect(_store(store).query(text, substitutions=substitutions),
                           max_rows=max_rows, truncate=truncate)
        except RowLimitExceeded:
            raise
        except (SyntaxError, ValueError, RuntimeError, OSError) as exc:
            raise QueryFailed(f"the store could not run the query: {exc}") from None


def _named(store: ox.Store, node: ox.NamedNode) -> bool:
    """Whether the graph says anything about `node`: as subject, predicate or object."""
    for pattern in ((node, None, None), (None, None, node), (None, node, None)):
        if next(iter(store.quads_for_pattern(*pattern)), None) is not None:
            return True
    return False


def close_iris(wanted: str, candidates, limit: int = 3) -> list[str]:
    """The candidates closest to `wanted`, judged on what follows their common namespace.

    >>> close_iris("https://e.org/id/organization/acess-aco",
    ...            ["https://e.org/id/organization/access-aco", "https://e.org/id/organization/b"])
    ['https://e.org/id/organization/access-aco']
    """
    namespace = wanted.rsplit("/", 1)[0] + "/" if "/" in wanted else ""
    local = {c[len(namespace):]: c for c in candidates if c.startswith(namespace)}
    matches = difflib.get_close_matches(wanted[len(namespace):], list(local), n=limit, cutoff=0.6)
    return [local[m] for m in matches]


def unknown_iris(store: str, iris: list[str]) -> dict[str, list[str]]:
    """The IRIs of `iris` that name nothing in the graph, each with the closest IRIs that do.

    Runs in the sealed worker. Close IRIs are looked for among the subjects that share the
    unknown IRI's namespace (everything up to its last ``/``), only for unknown IRIs.
    """
    opened = _store(store)
    unknown = {}
    for value in iris:
        node = ox.NamedNode(value)
        if _named(opened, node):
            continue
        namespace = value.rsplit("/", 1)[0] + "/"
        found = opened.query(
            "SELECT DISTINCT ?s ?namespace WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), ?namespace)) }",
            substitutions={ox.Variable("namespace"): ox.Literal(namespace)})
        unknown[value] = close_iris(value, (row["s"].value for row in found
                                            if isinstance(row["s"], ox.NamedNode)))
    return unknown
