"""networkx projections of the knowledge graph, built from the tables of :mod:`kg.analysis.analyze`.

Every node is an organization id (the ``ID`` of ``https://w3id.org/aco-kg/id/organization/ID``)
with attributes ``name`` and ``kind`` (an org-kind notation), except where said otherwise.

========== ============ ======================= =========================================
graph      type         edge, direction         edge attributes
========== ============ ======================= =========================================
control    DiGraph      controller -> ACO       ``kind`` (``board`` or ``parent``),
                        parent -> subsidiary    ``seats`` (voting seats), ``votes``,
                                                ``veto`` (reserved veto), ``powers``
                                                (power kinds), ``weight`` = 1
money      DiGraph      ACO -> partner          ``captured_usd_min``/``_max`` (summed over
                        ``program:P`` -> ACO    years; missing when unknown), ``status``;
                                                program edges: ``earned_savings_usd``
services   DiGraph      provider -> recipient   ``services`` (service types), ``critical``
                                                (critical groups), ``weight`` = dependency
membership Graph        org -- ``alliance:A``   ``role``, ``evidence``; alliance nodes have
           (bipartite)                          ``bipartite=1``, organizations ``0``
========== ============ ======================= =========================================

Control ties are binary (``weight`` 1), after the threshold model of Vitali, Glattfelder
and Battiston (2011): ownership percentages are mostly unknown, so a tie records that the
controller holds board votes, a reserved power or the parent's stake; the detail stays on
the edge. Unknown amounts are left missing, never set to 0.

Examples
--------
>>> import pandas as pd
>>> orgs = pd.DataFrame({"org_id": ["p", "a"], "name": ["P", "A"],
...                      "kind": ["management-partner", "aco"], "parent_id": [None, None]})
>>> seats = pd.DataFrame({"board_id": ["b"], "aco_id": ["a"], "holder_id": ["p"],
...                       "voting": [True], "votes": [2]})
>>> g = control_graph(orgs, seats, pd.DataFrame(columns=["board_id", "aco_id", "holder_id",
...                                                      "power_kind"]))
>>> dict(g["p"]["a"])
{'kind': 'board', 'seats': 1, 'votes': 2, 'veto': False, 'powers': [], 'weight': 1.0}
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

__all__ = ["control_graph", "money_graph", "services_graph", "membership_graph"]


def _add_organizations(graph: nx.Graph, organizations: pd.DataFrame) -> None:
    for row in organizations.itertuples():
        graph.add_node(row.org_id, name=row.name, kind=row.kind, bipartite=0)


def _known(value) -> bool:
    return value is not None and not (not isinstance(value, (str, list)) and pd.isna(value))


def control_graph(organizations: pd.DataFrame, seats: pd.DataFrame,
                  powers: pd.DataFrame) -> nx.DiGraph:
    """Who controls whom: board seats and reserved powers over an ACO, and parent companies.

    Parameters
    ----------
    organizations : DataFrame
        ``org_id``, ``name``, ``kind``, ``parent_id``.
    seats : DataFrame
        ``board_id``, ``aco_id`` (the board's ACO), ``holder_id``, ``voting``, ``votes``.
    powers : DataFrame
        ``board_id``, ``aco_id``, ``holder_id``, ``power_kind``.
    """
    graph = nx.DiGraph(name="control")
    _add_organizations(graph, organizations)

    def tie(holder, aco):
        if not graph.has_edge(holder, aco):
            graph.add_edge(holder, aco, kind="board", seats=0, votes=0, veto=False, powers=[],
                           weight=1.0)
        return graph[holder][aco]

    for row in seats.itertuples():
        edge = tie(row.holder_id, row.aco_id)
        if row.voting is not False and not pd.isna(row.voting):
            edge["seats"] += 1
            if _known(edge["votes"]):
                edge["votes"] = edge["votes"] + int(row.votes) if _known(row.votes) else None
    for row in powers.itertuples():
        edge = tie(row.holder_id, row.aco_id)
        edge["powers"] = sorted(set(edge["powers"]) | {row.power_kind})
        edge["veto"] = edge["veto"] or row.power_kind == "veto"
    for row in organizations.itertuples():
        if _known(row.parent_id):
            graph.add_edge(row.parent_id, row.org_id, kind="parent", seats=0, votes=0,
                           veto=False, powers=[], weight=1.0)
    return graph


def money_graph(organizations: pd.DataFrame, captured: pd.DataFrame) -> nx.DiGraph:
    """Savings flows: programs pay ACOs, ACOs pass a share to partners.

    `captured` is the table of :func:`kg.analysis.power.money.savings_captured`. A sum over years
    is missing as soon as one year's amount is (an upper bound) or none is (a lower bound).
    """
    graph = nx.DiGraph(name="money")
    _add_organizations(graph, organizations)
    for (aco, partner), rows in captured.groupby(["aco_id", "partner_id"], sort=True):
        usable = rows[rows["captured_status"] != "no savings"]
        low = usable["captured_usd_min"].dropna()
        high = usable["captured_usd_max"]
        graph.add_edge(aco, partner, kind="savings-share",
                       captured_usd_min=float(low.sum()) if len(low) else None,
                       captured_usd_max=(None if high.isna().any() or not len(high)
                                         else float(high.sum())),
                       status="; ".join(sorted(set(usable["captured_status"]))))
    per_contract = captured.drop_duplicates(["aco_id", "contract_id", "year_kind", "year"])
    for (program, aco), rows in per_contract.groupby(["program", "aco_id"], sort=True):
        node = f"program:{program}"
        graph.add_node(node, name=program, kind="payer-program", bipartite=0)
        earned = rows["earned_savings_usd"]
        graph.add_edge(node, aco, kind="earned-savings",
                       earned_savings_usd=None if earned.isna().any() else float(earned.sum()))
    return graph


def services_graph(organizations: pd.DataFrame, services: pd.DataFrame,
                   dependency: pd.DataFrame) -> nx.DiGraph:
    """Services a provider supplies to a recipient; ``weight`` is the recipient's dependency
    on the provider (:func:`kg.analysis.power.dependency.dependency`)."""
    graph = nx.DiGraph(name="services")
    _add_organizations(graph, organizations)
    share = {(r.partner_id, r.aco_id): (r.dependency, r.groups_sourced)
             for r in dependency.itertuples()}
    for (provider, recipient), rows in services.groupby(["provider_id", "recipient_id"],
                                                         sort=True):
        weight, groups = share.get((provider, recipient), (0.0, ""))
        graph.add_edge(provider, recipient, kind="services",
                       services=sorted(set(rows["service_type"])),
                       critical=[g for g in groups.split("; ") if g], weight=float(weight))
    return graph


def membership_graph(organizations: pd.DataFrame, members: pd.DataFrame) -> nx.Graph:
    """Bipartite graph of organizations and the alliances they belong to.

    `members`: ``alliance_id``, ``alliance_name``, ``member_id``, ``role``, ``evidence``.
    """
    graph = nx.Graph(name="membership")
    _add_organizations(graph, organizations)
    for row in members.itertuples():
        node = f"alliance:{row.alliance_id}"
        graph.add_node(node, name=row.alliance_name, kind="alliance", bipartite=1)
        graph.add_edge(row.member_id, node, role=row.role, evidence=row.evidence)
    return graph
