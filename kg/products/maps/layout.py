"""Node positions for the network maps, computed before the page is written.

The browser does not lay the map out: with vis-network's physics a 2,000-node map takes
minutes to settle (see ``BENCHMARKS.md``). Positions are computed here instead, with a
seed, so that the same graph and the same seed always give the same picture:

- up to :data:`SMALL_GRAPH` nodes, networkx's ``spring_layout`` (Fruchterman-Reingold);
- above that, Graphviz ``sfdp`` (a multilevel force-directed layout with a Barnes-Hut
  quadtree), which lays out 5,000 nodes in a few seconds where ``spring_layout`` takes over
  a minute. Components of up to :data:`TINY_COMPONENT` nodes (lone nodes, pairs, an ACO
  with two or three participants) are not given to sfdp, which is very slow on many
  small components: they get a fixed drawing, in rows under the main picture.
  ``sfdp`` comes from Debian's ``graphviz`` package (``make system-deps``);
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

__all__ = ["SMALL_GRAPH", "TINY_COMPONENT", "LayoutError", "layout", "spring_positions", "sfdp_positions",
           "summary_positions"]

#: Largest graph laid out with networkx's spring layout when ``method="auto"``.
SMALL_GRAPH = 400
#: Components of at most this many nodes are not given to sfdp but drawn in rows below.
TINY_COMPONENT = 4
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

    edges = list(edges)
    components = _components(nodes, edges)
    component_of = {n: i for i, component in enumerate(components) for n in component}
    edges_of: list[list[tuple[str, str]]] = [[] for _ in components]
    for a, b in edges:
        edges_of[component_of[a]].append((a, b))
    boxes = []
    for component, inside in zip(components, edges_of):
        side = _COMPONENT_SPACING * math.sqrt(len(component))
        if len(component) == 1:
            boxes.append((side, {component[0]: (0.0, 0.0)}))
            continue
        # a graph of its own, its nodes in the component's order: spring_layout draws the
        # random start in node order, and a subgraph view of a small part of a larger
        # graph iterates over a set, whose order changes from one process to the next
        graph = nx.Graph()
        graph.add_nodes_from(component)
        graph.add_edges_from(inside)
        raw = nx.spring_layout(graph, seed=seed, iterations=300)
        xs = [float(raw[n][0]) for n in component]
        ys = [float(raw[n][1]) for n in component]
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        boxes.append((side, {n: ((float(raw[n][0]) - cx) / span * side,
                                 (float(raw[n][1]) - cy) / span * side) for n in component}))
    return _centred(_pack(boxes), nodes)


def _pack(boxes: list[tuple[float, dict]], width: float | None = None,
          top: float = 0.0, left: float = 0.0) -> dict[str, tuple[float, float]]:
    """Shelf packing of square boxes (side, local positions centred on the box's middle).

    Rows are filled up to `width` (by default one that makes the whole roughly square),
    starting at (`left`, `top`), in the order of `boxes`.
    """
    if width is None:
        width = max(max(b[0] for b in boxes),
                    math.sqrt(sum((b[0] + _GAP) ** 2 for b in boxes)) * 1.3)
    positions: dict[str, tuple[float, float]] = {}
    x, y, row_height = left, top, 0.0
    for side, local in boxes:
        if x > left and x + side > left + width:
            x, y, row_height = left, y + row_height + _GAP, 0.0
        for n, (px, py) in local.items():
            positions[n] = (round(x + side / 2 + px), round(y + side / 2 + py))
        x += side + _GAP
        row_height = max(row_height, side)
    return positions


def _centred(positions: dict[str, tuple[float, float]],
             nodes: Sequence[str]) -> dict[str, tuple[float, float]]:
    """The positions moved so that their bounding box is centred on (0, 0), in `nodes` order."""
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {n: (round(positions[n][0] - cx), round(positions[n][1] - cy)) for n in nodes}


def _components(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[list[str]]:
    """Connected components, each in `nodes` order, largest first (ties: first node)."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    order = {n: i for i, n in enumerate(nodes)}
    return sorted((sorted(c, key=order.__getitem__) for c in nx.connected_components(graph)),
                  key=lambda c: (-len(c), order[c[0]]))


def _small_component_box(component: list[str],
                         edges: Sequence[tuple[str, str]]) -> tuple[float, dict]:
    """A fixed drawing of a component of at most :data:`TINY_COMPONENT` nodes.

    The node with the most links (ties: the first) in the middle and the others on a
    circle around it; a lone node at the middle, a pair side by side.
    """
    side = _COMPONENT_SPACING * math.sqrt(len(component))
    if len(component) == 1:
        return side, {component[0]: (0.0, 0.0)}
    if len(component) == 2:
        return side, {component[0]: (-side / 3, 0.0), component[1]: (side / 3, 0.0)}
    inside = set(component)
    degree = {n: 0 for n in component}
    for a, b in edges:
        if a in inside:
            degree[a] += 1
            degree[b] += 1
    hub = max(component, key=lambda n: (degree[n], -component.index(n)))
    rest = [n for n in component if n != hub]
    local = {hub: (0.0, 0.0)}
    for i, n in enumerate(rest):
        angle = 2 * math.pi * i / len(rest) - math.pi / 2
        local[n] = (side / 3 * math.cos(angle), side / 3 * math.sin(angle))
    return side, local


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


#: Pixels between neighbouring ACOs on an operator's ring, and from an ACO to what hangs on it.
_RING_STEP = 64.0
_LEAF_STEP = 46.0


def _hub_box(component: list[str], edges: Sequence[tuple[str, str]],
             hubs: set[str]) -> tuple[float, dict[str, tuple[float, float]]]:
    """A drawing of a component around its hubs (operators): a ring of ACOs round each.

    The hubs (most links first) stand in a row; each hub's other neighbours (its ACOs) sit
    on a ring around it, as far apart as :data:`_RING_STEP`; what hangs on those (their
    participants, a participant shared by two ACOs) goes outwards, past them, placed
    breadth first from what is placed already. No force layout: a hub of 67 ACOs stays
    readable, and the drawing is the same in every process.
    """
    order = {n: i for i, n in enumerate(component)}
    inside = set(component)
    adjacent: dict[str, list[str]] = {n: [] for n in component}
    for a, b in edges:
        if a in inside and b in inside and b not in adjacent[a]:
            adjacent[a].append(b)
            adjacent[b].append(a)
    for n in component:
        adjacent[n].sort(key=order.__getitem__)
    centres = sorted((n for n in component if n in hubs), key=lambda n: (-len(adjacent[n]), order[n]))
    ring_of: dict[str, list[str]] = {h: [] for h in centres}
    taken = set(centres)
    for h in centres:
        for m in adjacent[h]:
            if m not in taken:
                ring_of[h].append(m)
                taken.add(m)
    positions: dict[str, tuple[float, float]] = {}
    centre_of: dict[str, tuple[float, float]] = {}
    x = 0.0
    for h in centres:
        count = len(ring_of[h])
        radius = max(140.0, _RING_STEP * count / (2 * math.pi))
        x += radius + _LEAF_STEP * 4
        positions[h] = centre_of[h] = (x, 0.0)
        for k, m in enumerate(ring_of[h]):
            angle = 2 * math.pi * k / max(1, count) - math.pi / 2
            positions[m] = (x + radius * math.cos(angle), radius * math.sin(angle))
            centre_of[m] = centre_of[h]
        x += radius + _LEAF_STEP * 4
    frontier = [n for n in component if n in positions]
    while len(positions) < len(component):
        placed_now = []
        for n in frontier:
            leaves = [m for m in adjacent[n] if m not in positions]
            if not leaves:
                continue
            cx, cy = centre_of.get(n, (0.0, 0.0))
            px, py = positions[n]
            base = math.atan2(py - cy, px - cx) if (px, py) != (cx, cy) else -math.pi / 2
            spread = min(math.pi / 2, 0.35 * (len(leaves) - 1))
            for k, m in enumerate(leaves):
                angle = base + (spread * (k / (len(leaves) - 1) - 0.5) if len(leaves) > 1 else 0.0)
                positions[m] = (px + _LEAF_STEP * math.cos(angle), py + _LEAF_STEP * math.sin(angle))
                centre_of[m] = centre_of.get(n, (cx, cy))
                placed_now.append(m)
        if not placed_now:  # cannot happen in a connected component; kept as a guard
            for n in component:
                if n not in positions:
                    positions[n] = (0.0, 0.0)
            break
        frontier = placed_now
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    side = max(max(xs) - min(xs), max(ys) - min(ys)) + 2 * _LEAF_STEP
    return side, {n: (positions[n][0] - cx, positions[n][1] - cy) for n in component}


def layout(nodes: Sequence[str], edges: Iterable[tuple[str, str]], *, seed: int = 0,
           method: str = "auto", hubs: Iterable[str] = ()) -> dict[str, tuple[float, float]]:
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
    hubs : iterable of str
        Nodes (operators) whose components are drawn as rings around them
        (:func:`_hub_box`), in rows above the rest, which `method` lays out.

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
    hubs = set(hubs) & set(nodes)
    if hubs:
        components = _components(nodes, edges)
        ringed = [c for c in components if hubs.intersection(c)]
        rest = [n for c in components if not hubs.intersection(c) for n in c]
        inside = set(rest)
        positions = _pack([_hub_box(c, edges, hubs) for c in ringed])
        if rest:
            others = layout([n for n in nodes if n in inside],
                            [(a, b) for a, b in edges if a in inside], seed=seed, method=method)
            top = max(p[1] for p in positions.values()) + 2 * _GAP
            lowest = min(p[1] for p in others.values())
            left = min(p[0] for p in positions.values()) - min(p[0] for p in others.values())
            positions.update({n: (p[0] + left, p[1] - lowest + top) for n, p in others.items()})
        return _centred(positions, nodes)
    if method == "auto":
        method = "spring" if len(nodes) <= SMALL_GRAPH else "sfdp"
        if method == "sfdp" and shutil.which("sfdp") is None:
            warnings.warn("Graphviz sfdp is not installed (make system-deps); falling back to "
                          "networkx spring_layout, which is slow on large graphs",
                          RuntimeWarning, stacklevel=2)
            method = "spring"
    if method == "sfdp":
        return _large_positions(nodes, edges, seed=seed)
    return spring_positions(nodes, edges, seed=seed)


def _large_positions(nodes: list[str], edges: list[tuple[str, str]], *,
                     seed: int) -> dict[str, tuple[float, float]]:
    """sfdp for the components larger than :data:`TINY_COMPONENT`; the rest in rows below.

    sfdp spends most of its time on many small components (a capped map of 5,000
    unlinked nodes took 70-170 s), and a force layout tells nothing about a lone node or
    a pair anyway, so those get a fixed drawing, packed in rows under the main picture.
    """
    components = _components(nodes, edges)
    large = [n for c in components if len(c) > TINY_COMPONENT for n in c]
    small = [c for c in components if len(c) <= TINY_COMPONENT]
    positions: dict[str, tuple[float, float]] = {}
    if large:
        inside = set(large)
        main = [n for n in nodes if n in inside]  # the caller's order, as sfdp is given it
        main_edges = [(a, b) for a, b in edges if a in inside]
        if len(main) > SMALL_GRAPH:
            positions = sfdp_positions(main, main_edges, seed=seed)
        else:
            positions = spring_positions(main, main_edges, seed=seed)
    if small:
        boxes = [_small_component_box(c, edges) for c in small]
        if positions:
            xs = [p[0] for p in positions.values()]
            ys = [p[1] for p in positions.values()]
            positions.update(_pack(boxes, width=max(xs) - min(xs), left=min(xs),
                                   top=max(ys) + 2 * _GAP))
        else:
            positions = _pack(boxes)
    return _centred(positions, nodes)


#: Pixels between the ACOs of an expanded summary (a sunflower around its node).
_SUNFLOWER_STEP = 46.0
#: The empty middle of a summary's sunflower: room for the summary itself (up to 70 px) and
#: for the largest ACOs, drawn first, around it (a large one is 30 px), with a gap.
_SUNFLOWER_HOLE = 110.0
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def _sunflower(centre: tuple[float, float], count: int, hole: float) -> list[tuple[float, float]]:
    """`count` points spread evenly around `centre` (Vogel's spiral), none within `hole`."""
    start = (hole / _SUNFLOWER_STEP) ** 2
    return [(centre[0] + _SUNFLOWER_STEP * math.sqrt(start + i + 0.5) * math.cos(i * _GOLDEN_ANGLE),
             centre[1] + _SUNFLOWER_STEP * math.sqrt(start + i + 0.5) * math.sin(i * _GOLDEN_ANGLE))
            for i in range(count)]


def summary_positions(tops: Sequence[str], children: "dict[str, Sequence[str]]",
                      is_summary: "dict[str, bool]", attached: "dict[str, Sequence[str]]",
                      drawn: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Positions of summary nodes and of what they fold, below the `drawn` picture.

    The top summaries sit in one row under the picture, 170 px apart, so that a few
    nodes stand for what they fold. A summary's child summaries (the states of a
    division) sit in a row under it, each amid the sunflower of its ACOs; a summary of ACOs
    alone has their sunflower under the row; each ACO's `attached` nodes (its participants)
    sit on a small circle around it. Two expanded
    summaries may overlap; the page zooms to the one just expanded.

    >>> p = summary_positions(["d"], {"d": ["s"], "s": ["a", "g"]}, {"d": True, "s": True},
    ...                       {"a": ["g"]}, {"x": (0.0, 0.0)})
    >>> sorted(p), p["d"][1] > 0, p["s"][1] > p["d"][1]
    (['a', 'd', 'g', 's'], True, True)
    """
    xs = [p[0] for p in drawn.values()] or [0.0]
    ys = [p[1] for p in drawn.values()] or [0.0]
    row_y = max(ys) + 260.0
    step = 170.0
    left = (max(xs) + min(xs)) / 2 - step * (len(tops) - 1) / 2
    positions: dict[str, tuple[float, float]] = {}

    def place_acos(centre: tuple[float, float], members: Sequence[str]) -> None:
        hanging = {o for m in members for o in attached.get(m, ())}
        acos = [m for m in members if m not in hanging]
        for aco, point in zip(acos, _sunflower(centre, len(acos), _SUNFLOWER_HOLE)):
            positions[aco] = point
            around = attached.get(aco, ())
            for k, other in enumerate(around):  # on a small circle around the ACO
                angle = 2 * math.pi * k / len(around) + math.pi / 4
                radius = 18.0 + 2.0 * math.sqrt(len(around))
                positions[other] = (point[0] + radius * math.cos(angle),
                                    point[1] + radius * math.sin(angle))

    for i, top in enumerate(tops):
        positions[top] = (left + i * step, row_y)
        kids = list(children.get(top, ()))
        subs = [k for k in kids if is_summary.get(k)]
        if not subs:  # ACOs straight under it: their sunflower below the row
            acos = sum(1 for k in kids if not any(k in attached.get(o, ()) for o in kids))
            radius = _SUNFLOWER_STEP * math.sqrt((_SUNFLOWER_HOLE / _SUNFLOWER_STEP) ** 2 + acos) + 40
            place_acos((left + i * step, row_y + 200.0 + radius), kids)
            continue
        radii = [_SUNFLOWER_STEP * math.sqrt(len(children.get(s, ())) / 2
                                             + (_SUNFLOWER_HOLE / _SUNFLOWER_STEP) ** 2) + 40
                 for s in subs]
        width = sum(2 * r for r in radii)
        x = left + i * step - width / 2
        for sub, radius in zip(subs, radii):
            centre = (x + radius, row_y + 200.0 + radius)
            positions[sub] = centre
            place_acos(centre, children.get(sub, ()))
            x += 2 * radius
    return {n: (round(p[0]), round(p[1])) for n, p in positions.items()}
