r"""The page: one self-contained HTML file, written by :func:`render_map`.

The page comes from ``kg/products/templates/map.html.j2``: vis-network (taken from the
pyvis package, never fetched) inline, the data as one JSON block, no request to any
server; a Content-Security-Policy allows only the page's own two scripts. Text from the
data is never written as HTML: Jinja2 escapes the headings and notes, the JSON block is
escaped so that it cannot close its ``<script>`` element, and the page's script puts
names into tooltips, lists and menus as text nodes only.

Examples
--------
>>> from kg.products.maps.model import MapGraph, MapNode
>>> graph = MapGraph({"a": MapNode("a", "<b>A</b>", "aco")}, [])
>>> page = render_map(graph, {"a": (0.0, 0.0)}, scores={"a": 1.0}, size_by="Links")
>>> "<b>A</b>" in page, r"\u003cb\u003eA" in page
(False, True)
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from pathlib import Path
from typing import Mapping

from kg.core.resources import template_dir
from kg.core.iris import INSTANCE
from kg.products.maps.model import EDGE_KINDS, NODE_KINDS, MapGraph
from kg.products.maps.select import (NO_RESULTS_NOTE, PARTICIPANTS_NOTE, SUMMARIES_NOTE, SUMMARY,
                                     folded)

__all__ = ["render_map"]

_TEMPLATES = template_dir()
_EDGE_LABELS_UP_TO = 150
_NAME_SHOWN = 48
#: the notes the page writes again for the year it shows: name -> (template, a phrase of it)
_YEAR_NOTES = {name: (template, template.split("}", 1)[1].split("{when}")[0])
               for name, template in (("participants", PARTICIPANTS_NOTE),
                                      ("summaries", SUMMARIES_NOTE))}


def _asset(relative: str) -> str:
    """A file of vis-network as bundled by pyvis (never fetched)."""
    import pyvis

    base = Path(pyvis.__file__).resolve().parent
    for candidate in (base / "lib" / relative, base / "templates" / "lib" / relative):
        if candidate.exists():
            return candidate.read_text(encoding="utf-8")
    raise FileNotFoundError(f"pyvis does not bundle {relative}; reinstall pyvis>=0.3.2,<0.4")


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def _inline_safe(text: str, what: str) -> str:
    if re.search(r"</(script|style)", text, re.IGNORECASE):
        raise ValueError(f"{what} contains a closing script or style tag; cannot inline it")
    return text


def _key(iri: str) -> str:
    """A short, stable key of a node for the page's address (shared links survive rebuilds)."""
    for prefix, short in ((INSTANCE + "organization/", ""), (SUMMARY, "summary:")):
        if iri.startswith(prefix):
            return short + iri[len(prefix):]
    return iri


