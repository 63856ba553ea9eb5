"""Node positions for the network maps, computed before the page is written.

The browser does not lay the map out: with vis-network's physics a 2,000-node map takes
minutes to settle (see ``BENCHMARKS.md``). Positions are computed here instead, with a
seed, so that the same graph and the same seed always give the same picture:

- up to :data:`SMALL_GRAPH` nodes, networkx's ``spring_layout`` (Fruchterman-Reingold);
- above that, Graphviz ``sfdp`` (a multilevel force-directed layout with a Barnes-Hut
  quadtree), which lays out 5,000 nodes in a few seconds where ``spring_layout`` takes over
  a minute. ``sfdp`` comes from Debian's ``graphviz`` package (``make system-deps``);
  without it the small-graph method is used, slowly, and a warning says so.

Only integer indices are handed to Graphviz, never names from the data.

Examples
--------
>>> positions = layout(["a", "b", "c"], [("a", "b"), ("b", "c")], seed=1)
>>> sorted(positions)
['a', 'b', 'c']
>>> positions == layout(["a", "b", "c"], [("a", "b"), ("b", "c")], seed=1)
True
"""

from __future__ import annotations

import math
import shutil
import subprocess
import warnings
from typing import Iterable, Sequence

__all__ = ["SMALL_GRAPH", "LayoutError", "layout", "spring_positions", "sfdp_positions"]

#: Largest graph laid out with networkx's spring layout when ``method="auto"``.
SMALL_GRAPH = 400
_SFDP_TIMEOUT_S = 300
# pixels per sqrt(node) of a component, and between components: room for the labels
_COMPONENT_SPACING = 165.0
_GAP = 80.0


class LayoutError(RuntimeError):
    """Graphviz failed to lay the graph out."""


def _scale(raw: dict, nodes: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Centre the positions and stretch them to a square whose side grows with sqrt(n)."""
    if not raw:
        return {}
    xs = [raw[n][0] for n in nodes]
    ys = [raw[n][1] for n in nodes]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    side = max(700.0, 110.0 * math.sqrt(len(nodes)))
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    # round to whole pixels: the layout is identical across runs and the page is smaller
    return {n: (round((raw[n][0] - cx) / span * side), round(-(raw[n][1] - cy) / span * side))
            for n in nodes}


def spring_positions(nodes: Sequence[str], edges: Iterable[tuple[str, str]], *,
                     seed: int = 0) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold positions from networkx (fine below a few hundred nodes).

    Each connected component is laid out on its own, sized by the square root of its node
    count, and the components are packed in rows, largest first: a spring layout of a
    disconnected graph would push the components apart and crush each one into a clump.
    """
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    order = {n: i for i, n in enumerate(nodes)}
    components = sorted((sorted(c, key=order.__getitem__) for c in nx.connected_components(graph)),
                        key=lambda c: (-len(c), order[c[0]]))
    boxes = []
    for component in components:
        side = _COMPONENT_SPACING * math.sqrt(len(component))
        if len(component) == 1:
            boxes.append((side, {component[0]: (0.0, 0.0)}))
            continue
        raw = nx.spring_layout(graph.subgraph(component), seed=seed, iterations=300)
        xs = [float(raw[n][0]) for n in component]
        ys = [float(raw[n][1]) for n in component]
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        boxes.append((side, {n: ((float(raw[n][0]) - cx) / span * side,
                                 (float(raw[n][1]) - cy) / span * side) for n in component}))
    # shelf packing: fill rows up to a width that makes the whole roughly square
    width = max(max(b[0] for b in boxes), math.sqrt(sum((b[0] + _GAP) ** 2 for b in boxes)) * 1.3)
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for side, local in boxes:
        if x > 0 and x + side > width:
            x, y, row_height = 0.0, y + row_height + _GAP, 0.0
        for n, (px, py) in local.items():
            positions[n] = (round(x + side / 2 + px), round(y + side / 2 + py))
        x += side + _GAP
        row_height = max(row_height, side)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {n: (round(positions[n][0] - cx), round(positions[n][1] - cy)) for n in nodes}


def sfdp_positions(nodes: Sequence[str], edges: Iterable[tuple[str, str]], *,
                   seed: int = 0, executable: str = "sfdp") -> dict[str, tuple[float, float]]:
    """Positions from Graphviz ``sfdp`` with ``start=seed`` (deterministic for a seed).

    Raises
    ------
    LayoutError
        If ``sfdp`` is missing, fails or runs longer than five minutes.
    """
    index = {n: i for i, n in enumerate(nodes)}
    lines = ["graph G {", "node [shape=point];"]
    lines += [f"{i};" for i in range(len(nodes))]
    lines += [f"{index[a]} -- {index[b]};" for a, b in edges]
    lines.append("}")
    # quadtree=fast and no overlap removal: 5,000 nodes in about 2 s instead of 5 s;
    # the map draws small nodes, so the little overlap left does not hide anything
    command = [executable, "-Tplain", f"-Gstart={int(seed)}", "-Gquadtree=fast",
               "-Goverlap=true", "-Gsmoothing=none"]
    try:
        done = subprocess.run(command, input="\n".join(lines), capture_output=True, text=True,
                              timeout=_SFDP_TIMEOUT_S, check=False)
    except FileNotFoundError as exc:
        raise LayoutError(f"Graphviz '{executable}' is not installed (make system-deps)") from exc
    except subprocess.TimeoutExpired as exc:
        raise LayoutError(f"sfdp took longer than {_SFDP_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise LayoutError(f"sfdp failed: {done.stderr.strip()[:500]}")
    raw = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == "node":
            raw[nodes[int(parts[1])]] = (float(parts[2]), float(parts[3]))
    if len(raw) != len(nodes):
        raise LayoutError(f"sfdp placed {len(raw)} of {len(nodes)} nodes")
    return _scale(raw, nodes)


def layout(nodes: Sequence[str], edges: Iterable[tuple[str, str]], *, seed: int = 0,
           method: str = "auto") -> dict[str, tuple[float, float]]:
    """Compute a position for every node; the same inputs and seed give the same output.

    Parameters
    ----------
    nodes : sequence of str
        Node identifiers, in a stable order (the order is part of the input).
    edges : iterable of (str, str)
        Links between nodes (direction and duplicates do not matter).
    seed : int
        Seed of the layout's random start.
    method : {"auto", "spring", "sfdp"}
        ``auto`` picks spring up to :data:`SMALL_GRAPH` nodes and sfdp above.

    Returns
    -------
    dict
        Node -> (x, y) in screen pixels, centred on (0, 0), y growing downwards.
    """
    nodes = list(nodes)
    edges = [(a, b) for a, b in edges if a != b]
    if not nodes:
        return {}
    if method not in ("auto", "spring", "sfdp"):
        raise ValueError(f"unknown layout method {method!r}")
    if method == "auto":
        method = "spring" if len(nodes) <= SMALL_GRAPH else "sfdp"
        if method == "sfdp" and shutil.which("sfdp") is None:
            warnings.warn("Graphviz sfdp is not installed (make system-deps); falling back to "
                          "networkx spring_layout, which is slow on large graphs",
                          RuntimeWarning, stacklevel=2)
            method = "spring"
    if method == "sfdp":
        return sfdp_positions(nodes, edges, seed=seed)
    return spring_positions(nodes, edges, seed=seed)
