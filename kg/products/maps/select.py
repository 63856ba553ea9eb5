"""Choosing what to draw: filters, the aggregation of participants, and the cap.

:func:`restrict` keeps the part the analyst asked for: the links as they stood in a year,
the organizations around a partner, in a state, or within N links of one organization.
:func:`aggregate_participants` folds the participants whose only link is their ACO into
one node per ACO, and :func:`cap` keeps at most ``max_nodes`` nodes, chosen so that links
survive. Each step leaves a note that the page shows. The page's own controls follow the
same rules (the browser tests check that both give the same counts).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable, Mapping

from kg.core.errors import UsageError
from kg.core.iris import INSTANCE, mint
from kg.products.maps.model import NODE_KINDS, Fact, MapEdge, MapGraph, MapNode, Source
from kg.products.maps.regions import DIVISIONS, division

__all__ = ["DEFAULT_MAX_NODES", "AGGREGATE_ABOVE", "PARTICIPANTS_NOTE", "SUMMARIES_NOTE",
           "NO_RESULTS_NOTE", "organization_iri", "restrict", "aggregate_participants", "summarise", "folded",
           "node_beneficiaries", "node_scores", "cap"]

#: Default cap on the number of nodes drawn (5,000 draw in a few seconds; BENCHMARKS.md).
DEFAULT_MAX_NODES = 5000
#: With ``participants="auto"``, participants are aggregated when the map has more nodes.
AGGREGATE_ABOVE = 300
_STATE = re.compile(r"^[A-Z]{2}$")
#: The note on the aggregated participants; the page fills it in again for the year it shows
#: (``{when}``: empty, or " in 2016").
PARTICIPANTS_NOTE = ("{members} participant(s) linked to nothing but their ACO{when} are drawn "
                     "as one node per ACO ({groups} node(s)); use --participants all to draw each.")
#: The note on the summaries of the ACOs with no operator (filled in again the same way).
SUMMARIES_NOTE = ("{acos} ACO(s) with no operator and no participant shared with another "
                  "ACO{when} are folded into {nodes} node(s), one per Census division (then one "
                  "per state): click one to expand it.")
#: The note on a year that no results file covers (the page writes it for such a year too).
NO_RESULTS_NOTE = ("No results in the data for {year}: an ACO is drawn only where a link dates "
                   "it to {year}; an ACO without one is not shown, which does not mean that it "
                   "did not exist then.")


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
        and a note says how many) and the organizations valid in that year: those with a
        link kept or a result in that year, and those with neither links nor results at all
        (nothing dates them); the others are dropped. For a year without results (when
        other years have some), a note says that ACOs are missing, not absent.
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
        out = replace(out, edges=edges, nodes={
            k: v for k, v in out.nodes.items()
            if k in still or year in v.years or (k not in linked and not v.years)})
        out.filters.append(f"as in {year}")
        results = {y for node in graph.nodes.values() for y in node.years}
        if results and year not in results:
            out.notes.append(NO_RESULTS_NOTE.format(year=year))
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
        for m in members:  # each member's periods, so that a year counts the members valid then
            spans = tuple(sorted({(f.start, f.end) for f in edges_of[m][0].facts}, key=_span_order))
            node.member_periods[spans] = node.member_periods.get(spans, 0) + 1
        nodes[iri] = node
        facts = [f for m in members for e in edges_of[m] for f in e.facts]
        edges.append(MapEdge("participation", iri, aco, facts))
    out = replace(graph, nodes=nodes, edges=edges, notes=list(graph.notes),
                  filters=list(graph.filters))
    total = sum(len(m) for m in folded.values())
    out.notes.append(PARTICIPANTS_NOTE.format(members=f"{total:,}", groups=f"{len(folded):,}",
                                              when=""))
    return out


def _span_order(span: tuple[int | None, int | None]) -> tuple:
    """Sort key of a period whose bounds may be unknown (None after every year)."""
    return tuple((bound is None, bound or 0) for bound in span)


#: Prefix of the keys of summary nodes (not IRIs of the graph: nothing in the data has them).
SUMMARY = "urn:aco-kg:map:summary:"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def summarise(graph: MapGraph) -> MapGraph:
    """Fold the ACOs with no operator and no shared participant into summary nodes.

    An ACO with no operator whose linked organizations are linked to it alone (its
    aggregated participants, participants holding its board seats), or with no link at all,
    tells nothing about who runs whom; drawn one by one, hundreds of them make a grid
    of lone dots. They are folded, with their participant nodes, into one summary node per
    state (with the organizations linked to it alone), and the states into one per Census
    division (:mod:`~kg.products.maps.regions`);
    ACOs whose state is not recorded go straight under one node. The page draws the
    division nodes and expands a node when it is clicked; every folded node stays in the
    graph (its key in the summary's ``children``). Every other ACO without an operator has
    its place in a summary too (``lone`` is False): the page folds it there in a view
    (a year, a filter) that leaves it no link but to what hangs on it alone.

    >>> g = MapGraph({"a": MapNode("a", "A", "aco", state="NM"),
    ...               "b": MapNode("b", "B", "aco"), "p": MapNode("p", "P", "management-partner")},
    ...              [MapEdge("operator", "p", "b", [])])
    >>> out = summarise(g)
    >>> [out.nodes[s].name for s in out.summaries]  # b has an operator: in no summary by default
    ['Mountain: 1 ACO', 'State not recorded: 0 ACOs']
    >>> [out.nodes[c].name for c in out.nodes[out.summaries[0]].children]
    ['NM: 1 ACO']
    """
    adjacent = graph.neighbours()
    operators = {e.source for e in graph.edges if e.kind == "operator"}

    def hangers(n: str) -> list[str]:  # the organizations linked to the ACO `n` alone
        return sorted(m for m in adjacent[n] if adjacent[m] == {n} and m not in operators
                      and graph.nodes[m].kind not in ("aco", "management-partner"))

    acos_all = [n for n, node in graph.nodes.items() if node.kind == "aco" and n not in operators]
    hanging = {n: hangers(n) for n in acos_all}
    lone = [n for n in acos_all if len(hanging[n]) == len(adjacent[n])]
    if not lone:
        return graph.keep(graph.nodes)
    nodes = {n: replace(node) for n, node in graph.nodes.items()}
    for n in acos_all:
        for m in hanging[n]:
            nodes[m].hangs_on = n
    for n in lone:
        for m in [n] + hanging[n]:
            nodes[m].lone = True
    by_division: dict[str, dict[str | None, list[str]]] = {}
    for n in acos_all:  # every ACO has a place in a summary, used when a view leaves it alone
        state = graph.nodes[n].state
        by_division.setdefault(division(state), {}).setdefault(state, []).append(n)
    lone_set = set(lone)

    def summary(key: str, name: str, acos: list[str], children: list[str], where: str) -> str:
        count = sum(1 for a in acos if a in lone_set)  # folded in the map of every year
        node = MapNode(key, f"{name}: {count:,} ACO{'s' if count != 1 else ''}", "summary",
                       members=count, children=children)
        node.facts = [("Summarises", f"{count:,} ACO(s) {where} with no operator and no "
                       "participant shared with another ACO"),
                      ("Expand", "click the node to show what it holds; click again to fold it")]
        nodes[key] = node
        return key

    def largest_first(acos: list[str]) -> list[str]:  # the largest in the middle of a sunflower
        def latest(n: str) -> int:
            figures = graph.nodes[n].beneficiaries
            return figures[max(figures)] if figures else 0
        return sorted(acos, key=lambda n: (-latest(n), n))

    tops = []
    for name in sorted(by_division, key=DIVISIONS.index):
        states = by_division[name]
        acos = [n for members in states.values() for n in members]
        if name == "State not recorded":
            acos = largest_first(acos)
            children = acos + [m for a in acos for m in hanging[a]]
        else:
            children = []
            for state, members in sorted(states.items()):
                members = largest_first(members)
                children.append(summary(SUMMARY + _slug(state), state, members,
                                        members + [m for a in members for m in hanging[a]],
                                        f"registered in {state}"))
        tops.append(summary(SUMMARY + "division-" + _slug(name), name, acos, children,
                            "in " + name if name != "State not recorded" else "whose state is not recorded"))
    out = replace(graph, nodes=nodes, edges=list(graph.edges), notes=list(graph.notes),
                  filters=list(graph.filters), summaries=tops)
    out.notes.append(SUMMARIES_NOTE.format(acos=f"{len(lone):,}", nodes=f"{len(tops):,}", when=""))
    return out


def folded(graph: MapGraph) -> dict[str, str]:
    """Each node that a summary folds -> that summary (its nearest)."""
    parent: dict[str, str] = {}
    stack = list(graph.summaries)
    while stack:
        key = stack.pop()
        for child in graph.nodes[key].children:
            if child in graph.nodes:
                parent[child] = key
                if graph.nodes[child].kind == "summary":
                    stack.append(child)
    return parent


def node_beneficiaries(graph: MapGraph) -> dict[str, dict[str, int]]:
    """Assigned beneficiaries per node and year, the measure that sizes the nodes.

    An ACO's, in a year, are those of its results that year, or of its latest earlier
    results (a year without a results file, such as the years after the last one, keeps
    the last figure; the page says which year a figure is from); an operator's, the sum
    over the ACOs it runs in that year (its operator links valid then); a summary's, the sum
    over the ACOs it folds. Key ``"all"`` (the map of every year): an ACO's latest figure,
    summed the same way. A node without a figure has none (drawn at the smallest size).

    >>> aco = MapNode("a", "A", "aco", beneficiaries={2022: 900, 2023: 1000})
    >>> op = MapNode("p", "P", "management-partner")
    >>> link = MapEdge("operator", "p", "a", [Fact("runs", Source(None, None, None), 2023, 2024)])
    >>> node_beneficiaries(MapGraph({"a": aco, "p": op}, [link]))["p"]
    {'2023': 1000, '2024': 1000, 'all': 1000}
    """
    out: dict[str, dict[str, int]] = {}
    through = max([f.end for e in graph.edges for f in e.facts if f.end is not None]
                  + [y for node in graph.nodes.values() for y in node.years] + [0])
    for n, node in graph.nodes.items():
        if node.beneficiaries:
            latest = max(node.beneficiaries)
            out[n] = {}
            value = None
            for year in range(min(node.beneficiaries), max(through, latest) + 1):
                value = node.beneficiaries.get(year, value)  # the latest figure so far
                out[n][str(year)] = value
            out[n]["all"] = node.beneficiaries[latest]
    sums: dict[str, dict[str, int]] = {}
    for e in graph.edges:
        if e.kind != "operator" or e.target not in out:
            continue
        total = sums.setdefault(e.source, {})
        for year, value in out[e.target].items():
            if year == "all" or e.active_in(int(year)):
                total[year] = total.get(year, 0) + value
    parent = folded(graph)
    for n in graph.nodes:
        if graph.nodes[n].kind == "aco" and graph.nodes[n].lone and n in parent and n in out:
            key = parent[n]
            while key is not None:
                total = sums.setdefault(key, {})
                for year, value in out[n].items():
                    total[year] = total.get(year, 0) + value
                key = parent.get(key)
    for n, total in sums.items():
        if n not in out:
            out[n] = {y: total[y] for y in sorted(total, key=lambda y: (y == "all", y))}
    return out


def node_scores(graph: MapGraph, power: Mapping[str, float] | None) -> dict[str, float]:
    """The score that sizes each node and ranks it under the cap.

    Parameters
    ----------
    graph : MapGraph
    power : mapping of str to float, optional
        Node IRI -> power score; a node without one scores 0. Without `power`, a node's
        score is its number of links on `graph`.

    >>> g = MapGraph({"a": MapNode("a", "A", "aco"), "p": MapNode("p", "P", "physician-group")},
    ...              [MapEdge("participation", "p", "a", [])])
    >>> node_scores(g, None), node_scores(g, {"a": 0.5})
    ({'a': 1.0, 'p': 1.0}, {'a': 0.5, 'p': 0.0})
    """
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

    def tier(n: str) -> int:  # an operator of ACOs ranks with the partners, whatever its kind
        return 0 if graph.nodes[n].operator_kind else _CAP_TIERS.get(graph.nodes[n].kind, 2)

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

