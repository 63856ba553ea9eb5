"""The analysis tables: load what the measures need from the store, run them, assemble.

:func:`analyze` runs the queries of ``queries/analysis/*.rq`` on the published store, hands
the results (ids instead of IRIs) to the pure functions of :mod:`kg.analysis.power` and
:mod:`kg.analysis.networks`, and returns one DataFrame per table of :data:`SCHEMA`. The schema is
stable: tables and columns are only ever added (``SCHEMA_VERSION`` says when they change).

Examples
--------
>>> sorted(SCHEMA)[:3]
['board_power', 'capture_by_partner_year', 'centrality']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from kg.core.iris import parse_instance_iri
from kg.core.resources import query_dir

__all__ = ["QUERIES", "SCHEMA", "SCHEMA_VERSION", "load_tables", "analyze", "schema_markdown",
           "to_json", "write_csv"]

QUERIES = query_dir() / "analysis"
SCHEMA_VERSION = "1"

#: table -> (what one row is, [(column, type, meaning)])
SCHEMA: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "partners": ("one management partner, ranked", [
        ("rank", "integer", "1 = most evidence of dominance (flags, vetoes, indices, capture, dependency)"),
        ("partner_id", "string", "organization id"), ("partner", "string", "name"),
        ("profit_status", "string", "for-profit / nonprofit, or empty"),
        ("firm_id", "string", "the firm for concentration: the partner's top parent"),
        ("acos", "integer", "ACOs it is management partner of"),
        ("boards_with_seats", "integer", "boards where it holds a seat"),
        ("voting_seats", "integer", "voting seats it holds"),
        ("boards_with_veto", "integer", "boards where it is a veto player"),
        ("max_banzhaf", "number", "largest normalized Banzhaf index (empty: not computable)"),
        ("max_shapley_shubik", "number", "largest Shapley-Shubik index (empty: not computable)"),
        ("governance", "string", "per board: votes, veto, indices or why unknown"),
        ("savings_share", "string", "its share of each ACO's savings, in words and figures"),
        ("majority_capture_acos", "integer", "ACOs where it takes more than half the savings"),
        ("capture_rate_max", "number", "largest upper bound of the capture rate (0-1)"),
        ("captured_usd_min", "number", "lower bound of dollars captured, all years (empty: unknown)"),
        ("captured_usd_max", "number", "upper bound of dollars captured, all years (empty: unknown)"),
        ("public_share_min", "number", "lower bound of the share of captured money that is public (0-1)"),
        ("max_dependency", "number", "largest share of critical services an ACO sources from it (0-1)"),
        ("sole_sourcing_with_risk", "boolean", "sole source of every critical service while sharing risk"),
        ("max_market_share_pct", "number", "largest share of its firm in any market (percent)"),
        ("pagerank", "number", "PageRank on the control graph (read upwards)"),
        ("bonacich_positive", "number", "Bonacich power, beta > 0"),
        ("bonacich_negative", "number", "Bonacich power, beta < 0"),
        ("betweenness", "number", "normalized betweenness on the control graph"),
        ("flags_raised", "integer", "dominance flags raised"),
        ("flags_unknown", "integer", "flags that cannot be decided from the data"),
        ("warnings_present", "integer", "early-warning indicators present"),
        ("citations", "string", "sources and locators of its components"),
    ]),
    "flags": ("one dominance flag of a partner", [
        ("partner_id", "string", "organization id"),
        ("flag", "string", "veto, board-majority, over-25pct-of-votes, majority-capture, "
                           "sole-sourcing-with-risk, market-share"),
        ("status", "string", "raised or unknown"), ("count", "integer", "boards, ACOs or markets"),
        ("value", "string", "the measured value"), ("threshold", "string", "the rule and its source"),
        ("reason", "string", "the reason in words"), ("citation", "string", "sources"),
        ("locator", "string", "where in the sources"),
    ]),
    "warnings": ("one early-warning indicator of one alliance", [
        ("partner_id", "string", "organization id"), ("aco_id", "string", "organization id"),
        ("alliance_id", "string", "alliance id"),
        ("indicator", "string", "capture-while-withdrawing, mission-mismatch, "
                                "no-prior-relationship, tensions-left-to-fester"),
        ("present", "string", "yes, no or unknown"), ("reason", "string", "in words"),
        ("citation", "string", "sources of the facts"), ("locator", "string", "where in them"),
        ("basis", "string", "the literature the indicator rests on"),
    ]),
    "board_power": ("one player on one board", [
        ("board_id", "string", "board id"), ("board", "string", "board name"),
        ("aco_id", "string", "the board's ACO"), ("player", "string", "holder id or other-seat-k"),
        ("holder_id", "string", "organization id (empty for unrecorded seats)"),
        ("seats", "integer", "voting seats"), ("votes", "integer", "votes"),
        ("board_votes", "integer", "votes on the board (empty: unknown)"),
        ("quota", "integer", "votes needed (empty: unknown)"),
        ("banzhaf", "number", "normalized Banzhaf index"),
        ("banzhaf_raw", "number", "swings / 2^(n-1)"),
        ("shapley_shubik", "number", "Shapley-Shubik index"),
        ("is_veto_player", "boolean", "in every winning coalition"),
        ("reserved_veto", "boolean", "holds a reserved veto over all decisions"),
        ("status", "string", "computed or unknown"), ("reason", "string", "rule used, or what is missing"),
        ("citation", "string", "sources of the seats"), ("locator", "string", "where in them"),
    ]),
    "savings_captured": ("one partner, ACO, contract and year", [
        ("partner_id", "string", "organization id"), ("aco_id", "string", "organization id"),
        ("contract_id", "string", "payer contract id"), ("program", "string", "payer program"),
        ("public_money", "boolean", "Medicare or Medicaid money"),
        ("year_kind", "string", "performance (calendar) or contract year"),
        ("year", "integer", "the year"), ("year_label", "string", "'2016' or 'contract year 2'"),
        ("earned_savings_usd", "number", "savings earned by the ACO"),
        ("savings_approximate", "boolean", "the source gives approximate figures"),
        ("share_exact_pct", "number", "exact share"), ("share_min_pct", "number", "lower bound"),
        ("share_min_exclusive", "boolean", "lower bound is exclusive"),
        ("share_max_pct", "number", "upper bound"),
        ("share_max_exclusive", "boolean", "upper bound is exclusive"),
        ("share_level", "string", "the share in the source's words"),
        ("fees_usd", "number", "fees paid that year"),
        ("captured_usd_min", "number", "lower bound of dollars captured (empty: unknown)"),
        ("captured_usd_max", "number", "upper bound (empty: unknown)"),
        ("captured_status", "string", "exact, bounds, unknown or no savings"),
        ("capture_rate_min", "number", "lower bound of the capture rate"),
        ("capture_rate_max", "number", "upper bound of the capture rate"),
        ("majority", "string", "yes, no or unknown: more than half the savings"),
        ("captured_text", "string", "what is known, in words"),
        ("share_citation", "string", "source of the share"), ("share_locator", "string", "where"),
        ("savings_citation", "string", "source of the savings"), ("savings_locator", "string", "where"),
    ]),
    "capture_by_partner_year": ("one partner and year (summed over ACOs, with bounds)", [
        ("partner_id", "string", "organization id"), ("year_kind", "string", "performance or contract"),
        ("year", "integer", "the year"), ("year_label", "string", "as printed"),
        ("acos", "integer", "ACOs"), ("earned_savings_usd", "number", "their earned savings"),
        ("captured_usd_min", "number", "lower bound"), ("captured_usd_max", "number", "upper bound"),
        ("capture_rate_min", "number", "lower bound"), ("capture_rate_max", "number", "upper bound"),
        ("public_usd_min", "number", "public money captured, lower bound"),
        ("public_usd_max", "number", "upper bound"),
        ("public_share_min", "number", "public share of captured money, lower bound"),
        ("public_share_max", "number", "upper bound"),
    ]),
    "dependency": ("one provider and ACO", [
        ("partner_id", "string", "provider id"), ("aco_id", "string", "ACO id"),
        ("critical_sourced", "integer", "critical service groups sourced from it"),
        ("critical_total", "integer", "critical service groups (6)"),
        ("dependency", "number", "critical_sourced / critical_total"),
        ("groups_sourced", "string", "the groups"), ("groups_missing", "string", "the others"),
        ("sole_source_groups", "integer", "groups no other provider supplies"),
        ("risk_sharing", "boolean", "it bears financial risk with the ACO"),
        ("sole_sourcing_with_risk", "boolean", "dependency 1 and risk sharing"),
        ("withdrawn_services", "string", "services withdrawn or not delivered"),
        ("source_ids", "string", "sources (citations)"), ("locators", "string", "where"),
    ]),
    "market_shares": ("one firm in one market", [
        ("scope", "string", "national or a state"), ("year", "integer", "empty: undated"),
        ("measure", "string", "acos, beneficiaries or earned_savings"),
        ("links", "string", "reported, or reported+inferred"), ("firm_id", "string", "firm"),
        ("acos", "integer", "its ACOs"), ("value", "number", "its total of the measure"),
        ("share_pct", "number", "its share (empty: unknown)"),
        ("inferred_acos", "integer", "ACOs counted through inferred links"),
    ]),
    "concentration": ("one market", [
        ("scope", "string", "national or a state"), ("year", "integer", "empty: undated"),
        ("measure", "string", "acos, beneficiaries or earned_savings"),
        ("links", "string", "reported, or reported+inferred"), ("acos", "integer", "ACOs"),
        ("firms", "integer", "firms"), ("missing", "integer", "ACOs lacking the measure"),
        ("total", "number", "market total"), ("hhi", "number", "HHI (0-10,000)"),
        ("cr4", "number", "four-firm ratio (percent)"), ("top_firm", "string", "largest firm"),
        ("top_share_pct", "number", "its share"),
        ("hhi_independent", "number", "HHI if every ACO were independent"),
        ("rollup_delta_hhi", "number", "hhi - hhi_independent"),
        ("delta_hhi", "number", "change from the previous calendar year"),
        ("band_2010", "string", "2010 guidelines band"),
        ("hmg2010", "string", "2010 reading with the roll-up change"),
        ("mg2023", "string", "2023 reading with the roll-up change"),
        ("mg2023_trend", "string", "2023 reading with the year-on-year change"),
        ("reason", "string", "in words"),
    ]),
    "centrality": ("one organization in the control graph", [
        ("node", "string", "organization id"), ("name", "string", "name"),
        ("kind", "string", "org kind"), ("pagerank", "number", "PageRank, read upwards"),
        ("bonacich_positive", "number", "Bonacich power with beta_positive"),
        ("bonacich_negative", "number", "Bonacich power with beta_negative"),
        ("beta_positive", "number", "0.5 / lambda_max (0.5 if acyclic)"),
        ("beta_negative", "number", "-beta_positive"),
        ("betweenness", "number", "normalized betweenness (sampled with a seed above 2,000 nodes)"),
    ]),
}


def _id(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        return parse_instance_iri(value)[1]
    except ValueError:
        return value


def _run(store, name: str) -> pd.DataFrame:
    from kg.sparql.order import select_in_order
    return select_in_order(QUERIES / f"{name}.rq", store)


def _ids(frame: pd.DataFrame, **renames: str) -> pd.DataFrame:
    """Turn IRI columns into ids, renaming them (``board="board_id"``)."""
    frame = frame.copy()
    for column, new in renames.items():
        frame[new] = frame[column].map(_id) if column in frame else pd.Series(dtype=object)
    return frame


def load_tables(store) -> dict[str, pd.DataFrame]:
    """Run every analysis query on `store` (an Oxigraph store or a store folder).

    Returns
    -------
    dict of str to DataFrame
        One table per ``queries/analysis/*.rq`` file (named after it), IRIs turned into ids.
    """
    if isinstance(store, (str, Path)):
        from kg.graph.store import open_store
        store = open_store(store)
    t = {p.stem: _run(store, p.stem) for p in sorted(QUERIES.glob("*.rq"))}
    t["organizations"] = _ids(t["organizations"], org="org_id", parent="parent_id")
    t["boards"] = _ids(t["boards"], board="board_id", aco="aco_id")
    t["board_seats"] = _ids(t["board_seats"], seat="seat_id", board="board_id",
                            holder="holder_id")
    t["board_representation"] = _ids(t["board_representation"], board="board_id", org="org_id")
    t["reserved_powers"] = _ids(t["reserved_powers"], power="power_id", board="board_id",
                                holder="holder_id")
    t["savings_results"] = _ids(t["savings_results"], result="result_id",
                                contract="contract_id", aco="aco_id")
    t["savings_shares"] = _ids(t["savings_shares"], share="share_id", contract="contract_id",
                               recipient="recipient_id")
    t["fees"] = _ids(t["fees"], fee="fee_id", paid_by="paid_by_id", paid_to="paid_to_id")
    t["services"] = _ids(t["services"], service="service_id", alliance="alliance_id",
                         provider="provider_id", recipient="recipient_id")
    t["alliance_members"] = _ids(t["alliance_members"], membership="membership_id",
                                 alliance="alliance_id", member="member_id")
    t["tensions"] = _ids(t["tensions"], tension="tension_id", alliance="alliance_id")
    t["sources"] = _ids(t["sources"], source="source_id")
    return t


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


def _total_if_complete(column: pd.Series, positions: np.ndarray):
    """The sum of `column` at `positions`, missing as soon as one value is (a single value
    is taken as it is; several are summed as pandas sums them)."""
    if len(positions) == 1:
        value = column.iloc[positions[0]]
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
    for aco in acos.itertuples():
        if aco.aco_id in by_year:
            for year, positions in by_year[aco.aco_id]:
                rows.append({"aco_id": aco.aco_id, "year": int(year), "state": aco.state,
                             "assigned_beneficiaries": _total_if_complete(
                                 dated["assigned_beneficiaries"], positions),
                             "earned_savings_usd": _total_if_complete(
                                 dated["earned_savings_usd"], positions)})
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


def _centrality(control) -> pd.DataFrame:
    import networkx as nx

    from kg.analysis.power.centrality import (
        bonacich_power,
        brokerage,
        control_pagerank,
        default_betas,
    )

    # control.to_undirected() without deep-copying the attributes (only weights are read)
    undirected = nx.Graph()
    undirected.add_nodes_from(control)
    undirected.add_edges_from(control.edges(data=True))
    plus, minus = default_betas(undirected)
    frame = pd.DataFrame({
        "name": pd.Series(dict(control.nodes(data="name"))),
        "kind": pd.Series(dict(control.nodes(data="kind"))),
        "pagerank": control_pagerank(control),
        "bonacich_positive": bonacich_power(undirected, plus),
        "bonacich_negative": bonacich_power(undirected, minus),
    })
    frame["beta_positive"], frame["beta_negative"] = plus, minus
    frame["betweenness"] = brokerage(control)
    return frame.rename_axis("node")


def analyze(store, min_market_acos: int = 10) -> dict[str, pd.DataFrame]:
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
    """
    from kg.analysis.networks import control_graph
    from kg.analysis.power.concentration import concentration, market_shares
    from kg.analysis.power.dependency import dependency
    from kg.analysis.power.dominance import dominance, early_warnings
    from kg.analysis.power.money import capture_by_partner_year, savings_captured
    from kg.analysis.power.voting import board_power

    t = load_tables(store)
    orgs = t["organizations"]
    names = dict(zip(orgs["org_id"], orgs["name"]))
    boards, seats, powers = t["boards"], t["board_seats"], t["reserved_powers"]
    board_aco = dict(zip(boards["board_id"], boards["aco_id"]))
    board_name = dict(zip(boards["board_id"], boards["name"]))
    seats = seats.assign(aco_id=seats["board_id"].map(board_aco))
    powers = powers.assign(aco_id=powers["board_id"].map(board_aco))

    voting = board_power(boards, seats, powers)
    voting.insert(1, "board", voting["board_id"].map(board_name))
    # each board's seat citations and locators, each listed once in table order
    cited: dict = {}
    for board_id, citation, locator in zip(seats["board_id"], seats["citation"],
                                           seats["locator"]):
        if not pd.isna(board_id):
            found = cited.setdefault(board_id, ({}, {}))
            found[0][citation] = None
            found[1][locator] = None
    boards_cited = sorted(cited)
    seat_cites = pd.DataFrame({
        "citation": [" | ".join(cited[b][0]) for b in boards_cited],
        "locator": [" | ".join(cited[b][1]) for b in boards_cited]},
        index=pd.Index(boards_cited, name="board_id"))
    voting["citation"] = voting["board_id"].map(seat_cites["citation"]) if len(seat_cites) else None
    voting["locator"] = voting["board_id"].map(seat_cites["locator"]) if len(seat_cites) else None

    results = t["savings_results"].rename(columns={"citation": "source_id", "locator": "locator"})
    shares = t["savings_shares"].rename(columns={"citation": "source_id"})
    fees = t["fees"].assign(paid_by=t["fees"]["paid_by_id"], paid_to=t["fees"]["paid_to_id"])
    captured = savings_captured(results, shares, fees).rename(columns={
        "share_source_id": "share_citation", "savings_source_id": "savings_citation"})
    totals = capture_by_partner_year(captured)

    services = t["services"]
    dep = dependency(services.rename(columns={"citation": "source_id"}))

    alliances = _alliances(t["alliance_members"])
    firm_of = _top_parent(orgs)
    aco_years = _aco_years(t, alliances, firm_of)
    shares_table = market_shares(aco_years)
    markets = concentration(aco_years, shares=shares_table)

    control = control_graph(orgs, seats, powers)
    centrality = _centrality(control)

    warnings = early_warnings(alliances, orgs, captured, services, t["tensions"])

    partner_orgs = orgs[orgs["kind"] == "management-partner"]
    partners = pd.DataFrame({
        "partner_id": partner_orgs["org_id"], "partner": partner_orgs["name"],
        "profit_status": partner_orgs["profit_status"],
        "firm_id": partner_orgs["org_id"].map(firm_of),
        "acos": partner_orgs["org_id"].map(alliances.groupby("partner_id")["aco_id"].nunique())
        .fillna(0).astype(int),
    })
    named = {"aco": captured["aco_id"].map(names)}
    ranking, flags = dominance(
        partners, voting, powers, seats, captured.assign(**named), totals,
        dep.assign(aco=dep["aco_id"].map(names)), shares_table, markets, centrality, warnings,
        min_market_acos=min_market_acos)

    tables = {
        "partners": ranking, "flags": flags, "warnings": warnings, "board_power": voting,
        "savings_captured": captured, "capture_by_partner_year": totals, "dependency": dep,
        "market_shares": shares_table, "concentration": markets,
        "centrality": centrality.reset_index(),
    }
    return {name: tables[name].reindex(columns=[c for c, _, _ in SCHEMA[name][1]])
            for name in SCHEMA}


def schema_markdown() -> str:
    """The analysis schema as Markdown (the README's "Analysis schema" section)."""
    lines = [f"Schema version {SCHEMA_VERSION}. Empty cells are unknown, never 0.", ""]
    for name, (row, columns) in SCHEMA.items():
        lines += [f"**`{name}`**: {row}.", "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c}` | {kind} | {meaning} |" for c, kind, meaning in columns]
        lines.append("")
    return "\n".join(lines)


def _jsonable(value):
    if value is None or (not isinstance(value, (str, list, dict)) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def to_json(tables: dict[str, pd.DataFrame]) -> dict:
    """``{"schema_version": ..., "tables": {name: [row, ...]}}`` with unknowns as null."""
    return {"schema_version": SCHEMA_VERSION,
            "tables": {name: [{c: _jsonable(v) for c, v in row.items()}
                              for row in frame.to_dict("records")]
                       for name, frame in tables.items()}}


def write_csv(tables: dict[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write one ``NAME.csv`` per table into `folder` (created); unknowns are empty cells."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
    return paths
