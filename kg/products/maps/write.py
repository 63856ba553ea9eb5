"""Writing a map: :func:`write_map` runs the four steps and writes one HTML file.

1. :func:`kg.products.maps.load.load_map_graph` reads the organizations and their links;
2. :mod:`kg.products.maps.select` keeps what was asked for, folds participants, caps
   the number of nodes, and folds the ACOs with no operator and no shared participant
   into one node per state and Census division (the page expands them);
3. :mod:`kg.products.maps.layout` computes the positions with a seed, so the browser draws
   a finished picture and nothing moves (vis-network's physics is off);
4. :func:`kg.products.maps.render.render_map` writes the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from kg.core.errors import UsageError
from kg.products.maps.load import load_map_graph
from kg.products.maps.render import render_map
from kg.products.maps.select import (AGGREGATE_ABOVE, DEFAULT_MAX_NODES, aggregate_participants,
                                     cap, node_beneficiaries, node_scores, restrict, summarise)

__all__ = ["MapSummary", "write_map"]


@dataclass
class MapSummary:
    """What :func:`write_map` wrote."""

    path: Path
    nodes: int
    edges: int
    total_nodes: int
    notes: list[str]
    seconds: dict[str, float]
    #: of the `nodes`, how many are summaries (of the ACOs with no operator), not organizations
    summaries: int = 0



def write_map(store, path: str | Path, *, focus: str | None = None, depth: int = 2,
              year: int | None = None, partner: str | None = None, state: str | None = None,
              seed: int = 0, power: Mapping[str, float] | None = None,
              max_nodes: int = DEFAULT_MAX_NODES, participants: str = "auto",
              title: str = "aco-kg network map") -> MapSummary:
    """Write an interactive map of the store's alliances to one self-contained HTML file.

    Parameters
    ----------
    store : pyoxigraph.Store or str or Path
        The store, or the folder of a published store (``out/store``).
    path : str or Path
        The HTML file to write.
    focus, depth, year, partner, state
        What to keep (see :func:`restrict`).
    seed : int
        Seed of the layout: the same graph and seed give the same positions.
    power : mapping of str to float, optional
        Node IRI -> power score (from the power analysis), shown in the tooltips. Nodes are
        sized by assigned beneficiaries (:func:`node_beneficiaries`); on a map without any,
        by the power score, or without it by the number of links, and the legend says so.
    max_nodes : int
        Cap on the nodes drawn; above it the most important links are kept with their
        ends (see :func:`cap`) and the page says so.
    participants : {"auto", "aggregate", "all"}
        Fold participants linked only to their ACO into one node per ACO: always, never,
        or (``auto``) when the map would have more than :data:`AGGREGATE_ABOVE` nodes.
    title : str
        Heading of the page.

    Returns
    -------
    MapSummary

    Examples
    --------
    >>> import pyoxigraph as ox, tempfile, os
    >>> target = os.path.join(tempfile.mkdtemp(), "map.html")
    >>> summary = write_map(ox.Store(), target)
    >>> summary.nodes, summary.edges, "vis.Network" in open(target).read()
    (0, 0, True)
    """
    import time

    from kg.graph.store import open_store
    from kg.products.maps.layout import layout, summary_positions

    if participants not in ("auto", "aggregate", "all"):
        raise UsageError(f"must be auto, aggregate or all, got {participants!r}",
                         argument="participants")
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    if isinstance(store, (str, Path)):
        try:
            store = open_store(store)
        except FileNotFoundError as exc:
            raise UsageError(str(exc)) from exc
    graph = load_map_graph(store)
    seconds["query"] = time.perf_counter() - started
    graph = restrict(graph, focus=focus, depth=depth, year=year, partner=partner, state=state)
    if participants == "aggregate" or (participants == "auto" and len(graph.nodes) > AGGREGATE_ABOVE):
        graph = aggregate_participants(graph)
    total = len(graph.nodes)
    if not graph.nodes:
        graph.notes.append("Nothing to draw: no organization is valid "
                           + (f"in {year} " if year is not None else "")
                           + "under these filters (" + "; ".join(graph.filters) + ").")
    scores = node_scores(graph, power)
    graph = cap(graph, max_nodes, scores)
    graph = summarise(graph)
    sizes = node_beneficiaries(graph)
    if sizes:
        size_by = "Assigned beneficiaries"
        graph.notes.append("Node size: assigned beneficiaries in the year shown (all years: the "
                           "latest; a year without results: the latest earlier figure), from the "
                           "CMS results; an operator's or a summary's is the sum over its ACOs. "
                           "Area grows with the number; no figure: smallest.")
        scores = dict(power or {})
    else:
        sizes = None
        if not power:
            scores = node_scores(graph, None)  # degree on the map as drawn
        size_by = "Power score" if power else "Links on this map"
        if not power:
            graph.notes.append("Node size shows the number of links on this map (no power "
                               "analysis was given).")
    mark = time.perf_counter()
    main = [n for n in sorted(graph.nodes)
            if not graph.nodes[n].lone and graph.nodes[n].kind != "summary"]
    inside = set(main)
    operators = {e.source for e in graph.edges if e.kind == "operator"}
    positions = layout(main, [(e.source, e.target) for e in graph.edges
                              if e.source in inside and e.target in inside], seed=seed,
                       hubs=operators)
    attached: dict[str, list[str]] = {}
    for n in sorted(graph.nodes):  # what hangs on an ACO alone is drawn beside it in a summary
        if graph.nodes[n].hangs_on is not None:
            attached.setdefault(graph.nodes[n].hangs_on, []).append(n)
    slots = summary_positions(
        graph.summaries, {n: node.children for n, node in graph.nodes.items() if node.children},
        {n: node.kind == "summary" for n, node in graph.nodes.items()}, attached, positions)
    for n, slot in slots.items():  # folded in every view: its place in the summary only
        if n not in positions:
            positions[n] = slot
    seconds["layout"] = time.perf_counter() - mark
    mark = time.perf_counter()
    page = render_map(graph, positions, scores=scores, size_by=size_by, title=title,
                      total_nodes=total, sizes=sizes, slots=slots, year=year)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(path)  # a reader never sees half a page
    seconds["render"] = time.perf_counter() - mark
    return MapSummary(path=path, nodes=len(graph.nodes), edges=len(graph.edges),
                      total_nodes=total, notes=list(graph.notes), seconds=seconds,
                      summaries=sum(1 for n in graph.nodes.values() if n.kind == "summary"))