def _payload(graph: MapGraph, positions: Mapping[str, tuple[float, float]],
             scores: Mapping[str, float], size_by: str,
             sizes: Mapping[str, Mapping[str, int]] | None = None,
             slots: Mapping[str, tuple[float, float]] | None = None,
             year: int | None = None) -> dict:
    order = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(order)}
    parent = folded(graph)
    nodes = []
    for n in order:
        node = graph.nodes[n]
        name = node.name if len(node.name) <= _NAME_SHOWN else node.name[:_NAME_SHOWN - 1] + "…"
        facts = [[k, v] for k, v in node.facts]
        if sizes is None:
            facts.append([size_by, f"{scores.get(n, 0.0):g}"])
            size = {"all": scores.get(n, 0.0)}
        else:
            size = dict(sizes.get(n, {}))
            if n in scores and node.kind != "summary":
                facts.append(["Power score (PageRank)", f"{scores[n]:.4g}"])
        x, y = positions[n]
        item = {
            "id": index[n], "k": _key(n), "label": name, "name": node.name, "group": node.kind,
            "st": node.state, "x": x, "y": y, "b": size,
            "f": facts,
            "s": [[s.citation, s.locator, s.evidence] for s in node.sources],
        }
        if node.years:
            item["ry"] = sorted(node.years)
        if node.operator_kind:
            item["ok"] = node.operator_kind
        if node.kind == "summary":
            item["ch"] = [index[c] for c in node.children if c in index]
            item["sn"] = node.name.split(":")[0]
        if n in parent:
            item["par"] = index[parent[n]]
        if node.lone:
            item["lone"] = 1
        if node.hangs_on is not None and node.hangs_on in index:
            item["hang"] = index[node.hangs_on]
        if slots and n in slots and tuple(slots[n]) != (x, y):
            item["fx"], item["fy"] = slots[n]
        if node.member_periods:  # [how many members, their periods], for the year shown
            item["mp"] = [[count, [list(span) for span in spans]]
                          for spans, count in node.member_periods.items()]
        nodes.append(item)
    flows = [e.savings_usd for e in graph.edges if e.savings_usd]
    top_flow = max(flows) if flows else 0.0
    show_labels = len(graph.edges) <= _EDGE_LABELS_UP_TO
    # several kinds of link between the same two organizations: bend them apart so that
    # each stays visible (straight when alone)
    pairs: dict[tuple[str, str], list[int]] = {}
    for i, e in enumerate(graph.edges):
        pairs.setdefault(tuple(sorted((e.source, e.target))), []).append(i)
    bends: dict[int, dict] = {}
    for members in pairs.values():
        for rank, i in enumerate(members if len(members) > 1 else []):
            step = (rank + 1) // 2 if len(members) % 2 else rank // 2 + 1
            side = 1 if rank % 2 == 0 else -1
            if len(members) % 2 and rank == 0:
                continue
            e = graph.edges[i]
            if e.source > e.target:  # curvedCW is relative to the edge's own direction
                side = -side
            bends[i] = {"enabled": True, "type": "curvedCW" if side > 0 else "curvedCCW",
                        "roundness": round(0.18 * step, 2)}
    edges = []
    for i, e in enumerate(graph.edges):
        _, colour, arrow, width = EDGE_KINDS[e.kind]
        if e.savings_usd and top_flow > 0:
            width = 2.0 + 6.0 * math.sqrt(max(e.savings_usd, 0.0) / top_flow)
        label = e.short if show_labels else ""
        if e.inferred:
            label = f"inferred: {label}" if label else "inferred"
        edges.append({
            "id": i, "from": index[e.source], "to": index[e.target], "k": e.kind,
            "color": colour, "width": round(width, 2), "dashes": e.inferred,
            "arrows": {"to": {"enabled": True, "type": arrow}} if arrow else "",
            "label": label, "smooth": bends.get(i, False),
            "ev": "inferred" if e.inferred else "reported", "rv": e.review,
            "f": [[f.text, f.source.citation, f.source.locator, f.source.evidence,
                   f.start, f.end] for f in e.facts],
            "per": [[f.start, f.end] for f in e.facts],
        })
    # every year a link is valid in (its facts' spans) and every year with results
    years: set[int] = {y for node in graph.nodes.values() for y in node.years}
    for e in graph.edges:
        for f in e.facts:
            if f.start is not None and f.end is not None and f.end - f.start <= 100:
                years.update(range(f.start, f.end + 1))
            else:
                years.update(y for y in (f.start, f.end) if y is not None)
    partners = sorted(((index[n], graph.nodes[n].name) for n in order
                       if graph.nodes[n].kind == "management-partner" or graph.nodes[n].operator_kind),
                      key=lambda p: p[1])
    return {
        "nodes": nodes, "edges": edges,
        "kinds": {k: {"label": v[0], "shape": v[1], "color": v[2]} for k, v in NODE_KINDS.items()},
        "edgeKinds": {k: {"label": v[0], "color": v[1]} for k, v in EDGE_KINDS.items()},
        # a map drawn for one year offers that year alone (its links are those of that year)
        "years": sorted(years) if year is None else [year],
        "year": year,
        "sizeBy": size_by,
        "sizeK": _size_factor(nodes),
        "evidence": sorted({"inferred" if e.inferred else "reported" for e in graph.edges}),
        "reviews": sorted({e.review for e in graph.edges if e.review}),
        "states": sorted({node.state for node in graph.nodes.values() if node.state}),
        "partners": [[i, name] for i, name in partners],
        "large": len(nodes) > 1000,
        # the notes that count what a year draws: name -> [place among the notes, template]
        "yearNotes": {name: [i, template] for name, (template, phrase) in _YEAR_NOTES.items()
                      for i, note in enumerate(graph.notes) if phrase in note},
        "noResultsNote": NO_RESULTS_NOTE,
    }


