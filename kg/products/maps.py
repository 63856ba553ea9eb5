"""Interactive network maps of the alliances: one self-contained HTML file per map.

A map is drawn from the published store in four steps, each a function here:

1. :func:`load_map_graph` asks the store (the ``.rq`` files in ``queries/maps/``) for the
   organizations and every link between them: alliance memberships, ACO participation,
   board seats and representation, vetoes and other reserved powers, services, shares of
   savings and parent companies. Links of one kind between the same two organizations
   become one edge carrying every fact, each with its source (citation and locator) and
   whether the source reports it or the curator inferred it.
2. :func:`restrict` keeps the part the analyst asked for: the links as they stood in a
   year, the organizations around a partner, in a state, or within N hops of one
   organization. :func:`aggregate_participants` folds the participants whose only link is
   their ACO into one node per ACO, and :func:`cap` keeps at most ``max_nodes`` nodes; each
   step leaves a note that the page shows.
3. :mod:`kg.products.layout` computes the positions with a seed, so the browser draws a finished
   picture and nothing moves (vis-network's physics is off).
4. :func:`render_map` writes the page from ``kg/templates/map.html.j2``: vis-network
   (taken from the pyvis package) inline, the data as one JSON block, no request to any
   server; a Content-Security-Policy allows only the page's own two scripts.

Text from the data is never written as HTML: Jinja2 escapes the headings and notes, the
JSON block is escaped so that it cannot close its ``<script>`` element, and the page's
script puts names into tooltips, lists and menus as text nodes only.

Examples
--------
>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> graph = load_map_graph(store)
>>> len(graph.nodes), len(graph.edges)
(0, 0)
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from kg.core.errors import UsageError
from kg.core.iris import CODE, INSTANCE, mint, parse_instance_iri
from kg.core.resources import query_dir, template_dir
from kg.sparql.order import select_in_order

__all__ = ["QUERIES", "NODE_KINDS", "EDGE_KINDS", "DEFAULT_MAX_NODES", "AGGREGATE_ABOVE",
           "Source", "Fact", "MapNode", "MapEdge", "MapGraph", "MapSummary",
           "load_map_graph", "organization_iri", "restrict", "aggregate_participants", "cap",
           "render_map", "write_map"]

QUERIES = query_dir() / "maps"
_TEMPLATES = template_dir()

#: Node kinds (org-kind notations, plus the aggregate of participants): label, shape, colour.
NODE_KINDS: dict[str, tuple[str, str, str]] = {
    "aco": ("ACO", "dot", "#1f77b4"),
    "management-partner": ("Management partner", "diamond", "#d62728"),
    "hospital-or-health-system": ("Hospital or health system", "square", "#17becf"),
    "physician-group": ("Physician group", "triangle", "#2ca02c"),
    "safety-net-provider": ("Safety-net provider", "triangleDown", "#ff7f0e"),
    "behavioral-health-provider": ("Behavioral health provider", "hexagon", "#9467bd"),
    "community-organization": ("Community organization", "dot", "#bcbd22"),
    "payer": ("Payer", "star", "#e377c2"),
    "provider-sponsored-health-plan": ("Provider-sponsored health plan", "star", "#8c564b"),
    "other-provider": ("Other provider", "square", "#7f7f7f"),
    "unknown": ("Kind not recorded", "dot", "#c7c7c7"),
    "participant-group": ("Participants of one ACO (aggregated)", "dot", "#dfe6ee"),
}

#: Edge kinds: label, colour, arrowhead at the target ("" = none), default width.
EDGE_KINDS: dict[str, tuple[str, str, str, float]] = {
    "alliance": ("Alliance membership", "#1f3b73", "", 3.0),
    "participation": ("ACO participant", "#9aa5b1", "", 1.0),
    "board-seat": ("Board seat or representation (to the ACO)", "#6a3d9a", "box", 2.0),
    "reserved-power": ("Veto or other reserved power (to the ACO)", "#c0392b", "bar", 3.0),
    "service": ("Services (provider to recipient)", "#2e8b57", "arrow", 2.0),
    "savings-share": ("Share of savings (ACO to recipient)", "#d4a017", "arrow", 2.0),
    "parent": ("Subsidiary of (to the parent)", "#555555", "vee", 1.0),
}

#: Default cap on the number of nodes drawn (5,000 draw in a few seconds; BENCHMARKS.md).
DEFAULT_MAX_NODES = 5000
#: With ``participants="auto"``, participants are aggregated when the map has more nodes.
AGGREGATE_ABOVE = 300
_EDGE_LABELS_UP_TO = 150
_NAME_SHOWN = 48
_STATE = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: the citation, the place in it, and reported or inferred."""

    citation: str | None
    locator: str | None
    evidence: str | None

    @property
    def inferred(self) -> bool:
        return self.evidence == "inferred"


