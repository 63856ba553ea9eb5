"""Query results sorted in Python, by the order their query's header declares.

An ``ORDER BY`` makes Oxigraph decode and compare every row's terms before it returns
the first one; on the national graph that is a third of the time of the analysis and map
queries. Those queries therefore declare their order in a header line instead,
``# order: board seat``, and :func:`select_in_order` sorts the result table by those
columns, as ``ORDER BY ?board ?seat`` would: unbound values first, IRIs and text by code
point, numbers by value, rows that tie kept in the order the store returned them (a
stable sort, as Oxigraph's).

Examples
--------
>>> declared_order("# question: q\\n# order: board seat\\n# returns: board seat\\nSELECT ...")
['board', 'seat']
>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> for s in ("b", "a", "c"):
...     store.add(ox.Quad(ox.NamedNode(f"https://example.org/{s}"),
...                       ox.NamedNode("https://example.org/p"), ox.Literal(s)))
>>> select_in_order("# order: s\\nSELECT ?s ?o WHERE { ?s ?p ?o }", store)["o"].tolist()
['a', 'b', 'c']
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from kg.sparql import select

__all__ = ["declared_order", "select_in_order"]

_ORDER = re.compile(r"^#\s*order:\s*(.*)$", re.IGNORECASE)


def declared_order(text: str) -> list[str]:
    """The columns of the ``# order:`` header line (empty when there is none)."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        match = _ORDER.match(stripped)
        if match:
            return match.group(1).replace(",", " ").split()
    return []


def select_in_order(query: str | Path, store) -> pd.DataFrame:
    """Run a SELECT query (text or ``.rq`` file) and sort the result by its declared order."""
    text = query.read_text(encoding="utf-8") if isinstance(query, Path) else query
    frame = select(text, store)
    keys = declared_order(text)
    if keys and len(frame):
        frame = frame.sort_values(keys, kind="stable", na_position="first", ignore_index=True)
    return frame
