"""The analysis tables: load what the measures need from the store, run them, assemble.

:func:`analyze` reads the tables it needs from the published store through the read
queries it shares with the map (:mod:`kg.analysis.read`, ``queries/tables/``), hands them
(ids instead of IRIs, notations instead of code IRIs) to the pure functions of
:mod:`kg.analysis.power` and :mod:`kg.analysis.networks`, and returns one DataFrame per
table of :data:`SCHEMA`. The schema is stable: tables and columns are only ever added
(``SCHEMA_VERSION`` says when they change).

Examples
--------
>>> sorted(SCHEMA)[:3]
['board_power', 'capture_by_partner_year', 'centrality']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kg.analysis.power.centrality import CENTRALITY
from kg.analysis.power.concentration import CONCENTRATION, MARKET_SHARES
from kg.analysis.power.dependency import DEPENDENCY
from kg.analysis.power.dominance import FLAGS, MIN_MARKET_ACOS, PARTNERS, WARNINGS
from kg.analysis.power.markets import OPERATOR_FOOTPRINT, OPERATOR_MARKETS, OPERATOR_SHARES
from kg.analysis.power.money import CAPTURE_BY_PARTNER_YEAR, SAVINGS_CAPTURED
from kg.analysis.power.voting import BOARD_POWER
from kg.analysis.read import as_notations, notations, read_table
from kg.analysis.schema import TableSpec
from kg.core.iris import parse_instance_iri

__all__ = ["READS", "TABLES", "SCHEMA", "SCHEMA_VERSION", "load_tables", "analyze",
           "schema_markdown"]

SCHEMA_VERSION = "1"

#: The tables, in order; each declared by the function that makes it.
TABLES: tuple[TableSpec, ...] = (PARTNERS, FLAGS, WARNINGS, BOARD_POWER, SAVINGS_CAPTURED,
                                 CAPTURE_BY_PARTNER_YEAR, DEPENDENCY, MARKET_SHARES,
                                 CONCENTRATION, CENTRALITY, OPERATOR_FOOTPRINT,
                                 OPERATOR_SHARES, OPERATOR_MARKETS)
#: table -> (what one row is, [(column, type, meaning)]), assembled from :data:`TABLES`.
SCHEMA: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    spec.name: (spec.row, [(c.name, c.type, c.meaning) for c in spec.columns])
    for spec in TABLES}


def _id(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        return parse_instance_iri(value)[1]
    except ValueError:
        return value


def _ids(frame: pd.DataFrame, renames: dict[str, str]) -> pd.DataFrame:
    """Turn IRI columns into ids, renaming them (``board="board_id"``)."""
    frame = frame.copy()
    for column, new in renames.items():
        frame[new] = frame[column].map(_id) if column in frame else pd.Series(dtype=object)
    return frame


#: The read tables the analysis takes (:mod:`kg.analysis.read`): the IRI columns it turns
#: into ids (``column -> id column``) and the columns of code-list values it reads as
#: notations.
READS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "organizations": ({"org": "org_id", "parent": "parent_id"},
                      ("kind", "profit_status", "scope", "evidence")),
    "boards": ({"board": "board_id", "aco": "aco_id"}, ("decision_rule", "evidence")),
    "board_seats": ({"seat": "seat_id", "board": "board_id", "holder": "holder_id"},
                    ("evidence",)),
    "board_representation": ({"board": "board_id", "org": "org_id"}, ("evidence",)),
    "reserved_powers": ({"power": "power_id", "board": "board_id", "holder": "holder_id"},
                        ("power_kind", "matter", "evidence")),
    "savings_results": ({"result": "result_id", "contract": "contract_id", "aco": "aco_id"},
                        ("program", "evidence")),
    "savings_shares": ({"share": "share_id", "contract": "contract_id",
                        "recipient": "recipient_id"}, ("share_level", "evidence")),
    "fees": ({"fee": "fee_id", "paid_by": "paid_by_id", "paid_to": "paid_to_id"},
             ("fee_kind",)),
    "services": ({"service": "service_id", "alliance": "alliance_id",
                  "provider": "provider_id", "recipient": "recipient_id"},
                 ("service_type", "delivery", "evidence")),
    "alliance_members": ({"membership": "membership_id", "alliance": "alliance_id",
                          "member": "member_id"},
                         ("alliance_kind", "role", "outcome", "evidence")),
    "tensions": ({"tension": "tension_id", "alliance": "alliance_id"},
                 ("tension_type", "handling")),
    "sources": ({"source": "source_id"}, ()),
    "operator_links": ({"link": "link_id", "aco": "aco_id", "operator": "operator_id"},
                       ("operator_kind", "evidence", "review")),
    "aco_years": ({"aco": "aco_id"}, ()),
}


def load_tables(store) -> dict[str, pd.DataFrame]:
    """Read the tables the analysis needs from `store` (an Oxigraph store or a store folder).

    Returns
    -------
    dict of str to DataFrame
        One table per entry of :data:`READS` (the read query of that name), IRIs turned
        into ids and code-list values into their notations.
    """
    if isinstance(store, (str, Path)):
        from kg.graph.store import open_store
        store = open_store(store)
    notation_of = notations(read_table(store, "code_labels"))
    return {name: _ids(as_notations(read_table(store, name), codes, notation_of), renames)
            for name, (renames, codes) in READS.items()}


def _alliances(members: pd.DataFrame) -> pd.DataFrame:
    """One row per (alliance, ACO, partner) of ACO - management partner alliances."""
    acos = members[members["role"] == "aco"]
    partners = members[members["role"] == "management-partner"]
    pairs = acos.merge(partners, on="alliance_id", suffixes=("_aco", ""))
    return pd.DataFrame({
        "alliance_id": pairs["alliance_id"], "aco_id": pairs["member_id_aco"],
        "partner_id": pairs["member_id"], "prior_relationship": pairs["prior_relationship"],
        "link_evidence": pairs["evidence"], "citation": pairs["alliance_citation"],
        "locator": pairs["alliance_locator"],
    })


def _top_parent(organizations: pd.DataFrame) -> dict:
    parent = dict(zip(organizations["org_id"], organizations["parent_id"]))
    top = {}
    for org in parent:
        seen, node = {org}, org
        while parent.get(node) is not None and not pd.isna(parent.get(node)) \
                and parent[node] not in seen:
            node = parent[node]
            seen.add(node)
        top[org] = node
    return top


def _total_if_complete(column: pd.Series, positions: np.ndarray, cells: list | None = None):
    """The sum of `column` at `positions`, missing as soon as one value is (a single value
    is taken as it is; several are summed as pandas sums them). `cells` is the column as a
    list, when the caller has it: a single value is then read from it, not through pandas."""
    if len(positions) == 1:
        value = column.iloc[positions[0]] if cells is None else cells[positions[0]]
        return None if pd.isna(value) else value
    values = column.iloc[positions]
    return values.sum(min_count=len(values))


def _aco_years(t: dict, alliances: pd.DataFrame, firm_of: dict) -> pd.DataFrame:
    """ACO-year rows for concentration: calendar years from the results; an ACO with no
    calendar year is one undated row, with its contracts' attributed patients."""
    orgs = t["organizations"]
    acos = orgs[orgs["kind"] == "aco"][["org_id", "state"]].rename(columns={"org_id": "aco_id"})
    results = t["savings_results"]
    dated = results[results["performance_year"].notna()].reset_index(drop=True)
    # (ACO, year) -> the row positions of its dated results, years in order for each ACO
    by_year: dict = {}
    for (aco, year), positions in sorted(dated.groupby(["aco_id", "performance_year"])
                                         .indices.items(), key=lambda item: item[0][1]):
        by_year.setdefault(aco, []).append((year, positions))
    # an undated ACO counts the attributed patients of each of its contracts once
    contracts = results.drop_duplicates(["aco_id", "contract_id"]).reset_index(drop=True)
    contract_rows = contracts.groupby("aco_id").indices
    rows = []
    cells = {c: dated[c].tolist() for c in ("assigned_beneficiaries", "earned_savings_usd")}
    for aco in acos.itertuples():
        if aco.aco_id in by_year:
            for year, positions in by_year[aco.aco_id]:
                rows.append({"aco_id": aco.aco_id, "year": int(year), "state": aco.state,
                             "assigned_beneficiaries": _total_if_complete(
                                 dated["assigned_beneficiaries"], positions,
                                 cells["assigned_beneficiaries"]),
                             "earned_savings_usd": _total_if_complete(
                                 dated["earned_savings_usd"], positions,
                                 cells["earned_savings_usd"])})
        else:
            positions = contract_rows.get(aco.aco_id, [])
            rows.append({"aco_id": aco.aco_id, "year": None, "state": aco.state,
                         "assigned_beneficiaries": _total_if_complete(
                             contracts["attributed_patients"], positions)
                         if len(positions) else None,
                         "earned_savings_usd": None})
    frame = pd.DataFrame(rows, columns=["aco_id", "year", "state", "assigned_beneficiaries",
                                        "earned_savings_usd"])
    links = alliances.drop_duplicates("aco_id").set_index("aco_id")
    frame["partner_id"] = frame["aco_id"].map(links["partner_id"]) if len(links) else None
    frame["link_evidence"] = frame["aco_id"].map(links["link_evidence"]) if len(links) else None
    frame["firm_id"] = frame["partner_id"].map(lambda p: firm_of.get(p, p) if p else None)
    frame["year"] = frame["year"].astype("Int64")
    for column in ("assigned_beneficiaries", "earned_savings_usd"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def _aco_year_rows(results: pd.DataFrame, aco_years: pd.DataFrame) -> pd.DataFrame:
    """The rows :func:`kg.analysis.power.markets.aco_states` reads: each dated result with
    its measures and the service area its file lists, and each year a participants file
    lists an ACO."""
    dated = results[results["performance_year"].notna() & results["aco_id"].notna()]
    areas = aco_years[aco_years["basis"] == "results"].drop_duplicates(["aco_id", "year"])
    area = dict(zip(zip(areas["aco_id"], areas["year"].astype(int)), areas["service_area"]))
    rows = pd.DataFrame({
        "aco_id": dated["aco_id"], "year": dated["performance_year"].astype(int),
        "assigned_beneficiaries": dated["assigned_beneficiaries"],
        "earned_savings_usd": dated["earned_savings_usd"],
        "service_area": [area.get((a, int(y))) for a, y in
                         zip(dated["aco_id"], dated["performance_year"])],
        "basis": "results", "citation": dated["citation"], "locator": dated["locator"]})
    listed = aco_years[aco_years["basis"] == "participants"]
    listed = listed.assign(assigned_beneficiaries=None, earned_savings_usd=None)[rows.columns]
    return pd.concat([rows, listed], ignore_index=True) if len(listed) else rows


def analyze(store, min_market_acos: int = MIN_MARKET_ACOS) -> dict[str, pd.DataFrame]:
    """Compute every analysis table of :data:`SCHEMA` from a published store.

    Parameters
    ----------
    store : pyoxigraph.Store, str or Path
        The store, or the folder of a published store (``out/store``).
    min_market_acos : int
        Markets with fewer ACOs in the graph are not flagged (see :mod:`kg.analysis.power.dominance`).

    Returns
    -------
    dict of str to DataFrame
        Keyed by table name, columns exactly as in :data:`SCHEMA`.

    Raises
    ------
    kg.analysis.schema.ColumnDriftError
        If a table's columns differ from its declaration (a bug).
    """
    from kg.analysis.networks import control_graph
    from kg.analysis.power.centrality import centrality_table
    from kg.analysis.power.concentration import concentration, market_shares
    from kg.analysis.power.dependency import dependency
    from kg.analysis.power.dominance import (dependency_evidence, early_warnings,
                                             governance_evidence, market_evidence, money_evidence,
                                             network_evidence, rank_partners)
    from kg.analysis.power.markets import (aco_states, operator_footprint, operator_markets,
                                          operator_shares)
    from kg.analysis.power.money import capture_by_partner_year, savings_captured
    from kg.analysis.power.voting import board_power

    t = load_tables(store)
    orgs = t["organizations"]
    names = dict(zip(orgs["org_id"], orgs["name"]))
    boards, seats, powers = t["boards"], t["board_seats"], t["reserved_powers"]
    board_aco = dict(zip(boards["board_id"], boards["aco_id"]))
    seats = seats.assign(aco_id=seats["board_id"].map(board_aco))
    powers = powers.assign(aco_id=powers["board_id"].map(board_aco))

    voting = board_power(boards, seats, powers)
    captured = savings_captured(t["savings_results"], t["savings_shares"], t["fees"].assign(
        paid_by=t["fees"]["paid_by_id"], paid_to=t["fees"]["paid_to_id"]))
    totals = capture_by_partner_year(captured)

    services = t["services"]
    dep = dependency(services)

    alliances = _alliances(t["alliance_members"])
    firm_of = _top_parent(orgs)
    aco_years = _aco_years(t, alliances, firm_of)
    shares_table = market_shares(aco_years)
    markets = concentration(aco_years, shares=shares_table)

    placed = aco_states(_aco_year_rows(t["savings_results"], t["aco_years"]),
                        dict(zip(orgs["org_id"], orgs["state"])))
    links = t["operator_links"]
    footprint = operator_footprint(links, placed)
    operator_market_table = operator_markets(placed, links, min_market_acos)

    control = control_graph(orgs, seats, powers)
    centrality = centrality_table(control)

    warnings = early_warnings(alliances, orgs, captured, services, t["tensions"])

    partner_orgs = orgs[orgs["kind"] == "management-partner"]
    partners = pd.DataFrame({
        "partner_id": partner_orgs["org_id"], "partner": partner_orgs["name"],
        "profit_status": partner_orgs["profit_status"],
        "firm_id": partner_orgs["org_id"].map(firm_of),
        "acos": partner_orgs["org_id"].map(alliances.groupby("partner_id")["aco_id"].nunique())
        .fillna(0).astype(int),
    })
    ids = partners["partner_id"]
    ranking, flags = rank_partners(partners, [
        governance_evidence(ids, voting, seats, powers),
        money_evidence(ids, captured.assign(aco=captured["aco_id"].map(names)), totals),
        dependency_evidence(ids, dep.assign(aco=dep["aco_id"].map(names))),
        market_evidence(partners, shares_table, markets, min_market_acos),
        network_evidence(ids, centrality),
    ], warnings)

    tables = {
        "partners": ranking, "flags": flags, "warnings": warnings, "board_power": voting,
        "savings_captured": captured, "capture_by_partner_year": totals, "dependency": dep,
        "market_shares": shares_table, "concentration": markets, "centrality": centrality,
        "operator_footprint": footprint, "operator_markets": operator_market_table,
        "operator_shares": operator_shares(placed, links),
    }
    # no reindex: a table whose columns drifted from its declaration fails here, loudly
    return {spec.name: spec.check(tables[spec.name]) for spec in TABLES}


def schema_markdown() -> str:
    """The analysis schema as Markdown (the README's "Analysis schema" section)."""
    lines = [f"Schema version {SCHEMA_VERSION}. Empty cells are unknown, never 0.", ""]
    for name, (row, columns) in SCHEMA.items():
        lines += [f"**`{name}`**: {row}.", "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c}` | {kind} | {meaning} |" for c, kind, meaning in columns]
        lines.append("")
    return "\n".join(lines)