@dataclass(frozen=True)
class Fact:
    """One statement behind an edge, with its period (years; None = not known)."""

    text: str
    source: Source
    start: int | None = None
    end: int | None = None

    def active_in(self, year: int) -> bool:
        """Whether the fact holds in `year` (an unknown bound does not exclude it)."""
        return (self.start is None or self.start <= year) and (self.end is None or self.end >= year)

    @property
    def undated(self) -> bool:
        return self.start is None or self.end is None


@dataclass
class MapNode:
    """An organization (or the aggregate of an ACO's participants)."""

    iri: str
    name: str
    kind: str
    state: str | None = None
    facts: list[tuple[str, str]] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    members: int = 0


@dataclass
class MapEdge:
    """Every link of one kind from one organization to another."""

    kind: str
    source: str
    target: str
    facts: list[Fact] = field(default_factory=list)
    savings_usd: float | None = None
    short: str = ""

    @property
    def inferred(self) -> bool:
        """True when every fact behind the link is inferred rather than reported."""
        return bool(self.facts) and all(f.source.inferred for f in self.facts)

    def active_in(self, year: int) -> bool:
        return any(f.active_in(year) for f in self.facts)


@dataclass
class MapGraph:
    """Nodes by IRI, edges, and notes on what was left out or assumed."""

    nodes: dict[str, MapNode]
    edges: list[MapEdge]
    notes: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)

    def neighbours(self) -> dict[str, set[str]]:
        """Undirected adjacency over the edges."""
        adjacent: dict[str, set[str]] = {n: set() for n in self.nodes}
        for e in self.edges:
            adjacent[e.source].add(e.target)
            adjacent[e.target].add(e.source)
        return adjacent

    def keep(self, iris: Iterable[str]) -> "MapGraph":
        """The subgraph on `iris` (edges between kept nodes only)."""
        kept = set(iris)
        return replace(self, nodes={k: v for k, v in self.nodes.items() if k in kept},
                       edges=[e for e in self.edges if e.source in kept and e.target in kept],
                       notes=list(self.notes), filters=list(self.filters))


@dataclass
class MapSummary:
    """What :func:`write_map` wrote."""

    path: Path
    nodes: int
    edges: int
    total_nodes: int
    notes: list[str]
    seconds: dict[str, float]


# --- reading the store -------------------------------------------------------------------

