"""Query results sorted in Python, by the order their query's header declares.

An ``ORDER BY`` makes Oxigraph decode and compare every row's terms before it returns
the first one; on the national graph that is a third of the time of the analysis and map
queries. Those queries therefore declare their order in a header line instead,
``# order: board seat`` (read by :func:`kg.sparql.catalogue.parse_header`), and :func:`in_order`
sorts the result table by those columns, as ``ORDER BY ?board ?seat`` would: unbound
values first, IRIs and text by code point, numbers by value, rows that tie kept in the
order the store returned them (a stable sort, as Oxigraph's).

Examples
--------
>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> for s in ("b", "a", "c"):
...     store.add(ox.Quad(ox.NamedNode(f"https://example.org/{s}"),
...                       ox.NamedNode("https://example.org/p"), ox.Literal(s)))
>>> query = "# question: q\\n# returns: s o\\n# order: s\\nSELECT ?s ?o WHERE { ?s ?p ?o }"
>>> select_in_order(query, store)["o"].tolist()
['a', 'b', 'c']
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kg.sparql.catalogue import parse_header
from kg.sparql.select import select

__all__ = ["in_order", "select_in_order"]


def in_order(frame: pd.DataFrame, order: tuple[str, ...]) -> pd.DataFrame:
    """`frame` sorted by the `order` columns as ``ORDER BY`` would (unchanged without any)."""
    if not order or not len(frame):
        return frame
    return frame.sort_values(list(order), kind="stable", na_position="first", ignore_index=True)


def select_in_order(query: str | Path, store) -> pd.DataFrame:
    """Run a query with a header (text or ``.rq`` file) and sort the result by its order."""
    text = query.read_text(encoding="utf-8") if isinstance(query, Path) else query
    return in_order(select(text, store), parse_header(text, str(query)[:80]).order)
