"""The map's data: organizations, the links between them, and the facts behind each link.

A :class:`MapGraph` holds :class:`MapNode` objects by IRI and :class:`MapEdge` objects, one
per kind of link and ordered pair of organizations; every edge carries its :class:`Fact`
objects, each with its :class:`Source` (citation, locator, reported or inferred) and
period. :data:`NODE_KINDS` and :data:`EDGE_KINDS` are the kinds a map can draw, with the
label, shape or arrowhead, and colour the page gives them.

Examples
--------
>>> fact = Fact("veto over all board decisions", Source("Murray 2018", "p. 3", "reported"),
...             start=2014)
>>> edge = MapEdge("reserved-power", "partner", "aco", [fact])
>>> edge.active_in(2013), edge.active_in(2020), edge.inferred
(False, True, False)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable

__all__ = ["NODE_KINDS", "EDGE_KINDS", "Source", "Fact", "MapNode", "MapEdge", "MapGraph"]

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
    "summary": ("ACOs with no operator and no shared participant (click to expand)", "dot", "#f2c94c"),
}

#: Edge kinds: label, colour, arrowhead at the target ("" = none), default width.
EDGE_KINDS: dict[str, tuple[str, str, str, float]] = {
    "operator": ("Operator runs the ACO (dated link)", "#b03060", "arrow", 2.5),
    "alliance": ("Alliance membership", "#1f3b73", "", 3.0),
    "participation": ("ACO participant", "#9aa5b1", "", 1.0),
    "board-seat": ("Board seat or representation (to the ACO)", "#6a3d9a", "box", 2.0),
    "reserved-power": ("Veto or other reserved power (to the ACO)", "#c0392b", "bar", 3.0),
    "service": ("Services (provider to recipient)", "#2e8b57", "arrow", 2.0),
    "savings-share": ("Share of savings (ACO to recipient)", "#d4a017", "arrow", 2.0),
    "parent": ("Subsidiary of (to the parent)", "#555555", "vee", 1.0),
}



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
    #: assigned beneficiaries by performance year (from the results files)
    beneficiaries: dict[int, int] = field(default_factory=dict)
    #: performance years with a result (an ACO exists in those years even without a link)
    years: set[int] = field(default_factory=set)
    #: operator kind (notation) when the organization operates ACOs
    operator_kind: str | None = None
    #: a summary node: the IRIs it folds (shown when it is expanded)
    children: list[str] = field(default_factory=list)
    #: folded in every view (an ACO with no operator and no shared participant, or what
    #: hangs on such an ACO alone); other ACOs fold only when a view leaves them no link
    lone: bool = False
    #: the ACO this organization is linked to alone (it folds with it)
    hangs_on: str | None = None
    #: a participant group: the periods of its members' participation -> how many members
    #: have those periods (so that a view of one year counts the members valid then)
    member_periods: dict[tuple[tuple[int | None, int | None], ...], int] = field(default_factory=dict)


@dataclass
class MapEdge:
    """Every link of one kind from one organization to another."""

    kind: str
    source: str
    target: str
    facts: list[Fact] = field(default_factory=list)
    savings_usd: float | None = None
    short: str = ""
    #: review state of an operator link (confirmed or unreviewed); None for other kinds
    review: str | None = None

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
    #: summary nodes that nothing folds (the top of the summary tree), in order
    summaries: list[str] = field(default_factory=list)

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
                       notes=list(self.notes), filters=list(self.filters),
                       summaries=[s for s in self.summaries if s in kept])