def _value(v: Any) -> Any:
    """A cell of a query result, with pandas' missing values as None."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def _rows(name: str, store) -> list[dict[str, Any]]:
    frame = select_in_order(QUERIES / name, store)
    return [{k: _value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _year(value: Any) -> int | None:
    """The calendar year of a date, gYearMonth text or gYear number."""
    value = _value(value)
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return int(value.year)
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text[:4]) if text[:4].isdigit() else None


def _notation(iri: str | None) -> str | None:
    return iri.rsplit("/", 1)[-1] if iri and iri.startswith(CODE) else iri


def _source(row: Mapping[str, Any]) -> Source:
    return Source(row.get("citation"), row.get("locator"), _notation(row.get("evidence")))


def _money(usd: float) -> str:
    if abs(usd) >= 1e6:
        return f"${usd / 1e6:,.1f}M"
    if abs(usd) >= 1e3:
        return f"${usd / 1e3:,.0f}k"
    return f"${usd:,.0f}"


def _percent(value: float) -> str:
    return f"{value:g}%"


class _Builder:
    """Collects edges so that links of one kind between the same pair become one edge."""

    def __init__(self, nodes: dict[str, MapNode]):
        self.nodes = nodes
        self.edges: dict[tuple[str, str, str], MapEdge] = {}

    def add(self, kind: str, source: str, target: str, fact: Fact) -> MapEdge | None:
        if source not in self.nodes or target not in self.nodes or source == target:
            return None
        edge = self.edges.setdefault((kind, source, target), MapEdge(kind, source, target))
        edge.facts.append(fact)
        return edge


def load_map_graph(store) -> MapGraph:
    """Read the organizations and their links from the store.

    Parameters
    ----------
    store : pyoxigraph.Store
        The published store (data and code lists).

    Returns
    -------
    MapGraph
        Every organization, and one edge per kind of link and ordered pair of organizations.
    """
    labels = {r["concept"]: (r["label"] or r["notation"]) for r in _rows("code-labels.rq", store)}

    def label(iri: str | None) -> str | None:
        return labels.get(iri, _notation(iri)) if iri else None

    nodes: dict[str, MapNode] = {}
    parents: list[tuple[str, str, Source]] = []
    for r in _rows("organizations.rq", store):
        iri = r["org"]
        if iri in nodes:  # a second value of a single-valued field: keep the first
            continue
        kind = _notation(r["kind"]) or "unknown"
        node = MapNode(iri=iri, name=r["name"] or _local_id(iri),
                       kind=kind if kind in NODE_KINDS else "unknown", state=r["state"])
        node.facts.append(("Kind", label(r["kind"]) or "not recorded"))
        for key, column in (("Profit status", "profit"), ("Scope", "scope")):
            if r[column]:
                node.facts.append((key, label(r[column])))
        if r["state"]:
            node.facts.append(("State", r["state"]))
        if r["description"]:
            node.facts.append(("About", r["description"]))
        node.facts.append(("Identifier", _local_id(iri)))
        node.sources.append(_source(r))
        nodes[iri] = node
        if r["parent"]:
            parents.append((iri, r["parent"], _source(r)))

    builder = _Builder(nodes)
    for child, parent, source in parents:
        builder.add("parent", child, parent, Fact("subsidiary of its parent organization", source))
    _alliances(builder, _rows("alliance-members.rq", store), label)
    for r in _rows("participants.rq", store):
        builder.add("participation", r["member"], r["aco"],
                    Fact("participant of the ACO", _source(r), _year(r["begin"]), _year(r["end"])))
    _boards(builder, _rows("board-seats.rq", store), _rows("board-representation.rq", store))
    for r in _rows("reserved-powers.rq", store):
        text = f"{label(r['power_kind']) or 'reserved power'} over {label(r['matter']) or 'board decisions'}"
        if r["description"]:
            text += f": {r['description']}"
        builder.add("reserved-power", r["holder"], r["aco"], Fact(text, _source(r)))
    for r in _rows("services.rq", store):
        status = [s for s in ("promised" if r["promised"] else None, label(r["delivery"])) if s]
        text = (label(r["service_type"]) or "service") + (f" ({', '.join(status)})" if status else "")
        builder.add("service", r["provider"], r["recipient"],
                    Fact(text, _source(r), _year(r["begin"]), _year(r["end"])))
    _shares(builder, _rows("savings-shares.rq", store), _rows("contract-savings.rq", store), label)

    for edge in builder.edges.values():
        edge.short = _short_label(edge)
    edges = sorted(builder.edges.values(), key=lambda e: (e.kind, e.source, e.target))
    return MapGraph(nodes=nodes, edges=edges)


def _local_id(iri: str) -> str:
    try:
        return parse_instance_iri(iri)[1]
    except ValueError:
        return iri


def _alliances(builder: _Builder, rows: list[dict], label) -> None:
    """One edge per alliance between its hub (the ACO member) and each other member.

    An alliance without an ACO member (a provider-payer alliance) links every pair of
    members, since none of them is the centre.
    """
    by_alliance: dict[str, list[dict]] = {}
    for r in rows:
        by_alliance.setdefault(r["alliance"], []).append(r)
    for members in by_alliance.values():
        hubs = [m for m in members if _notation(m["role"]) == "aco"]
        if hubs:
            pairs = [(h, m) for h in hubs for m in members if m is not h and m not in hubs]
        else:
            pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]
        for a, b in pairs:
            name = a["alliance_name"] or _local_id(a["alliance"])
            outcome = label(a["outcome"])
            roles = f"{label(a['role']) or 'member'} and {label(b['role']) or 'member'}"
            text = f"{name}: {roles}" + (f" (outcome: {outcome})" if outcome else "")
            starts = [y for y in (_year(a["begin"]), _year(b["begin"])) if y is not None]
            ends = [y for y in (_year(a["end"]), _year(b["end"])) if y is not None]
            inferred = "inferred" in (_notation(a["evidence"]), _notation(b["evidence"]))
            source = _source(b)
            if inferred and not source.inferred:
                source = _source(a)
            builder.add("alliance", a["member"], b["member"],
                        Fact(text, source, max(starts) if starts else None,
                             min(ends) if ends else None))


def _boards(builder: _Builder, seats: list[dict], representation: list[dict]) -> None:
    for r in seats:
        votes = r["votes"]
        kind = "voting seat" if r["voting"] else ("non-voting seat" if r["voting"] is False else "seat")
        text = f"{kind} on the {r['board_name'] or 'board'}" + (
            f" ({votes} vote{'s' if votes != 1 else ''})" if votes is not None else "")
        builder.add("board-seat", r["holder"], r["aco"],
                    Fact(text, _source(r), _year(r["begin"]), _year(r["end"])))
    for r in representation:
        board = r["board_name"] or "board"
        if r["represented"]:
            builder.add("board-seat", r["member"], r["aco"],
                        Fact(f"represented on the {board}", _source(r)))
        elif r["member"] in builder.nodes:  # a reported absence is a fact about the member
            builder.nodes[r["member"]].facts.append(("Board", f"not represented on the {board}"))


def _shares(builder: _Builder, shares: list[dict], results: list[dict], label) -> None:
    """Shares of savings, with the dollars flowing where an exact share and earnings are known."""
    by_contract: dict[str, list[dict]] = {}
    for r in results:
        by_contract.setdefault(r["contract"], []).append(r)
    for r in shares:
        if r["exact"] is not None:
            share = _percent(r["exact"])
        else:
            low = (("more than " if r["minimum_exclusive"] else "at least ") + _percent(r["minimum"])
                   if r["minimum"] is not None else None)
            high = (("under " if r["maximum_exclusive"] else "at most ") + _percent(r["maximum"])
                    if r["maximum"] is not None else None)
            share = " and ".join(s for s in (low, high) if s) or None
        level = label(r["level"])
        words = ", ".join(s for s in (share, f"described as {level}" if level else None) if s)
        years = [y for y in by_contract.get(r["contract"], [])
                 if (r["from_year"] is None or (y["contract_year"] or 0) >= r["from_year"])
                 and (r["to_year"] is None or (y["contract_year"] or 10**6) <= r["to_year"])]
        earned = [y["earned"] for y in years]
        flow = None
        if years and all(e is not None for e in earned):
            total = float(sum(earned))
            words += f"; the ACO earned {_money(total)} over {len(years)} year(s)"
            if r["exact"] is not None:
                flow = total * float(r["exact"]) / 100
                words += f", so {_money(flow)} went to the recipient"
        edge = builder.add("savings-share", r["aco"], r["recipient"],
                           Fact(f"share of shared savings: {words or 'not quantified'}", _source(r)))
        if edge is not None and flow is not None:
            edge.savings_usd = (edge.savings_usd or 0.0) + flow


def _short_label(edge: MapEdge) -> str:
    """A few words drawn on the edge in small maps."""
    n = len(edge.facts)
    if edge.kind == "alliance":
        return "alliance"
    if edge.kind == "board-seat":
        seats = sum(1 for f in edge.facts if "seat on" in f.text)
        return f"{seats} seat{'s' if seats != 1 else ''}" if seats else "on board"
    if edge.kind == "reserved-power":
        return edge.facts[0].text.split(" over ")[0] if n == 1 else f"{n} powers"
    if edge.kind == "service":
        return f"{n} service{'s' if n != 1 else ''}"
    if edge.kind == "savings-share":
        if edge.savings_usd is not None:
            return _money(edge.savings_usd)
        words = edge.facts[0].text.split(": ", 1)[-1].split(";")[0]
        return words.replace("described as ", "")
    return ""


# --- choosing what to draw ---------------------------------------------------------------

def organization_iri(identifier: str, graph: MapGraph, argument: str) -> str:
    """The IRI of an organization given by its CSV id (or its IRI).

    Raises
    ------
    UsageError
        If no organization of the map has that identifier.
    """
    iri = identifier if identifier.startswith(INSTANCE) else mint("organization", identifier)
    if iri not in graph.nodes:
        raise UsageError(f"no organization with id {identifier!r} in the store", argument=argument)
    return iri


def _within(adjacent: dict[str, set[str]], start: str, depth: int) -> set[str]:
    seen, frontier = {start}, {start}
    for _ in range(depth):
        frontier = {m for n in frontier for m in adjacent[n]} - seen
        seen |= frontier
    return seen


def restrict(graph: MapGraph, *, focus: str | None = None, depth: int = 2,
             year: int | None = None, partner: str | None = None,
             state: str | None = None) -> MapGraph:
    """Keep the part of the map that was asked for (the same rules as the page's controls).

    Parameters
    ----------
    graph : MapGraph
    focus : str, optional
        Organization id (or IRI): keep what lies within `depth` links of it.
    depth : int
        Number of links from `focus` (0 = the organization alone).
    year : int, optional
        Keep the links as they stood in that year (a link whose dates are not known is kept,
        and a note says how many); organizations left with no link are dropped.
    partner : str, optional
        Organization id: keep it, the organizations linked to it, and everything linked to
        the ACOs among those (their participants, boards and other partners).
    state : str, optional
        USPS code: keep the organizations in that state and the organizations linked to them.

    Raises
    ------
    UsageError
        For an unknown organization, a negative depth, a year outside 1900-2100 or a state
        that is not two capital letters.
    """
    if depth < 0:
        raise UsageError(f"must be 0 or more, got {depth}", argument="depth")
    if year is not None and not 1900 <= year <= 2100:
        raise UsageError(f"{year} is outside 1900-2100", argument="year")
    if state is not None and not _STATE.match(state):
        raise UsageError(f"{state!r} is not a two-letter USPS code such as NM", argument="state")
    focus_iri = organization_iri(focus, graph, "focus") if focus else None
    partner_iri = organization_iri(partner, graph, "partner") if partner else None
    out = graph.keep(graph.nodes)
    if year is not None:
        linked = {n for e in out.edges for n in (e.source, e.target)}
        edges = [e for e in out.edges if e.active_in(year)]
        still = {n for e in edges for n in (e.source, e.target)}
        out = replace(out, edges=edges, nodes={k: v for k, v in out.nodes.items()
                                               if k in still or k not in linked})
        out.filters.append(f"as in {year}")
    if partner_iri is not None:
        if partner_iri not in out.nodes:
            raise UsageError(f"{partner!r} has no link in {year}", argument="partner")
        adjacent = out.neighbours()
        kept = {partner_iri} | adjacent[partner_iri]
        for n in list(kept):
            if out.nodes[n].kind == "aco":
                kept |= adjacent[n]
        out = out.keep(kept)
        out.filters.append(f"partner: {graph.nodes[partner_iri].name}")
    if state is not None:
        adjacent = out.neighbours()
        inside = {n for n, node in out.nodes.items() if node.state == state}
        out = out.keep(inside.union(*(adjacent[n] for n in inside)) if inside else set())
        out.filters.append(f"state: {state}")
    if focus_iri is not None:
        if focus_iri not in out.nodes:
            raise UsageError(f"{focus!r} is not in the map once the other filters apply",
                             argument="focus")
        out = out.keep(_within(out.neighbours(), focus_iri, depth))
        out.filters.append(f"within {depth} link(s) of {graph.nodes[focus_iri].name}")
    if year is not None:  # counted on what is left, as the page counts what it shows
        undated = sum(1 for e in out.edges if any(f.undated and f.active_in(year) for f in e.facts))
        if undated:
            out.notes.append(f"{undated} link(s) shown for {year} have no start or end date "
                             "in the data; they are kept, not assumed ended.")
    return out


def aggregate_participants(graph: MapGraph) -> MapGraph:
    """Fold each ACO's participants whose only link is that ACO into one node.

    A participant that also sits on a board, provides a service or belongs to two ACOs
    stays a node of its own, so no link other than participation disappears.

    >>> g = MapGraph({"a": MapNode("a", "A", "aco"), "p": MapNode("p", "P", "physician-group")},
    ...              [MapEdge("participation", "p", "a", [Fact("x", Source(None, None, None))])])
    >>> sorted(n.name for n in aggregate_participants(g).nodes.values())
    ['1 participant of A', 'A']
    """
    edges_of: dict[str, list[MapEdge]] = {n: [] for n in graph.nodes}
    for e in graph.edges:
        edges_of[e.source].append(e)
        edges_of[e.target].append(e)
    folded: dict[str, list[str]] = {}
    for n, edges in edges_of.items():
        if (len(edges) == 1 and edges[0].kind == "participation" and edges[0].source == n
                and graph.nodes[n].kind != "aco"):
            folded.setdefault(edges[0].target, []).append(n)
    if not folded:
        return graph.keep(graph.nodes)
    folded_away = {m for members in folded.values() for m in members}
    nodes = {k: v for k, v in graph.nodes.items() if k not in folded_away}
    edges = [e for e in graph.edges if e.source in nodes and e.target in nodes]
    for aco, members in sorted(folded.items()):
        kinds: dict[str, int] = {}
        for m in members:
            kinds[NODE_KINDS[graph.nodes[m].kind][0]] = kinds.get(NODE_KINDS[graph.nodes[m].kind][0], 0) + 1
        iri = aco + "#participants"
        count = len(members)
        node = MapNode(iri=iri, name=f"{count} participant{'s' if count != 1 else ''} of "
                                     f"{graph.nodes[aco].name}",
                       kind="participant-group", members=count)
        node.facts = [("Aggregated", "participants whose only link is this ACO")]
        node.facts += [(k, str(v)) for k, v in sorted(kinds.items())]
        names = sorted(graph.nodes[m].name for m in members)
        node.facts.append(("Members", "; ".join(names[:20]) + (" ..." if len(names) > 20 else "")))
        nodes[iri] = node
        facts = [f for m in members for e in edges_of[m] for f in e.facts]
        edges.append(MapEdge("participation", iri, aco, facts))
    out = replace(graph, nodes=nodes, edges=edges, notes=list(graph.notes),
                  filters=list(graph.filters))
    total = sum(len(m) for m in folded.values())
    out.notes.append(f"{total} participant(s) linked to nothing but their ACO are drawn as one "
                     f"node per ACO ({len(folded)} node(s)); use --participants all to draw each.")
    return out


def _scores(graph: MapGraph, power: Mapping[str, float] | None) -> dict[str, float]:
    if power:
        return {n: float(power.get(n, 0.0) or 0.0) for n in graph.nodes}
    degree = {n: 0.0 for n in graph.nodes}
    for e in graph.edges:
        degree[e.source] += 1
        degree[e.target] += 1
    return degree


#: The order in which the cap keeps organizations: partners, then ACOs, then the rest.
_CAP_TIERS = {"management-partner": 0, "aco": 1}


def cap(graph: MapGraph, max_nodes: int, scores: Mapping[str, float]) -> MapGraph:
    """Keep at most `max_nodes` nodes, chosen so that the most important links survive.

    Keeping the highest-scoring nodes alone can keep no link at all (on the national graph
    the 5,000 highest PageRanks are participants, whose ACOs rank lower). So links are
    taken with both of their ends while both fit under the cap: first the links among
    management partners and ACOs, then every partner and ACO (by score), then the links
    from them to other organizations, in turns - each partner's or ACO's best link (the
    other end's score), then each one's second best, and so on - and last the links
    among the other organizations. Room left is filled with nodes by score. Ties are
    broken by IRI, so the result is deterministic. A note says what was kept.

    >>> node = lambda iri, kind: MapNode(iri, iri.upper(), kind)
    >>> fact = [Fact("x", Source(None, None, None))]
    >>> g = MapGraph({"a": node("a", "aco"), "p": node("p", "physician-group"),
    ...               "q": node("q", "physician-group"), "r": node("r", "physician-group")},
    ...              [MapEdge("participation", "p", "a", fact), MapEdge("participation", "q", "r", fact)])
    >>> kept = cap(g, 2, {"p": 3.0, "q": 2.0, "r": 1.0, "a": 0.0})
    >>> sorted(kept.nodes), [(e.source, e.target) for e in kept.edges]
    (['a', 'p'], [('p', 'a')])
    """
    if max_nodes < 1:
        raise UsageError(f"must be at least 1, got {max_nodes}", argument="max_nodes")
    if len(graph.nodes) <= max_nodes:
        return graph

    def tier(n: str) -> int:
        return _CAP_TIERS.get(graph.nodes[n].kind, 2)

    def rank(n: str) -> tuple:
        return (tier(n), -scores.get(n, 0.0), n)

    ends = {id(e): sorted((e.source, e.target), key=rank) for e in graph.edges}
    # each anchor's links, best first, so that every anchor gets its strongest link
    # before any gets its second
    turn: dict[int, int] = {}
    by_anchor: dict[str, list[MapEdge]] = {}
    for e in graph.edges:
        by_anchor.setdefault(ends[id(e)][0], []).append(e)
    for edges in by_anchor.values():
        edges.sort(key=lambda e: (rank(ends[id(e)][1]), e.kind))
        turn.update((id(e), i) for i, e in enumerate(edges))

    def importance(edge: MapEdge) -> tuple:
        anchor, end = ends[id(edge)]
        return (tier(anchor), tier(end), turn[id(edge)], rank(end), rank(anchor), edge.kind)

    kept: dict[str, None] = {}  # insertion-ordered set

    def take(nodes: Iterable[str]) -> None:
        new = [n for n in dict.fromkeys(nodes) if n not in kept]
        if len(kept) + len(new) <= max_nodes:
            kept.update(dict.fromkeys(new))

    links = sorted(graph.edges, key=importance)
    core = [e for e in links if tier(ends[id(e)][1]) < 2]
    for edge in core:  # links among partners and ACOs
        take((edge.source, edge.target))
    for n in sorted(graph.nodes, key=rank):  # every partner and ACO
        if tier(n) == 2 or len(kept) == max_nodes:
            break
        take((n,))
    for edge in links[len(core):]:  # links to the other organizations, in turns
        if len(kept) == max_nodes:
            break
        take((edge.source, edge.target))
    for n in sorted(graph.nodes, key=rank):
        if len(kept) == max_nodes:
            break
        take((n,))
    out = graph.keep(kept)

    def share(kind: str, label: str) -> str | None:
        total = sum(1 for node in graph.nodes.values() if node.kind == kind)
        drawn = sum(1 for node in out.nodes.values() if node.kind == kind)
        if not total:
            return None
        return f"all {total:,} {label}" if drawn == total else f"{drawn:,} of {total:,} {label}"

    drawn = [p for p in (share("management-partner", "management partner(s)"),
                         share("aco", "ACO(s)")) if p]
    drawn.append(f"{sum(1 for n in out.nodes if tier(n) == 2):,} other node(s)")
    linked = {n for e in out.edges for n in (e.source, e.target)}
    lone = (f"; {len(out.nodes) - len(linked):,} node(s) have no link drawn"
            if len(out.nodes) > len(linked) else "")
    out.notes.append(
        f"Only {max_nodes:,} of {len(graph.nodes):,} nodes are drawn (the cap, --max-nodes), "
        f"with {len(out.edges):,} of {len(graph.edges):,} links. Links are kept with both "
        "their ends: first the links among management partners and ACOs, then every "
        "partner and ACO, then their links to other organizations, each partner's or ACO's "
        "best link (by score) in turn; room left is filled by score. "
        f"Drawn: {', '.join(drawn[:-1]) + ' and ' if len(drawn) > 1 else ''}"
        f"{drawn[-1]}{lone}. Narrow the map with --focus, --partner, --state or --year, or "
        "raise --max-nodes.")
    return out


# --- the page ----------------------------------------------------------------------------

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


def _payload(graph: MapGraph, positions: Mapping[str, tuple[float, float]],
             scores: Mapping[str, float], size_by: str) -> dict:
    order = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(order)}
    top = max([scores.get(n, 0.0) for n in order] + [0.0])
    nodes = []
    for n in order:
        node = graph.nodes[n]
        name = node.name if len(node.name) <= _NAME_SHOWN else node.name[:_NAME_SHOWN - 1] + "…"
        facts = [[k, v] for k, v in node.facts]
        facts.append([size_by, f"{scores.get(n, 0.0):g}"])
        x, y = positions[n]
        nodes.append({
            "id": index[n], "label": name, "name": node.name, "group": node.kind,
            "st": node.state, "x": x, "y": y,
            "value": 1.0 + 9.0 * math.sqrt(scores.get(n, 0.0) / top) if top > 0 else 1.0,
            "f": facts,
            "s": [[s.citation, s.locator, s.evidence] for s in node.sources],
        })
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
            "f": [[f.text, f.source.citation, f.source.locator, f.source.evidence,
                   f.start, f.end] for f in e.facts],
            "per": [[f.start, f.end] for f in e.facts],
        })
    years = sorted({y for e in graph.edges for f in e.facts for y in (f.start, f.end)
                    if y is not None})
    partners = sorted(((index[n], graph.nodes[n].name) for n in order
                       if graph.nodes[n].kind == "management-partner"), key=lambda p: p[1])
    return {
        "nodes": nodes, "edges": edges,
        "kinds": {k: {"label": v[0], "shape": v[1], "color": v[2]} for k, v in NODE_KINDS.items()},
        "edgeKinds": {k: {"label": v[0], "color": v[1]} for k, v in EDGE_KINDS.items()},
        "years": list(range(years[0], years[-1] + 1)) if years else [],
        "states": sorted({node.state for node in graph.nodes.values() if node.state}),
        "partners": [[i, name] for i, name in partners],
        "large": len(nodes) > 1000,
    }


def render_map(graph: MapGraph, positions: Mapping[str, tuple[float, float]], *,
               scores: Mapping[str, float], size_by: str, title: str = "aco-kg network map",
               total_nodes: int | None = None) -> str:
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
    """
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES),
                                     autoescape=True, undefined=jinja2.StrictUndefined)
    script = (_TEMPLATES / "map.js").read_text(encoding="utf-8")
    vis_js = _inline_safe(_asset("vis-9.1.2/vis-network.min.js"), "vis-network.min.js")
    vis_css = _inline_safe(_asset("vis-9.1.2/vis-network.css"), "vis-network.css")
    payload = _payload(graph, positions, scores, size_by)
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
        Node IRI -> power score (from the power analysis); sets the node sizes. Without it
        a node's size is its number of links on the map, and the legend says so.
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
    from kg.products.layout import layout

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
    scores = _scores(graph, power)
    graph = cap(graph, max_nodes, scores)
    if not power:
        scores = _scores(graph, None)  # degree on the map as drawn
    size_by = "Power score" if power else "Links on this map"
    if not power:
        graph.notes.append("Node size shows the number of links on this map (no power "
                           "analysis was given).")
    mark = time.perf_counter()
    order = sorted(graph.nodes)
    positions = layout(order, [(e.source, e.target) for e in graph.edges], seed=seed)
    seconds["layout"] = time.perf_counter() - mark
    mark = time.perf_counter()
    page = render_map(graph, positions, scores=scores, size_by=size_by, title=title,
                      total_nodes=total)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(path)  # a reader never sees half a page
    seconds["render"] = time.perf_counter() - mark
    return MapSummary(path=path, nodes=len(graph.nodes), edges=len(graph.edges),
                      total_nodes=total, notes=list(graph.notes), seconds=seconds)
