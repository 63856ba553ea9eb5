"""The read queries: the tables of the graph that the analysis and the map both read.

``queries/tables/NAME.rq`` holds one query per table (``organizations``, ``boards``,
``board_seats``, ``services``, ...), each with the header that says what it returns
and in which order. :func:`read_table` runs one on a store and gives its rows in that
order (:mod:`kg.sparql.order`): nodes and code-list values as IRIs, numbers, booleans and
dates as such, anything not recorded missing (never 0). The analysis
(:func:`kg.analysis.analyze.load_tables`) and the map
(:func:`kg.products.maps.load.load_map_graph`) read the same files, so a fact reaches both
by the same query; each adds what only it needs (``periods`` and ``aco_participants`` for
the map, ``fees``, ``tensions`` and ``sources`` for the analysis).

Examples
--------
>>> import pyoxigraph as ox
>>> read_table(ox.Store(), "organizations").columns.tolist()[:3]
['org', 'name', 'kind']
>>> notations(read_table(ox.Store(), "code_labels"))
{}
"""

from __future__ import annotations

from typing import Iterable, Mapping

import pandas as pd

from kg.core.resources import query_dir
from kg.sparql.order import select_in_order

__all__ = ["QUERIES", "TABLE_NAMES", "read_table", "read_tables", "notations",
           "as_notations"]

#: The folder of the read queries.
QUERIES = query_dir() / "tables"
#: Every table there is, by its query's name.
TABLE_NAMES = tuple(sorted(p.stem for p in QUERIES.glob("*.rq")))


def read_table(store, name: str) -> pd.DataFrame:
    """Run the read query `name` on `store` and return its rows in their declared order.

    Parameters
    ----------
    store : pyoxigraph.Store
    name : str
        One of :data:`TABLE_NAMES`.

    Raises
    ------
    ValueError
        For a name that is not a read query.
    """
    if name not in TABLE_NAMES:
        raise ValueError(f"no read query {name!r}; one of {', '.join(TABLE_NAMES)}")
    return select_in_order(QUERIES / f"{name}.rq", store)


def read_tables(store, names: Iterable[str]) -> dict[str, pd.DataFrame]:
    """:func:`read_table` for each of `names`, keyed by name."""
    return {name: read_table(store, name) for name in names}


def notations(code_labels: pd.DataFrame) -> dict[str, str]:
    """Concept IRI -> notation, from the ``code_labels`` table.

    >>> notations(pd.DataFrame({"concept": ["https://w3id.org/aco-kg/code/org-kind/aco"],
    ...                         "notation": ["aco"], "label": ["ACO"]}))
    {'https://w3id.org/aco-kg/code/org-kind/aco': 'aco'}
    """
    return dict(zip(code_labels["concept"], code_labels["notation"]))


def as_notations(frame: pd.DataFrame, columns: Iterable[str],
                 notation_of: Mapping[str, str]) -> pd.DataFrame:
    """A copy of `frame` with the concept IRIs of `columns` replaced by their notations.

    A value that is no concept of the code lists is kept as it is (never dropped); a
    missing value stays missing.

    >>> frame = pd.DataFrame({"kind": ["https://example.org/k/aco", None, "other"]})
    >>> kinds = as_notations(frame, ["kind"], {"https://example.org/k/aco": "aco"})["kind"]
    >>> kinds[0], pd.isna(kinds[1]), kinds[2]
    ('aco', True, 'other')
    """
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].map(
            lambda value: notation_of.get(value, value) if isinstance(value, str) else value)
    return frame
