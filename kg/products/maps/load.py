"""Reading the map graph from the store: :func:`load_map_graph`.

The organizations and every link between them come from the read queries the map shares
with the analysis (:mod:`kg.analysis.read`, ``queries/tables/``): alliance memberships,
ACO participation, board seats and representation, vetoes and other reserved powers,
services, shares of savings and parent companies, with the boards (to find the ACO a
seat or a power is about), the periods of seats, services and memberships, and the labels
of the code lists, and the operator links (``operator_links``: which operator runs which
ACO, in which years, on what evidence and review). An alliance that the operator links
already draw (the same link, or an inferred alliance between the same operator and ACO)
is not drawn twice. A participation with no dates, read from one year's file
(its locator names one ``(PYyyyy`` year), is dated to that year. The results give each
ACO its performance years and assigned beneficiaries. Links of one kind between the same two organizations become one edge
carrying every fact, each with its source (citation and locator) and whether the source
reports it or the curator inferred it.

Examples
--------
>>> import pyoxigraph as ox
>>> graph = load_map_graph(ox.Store())
>>> len(graph.nodes), len(graph.edges)
(0, 0)
"""

from __future__ import annotations

import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Mapping

import pandas as pd

from kg.analysis.read import read_table
from kg.core.iris import CODE, parse_instance_iri
from kg.products.maps.model import NODE_KINDS, Fact, MapEdge, MapGraph, MapNode, Source
from kg.sparql.order import in_order

__all__ = ["load_map_graph"]


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