def _size_factor(nodes: list[dict]) -> float:
    """Pixels per square root of the measure: the 95th percentile of the organizations'
    figures (summaries aside) gets a radius of 28 px, so that most nodes spread over 6-28 px
    and only the largest hubs reach the cap (70 px)."""
    values = sorted(v for n in nodes if n["group"] != "summary"
                    for v in n["b"].values() if v and v > 0)
    if not values:
        return 1.0
    return 28.0 / math.sqrt(values[min(len(values) - 1, int(0.95 * len(values)))])


def render_map(graph: MapGraph, positions: Mapping[str, tuple[float, float]], *,
               scores: Mapping[str, float], size_by: str, title: str = "aco-kg network map",
               total_nodes: int | None = None,
               sizes: Mapping[str, Mapping[str, int]] | None = None,
               slots: Mapping[str, tuple[float, float]] | None = None,
               year: int | None = None) -> str:
    """The HTML page of a map (self-contained; see the module docstring).

    Parameters
    ----------
    graph : MapGraph
        What to draw.
    positions : mapping
        Node IRI -> (x, y), for every node of `graph`.
    scores : mapping
        Node IRI -> the value that sets its size.
    size_by : str
        What the scores are (shown in the legend and in tooltips).
    title : str
        Heading of the page (escaped).
    total_nodes : int, optional
        Number of nodes before the cap, shown in the status line.
    sizes : mapping, optional
        Node IRI -> {year or "all": value}: the measure named by `size_by` per year (see
        :func:`~kg.products.maps.select.node_beneficiaries`); the page sizes each node by
        the square root of the value of the year shown (area in proportion to the value),
        and `scores` are then shown as a fact. Without it, `scores` set the sizes.
    slots : mapping, optional
        Node IRI -> (x, y) of its place in an expanded summary, for the ACOs that the page
        folds when a view leaves them without a link (and what hangs on them).
    year : int, optional
        The year the map was drawn for (:func:`~kg.products.maps.select.restrict`): the
        page shows that year (sizes, notes, status) and offers no other.
    """
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES),
                                     autoescape=True, undefined=jinja2.StrictUndefined)
    script = (_TEMPLATES / "map.js").read_text(encoding="utf-8")
    vis_js = _inline_safe(_asset("vis-9.1.2/vis-network.min.js"), "vis-network.min.js")
    vis_css = _inline_safe(_asset("vis-9.1.2/vis-network.css"), "vis-network.css")
    payload = _payload(graph, positions, scores, size_by, sizes, slots, year)
    page = environment.get_template("map.html.j2").render(
        title=title,
        filters=graph.filters,
        notes=graph.notes,
        size_by=size_by,
        node_kinds=[(k, *v) for k, v in NODE_KINDS.items()],
        edge_kinds=[(k, *v) for k, v in EDGE_KINDS.items()],
        node_count=len(payload["nodes"]),
        edge_count=len(payload["edges"]),
        total_nodes=total_nodes if total_nodes is not None else len(payload["nodes"]),
        payload=payload,
        vis_css=jinja2.utils.markupsafe.Markup(vis_css),
        vis_js=jinja2.utils.markupsafe.Markup(vis_js),
        script=jinja2.utils.markupsafe.Markup(_inline_safe(script, "map.js")),
        script_hashes=" ".join((_csp_hash(vis_js), _csp_hash(script))),
    )
    return page