def _rows(store, name: str, order: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The rows of the read table `name`, in `order` when given.

    The tables come in the order the analysis declares; the map takes some in the order of
    their own nodes instead, which decides the order of an edge's facts and the direction
    of the links of an alliance without an ACO.
    """
    frame = in_order(read_table(store, name), order)
    # every missing value (NA, NaN, NaT) as None, at once rather than cell by cell
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _dated(rows: list[dict[str, Any]], key: str,
           periods: Mapping[str, tuple[Any, Any]]) -> list[dict[str, Any]]:
    """`rows` with the ``begin`` and ``end`` of the node in their `key` column."""
    for row in rows:
        row["begin"], row["end"] = periods.get(row[key], (None, None))
    return rows


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
    # the tables are read in threads (Oxigraph answers queries in parallel), the two
    # largest first: on the national store this halves the time of the reads
    reads = {
        "organizations": lambda: _rows(store, "organizations"),
        "aco_participants": lambda: _rows(store, "aco_participants", ("participation",)),
        "savings_results": lambda: _rows(store, "savings_results", ("contract", "result")),
        "operator_links": lambda: _rows(store, "operator_links", ("operator", "aco", "first_year")),
        "code_labels": lambda: _rows(store, "code_labels"),
        "periods": lambda: _rows(store, "periods"),
        "boards": lambda: _rows(store, "boards"),
        "alliance_members": lambda: _rows(store, "alliance_members", ("alliance", "membership")),
        "board_seats": lambda: _rows(store, "board_seats", ("seat",)),
        "board_representation": lambda: _rows(store, "board_representation", ("representation",)),
        "reserved_powers": lambda: _rows(store, "reserved_powers", ("power",)),
        "services": lambda: _rows(store, "services", ("service",)),
        "savings_shares": lambda: _rows(store, "savings_shares", ("share",)),
    }
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 1))) as pool:
        pending = {name: pool.submit(read) for name, read in reads.items()}
    table = {name: future.result() for name, future in pending.items()}
    labels = {r["concept"]: (r["label"] or r["notation"]) for r in table["code_labels"]}
    periods = {r["node"]: (r["begin"], r["end"]) for r in table["periods"]}
    boards = table["boards"]
    aco_of = {r["board"]: r["aco"] for r in boards}
    board_name = {r["board"]: r["name"] for r in boards}

    def label(iri: str | None) -> str | None:
        return labels.get(iri, _notation(iri)) if iri else None

    nodes: dict[str, MapNode] = {}
    parents: list[tuple[str, str, Source]] = []
    for r in table["organizations"]:
        iri = r["org"]
        if iri in nodes:  # a second value of a single-valued field: keep the first
            continue
        kind = _notation(r["kind"]) or "unknown"
        node = MapNode(iri=iri, name=r["name"] or _local_id(iri),
                       kind=kind if kind in NODE_KINDS else "unknown", state=r["state"])
        node.facts.append(("Kind", label(r["kind"]) or "not recorded"))
        for key, column in (("Profit status", "profit_status"), ("Scope", "scope")):
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
    operator_links = table["operator_links"]
    _operators(builder, operator_links, label)
    _alliances(builder, _dated(table["alliance_members"], "membership", periods), label,
               skip={r["link"] for r in operator_links})
    for r in table["aco_participants"]:
        begin, end = _year(r["begin"]), _year(r["end"])
        if begin is None and end is None:  # a link read from one year's file holds in that year
            begin = end = _file_year(r["locator"])
        builder.add("participation", r["member"], r["aco"],
                    Fact("participant of the ACO", _source(r), begin, end))
    _boards(builder, _dated(table["board_seats"], "seat", periods),
            table["board_representation"], aco_of, board_name)
    for r in table["reserved_powers"]:
        text = f"{label(r['power_kind']) or 'reserved power'} over {label(r['matter']) or 'board decisions'}"
        if r["description"]:
            text += f": {r['description']}"
        builder.add("reserved-power", r["holder"], aco_of.get(r["board"]), Fact(text, _source(r)))
    for r in _dated(table["services"], "service", periods):
        status = [s for s in ("promised" if r["promised"] else None, label(r["delivery"])) if s]
        text = (label(r["service_type"]) or "service") + (f" ({', '.join(status)})" if status else "")
        builder.add("service", r["provider"], r["recipient"],
                    Fact(text, _source(r), _year(r["begin"]), _year(r["end"])))
    results = table["savings_results"]
    _shares(builder, table["savings_shares"], results, label)
    for r in results:  # the years an ACO reported results, and its beneficiaries then
        node, year = nodes.get(r["aco"]), _value(r["performance_year"])
        if node is None or year is None:
            continue
        node.years.add(int(year))
        if r["assigned_beneficiaries"] is not None:
            node.beneficiaries[int(year)] = (node.beneficiaries.get(int(year), 0)
                                             + int(r["assigned_beneficiaries"]))

    # an inferred alliance between an operator and its ACO says what the operator link says
    operated = {frozenset((e.source, e.target)) for e in builder.edges.values() if e.kind == "operator"}
    for key, edge in list(builder.edges.items()):
        if edge.kind == "alliance" and edge.inferred and frozenset((edge.source, edge.target)) in operated:
            del builder.edges[key]
    for edge in builder.edges.values():
        edge.short = _short_label(edge)
    edges = sorted(builder.edges.values(), key=lambda e: (e.kind, e.source, e.target))
    return MapGraph(nodes=nodes, edges=edges)


def _local_id(iri: str) -> str:
    try:
        return parse_instance_iri(iri)[1]
    except ValueError:
        return iri


_PY_MARK = re.compile(r"\(PY(\d{4})\b")


def _file_year(locator: str | None) -> int | None:
    """The one performance year a locator names with a ``(PYyyyy`` mark, else None.

    >>> _file_year("mssp_participants_2026.csv, line 3 (PY2026, ACO_ID A1001)")
    2026
    >>> _file_year("p. 3") is None, _file_year("(PY2023) and (PY2026)") is None
    (True, True)
    """
    years = set(_PY_MARK.findall(locator or ""))
    return int(years.pop()) if len(years) == 1 else None


def _operators(builder: _Builder, rows: list[dict], label) -> None:
    """One edge per operator and ACO, from the operator to the ACO, dated by its links.

    An operator or an ACO that the organizations table does not hold gets a node of its
    own from the link (its name, kind management partner or ACO).
    """
    for r in rows:
        operator, aco = r["operator"], r["aco"]
        if operator not in builder.nodes:
            builder.nodes[operator] = MapNode(operator, r["operator_name"] or _local_id(operator),
                                              "management-partner")
            builder.nodes[operator].facts.append(("Identifier", _local_id(operator)))
        if aco not in builder.nodes:
            builder.nodes[aco] = MapNode(aco, r["aco_name"] or _local_id(aco), "aco")
            builder.nodes[aco].facts.append(("Identifier", _local_id(aco)))
        node = builder.nodes[operator]
        kind = _notation(r["operator_kind"]) or "unknown"
        if node.operator_kind is None:
            node.operator_kind = kind
            node.facts.insert(0, ("Operator kind", label(r["operator_kind"]) or kind))
        review = _notation(r["review"]) or "unreviewed"
        first, last = _value(r["first_year"]), _value(r["last_year"])
        text = f"operates the ACO ({label(r['review']) or review})"
        if r["signals"] and r["signals"] != r["locator"]:
            text += f"; signals: {r['signals']}"
        edge = builder.add("operator", operator, aco,
                           Fact(text, _source(r), None if first is None else int(first),
                                None if last is None else int(last)))
        if edge is not None:
            # a link of an edge is confirmed when any of its links is
            edge.review = "confirmed" if "confirmed" in (edge.review, review) else review


def _alliances(builder: _Builder, rows: list[dict], label, skip: set = frozenset()) -> None:
    """One edge per alliance between its hub (the ACO member) and each other member.

    An alliance without an ACO member (a provider-payer alliance) links every pair of
    members, since none of them is the centre. The alliances in `skip` (those the operator
    links already draw) are left out.
    """
    by_alliance: dict[str, list[dict]] = {}
    for r in rows:
        if r["alliance"] not in skip:
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


def _boards(builder: _Builder, seats: list[dict], representation: list[dict],
            aco_of: Mapping[str, str], board_name: Mapping[str, str | None]) -> None:
    """Seats and representation on a board, drawn as links to the ACO the board governs."""
    for r in seats:
        votes = r["votes"]
        kind = "voting seat" if r["voting"] else ("non-voting seat" if r["voting"] is False else "seat")
        text = f"{kind} on the {board_name.get(r['board']) or 'board'}" + (
            f" ({votes} vote{'s' if votes != 1 else ''})" if votes is not None else "")
        builder.add("board-seat", r["holder"], aco_of.get(r["board"]),
                    Fact(text, _source(r), _year(r["begin"]), _year(r["end"])))
    for r in representation:
        if r["board"] not in aco_of:  # a board that governs no ACO is not drawn
            continue
        board = board_name.get(r["board"]) or "board"
        if r["represented"]:
            builder.add("board-seat", r["org"], aco_of[r["board"]],
                        Fact(f"represented on the {board}", _source(r)))
        elif r["org"] in builder.nodes:  # a reported absence is a fact about the member
            builder.nodes[r["org"]].facts.append(("Board", f"not represented on the {board}"))


def _shares(builder: _Builder, shares: list[dict], results: list[dict], label) -> None:
    """Shares of savings, with the dollars flowing where an exact share and earnings are known."""
    by_contract: dict[str, list[dict]] = {}
    for r in results:
        by_contract.setdefault(r["contract"], []).append(r)
    for r in shares:
        exact, low, high = r["share_exact_pct"], r["share_min_pct"], r["share_max_pct"]
        if exact is not None:
            share = _percent(exact)
        else:
            low = (("more than " if r["share_min_exclusive"] else "at least ") + _percent(low)
                   if low is not None else None)
            high = (("under " if r["share_max_exclusive"] else "at most ") + _percent(high)
                    if high is not None else None)
            share = " and ".join(s for s in (low, high) if s) or None
        level = label(r["share_level"])
        words = ", ".join(s for s in (share, f"described as {level}" if level else None) if s)
        first, last = r["from_contract_year"], r["to_contract_year"]
        years = [y for y in by_contract.get(r["contract"], [])
                 if (first is None or (y["contract_year"] or 0) >= first)
                 and (last is None or (y["contract_year"] or 10**6) <= last)]
        earned = [y["earned_savings_usd"] for y in years]
        flow = None
        if years and all(e is not None for e in earned):
            total = float(sum(earned))
            words += f"; the ACO earned {_money(total)} over {len(years)} year(s)"
            if exact is not None:
                flow = total * float(exact) / 100
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
    if edge.kind == "operator":
        spans = sorted({(f.start, f.end) for f in edge.facts}, key=lambda s: (s[0] or 0, s[1] or 0))
        return ", ".join(f"{a or '?'}-{b or '?'}" for a, b in spans)
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

