"""Operators in state markets: where each ACO serves, who runs it each year, and the HHI.

An ACO counts in the market of every state it serves, not only where it is registered.
The graph knows those states from three sources, taken in this order for each ACO and year
(:func:`aco_states`):

1. ``results``: the service area the CMS results file of that year lists (the files of
   PY2014-2021 name every state; PY2013, PY2022 and PY2023 name none);
2. ``carried``: the service area of the nearest other year that lists one (the earlier
   year on a tie), as the ACO's service area changes slowly;
3. ``registered``: the ACO's own state in the graph (the state of the roster or of a
   single-state service area).

The 2026 participants file lists each ACO's service area too, but the graph keeps it only
as the ACO's state when it is a single state: a 2026 market reads the states of rule 2
or 3. An ACO that serves several states counts, with all its beneficiaries and savings, in
each of them (the files give no split by state). An ACO with no known state is in no state
market and is counted in ``unplaced``.

A market is a state, a year and a measure (:data:`~kg.analysis.power.concentration.MEASURES`).
Each ACO in it belongs that year to the operator of a link valid that year
(``first_year <= year <= last_year``; :func:`links_in_year`), or else is a firm of its own.
The HHI *before* treats every ACO as independent, the HHI *after* puts the ACOs of one
operator together, and the *change* is their difference: the merger change of all the
acquisitions an operator made, judged as one series (2023 Merger Guidelines, Guideline 8).
A market is flagged when the 2023 guidelines presume a lessening of competition
(:func:`~kg.analysis.power.concentration.mg2023`, thresholds defined there) and it holds at
least :data:`~kg.analysis.power.dominance.MIN_MARKET_ACOS` ACOs.

Examples
--------
>>> links = pd.DataFrame({"link_id": ["l1", "l2"], "aco_id": ["a1", "a2"],
...     "operator_id": ["op", "op"], "operator": ["Op"] * 2, "operator_kind": ["unknown"] * 2,
...     "evidence": ["inferred", "reported"], "review": ["unreviewed", "confirmed"],
...     "first_year": [2020, 2022], "last_year": [2023, 2023],
...     "citation": ["CMS file"] * 2, "locator": ["f.csv, line 2", "g.csv, line 3"]})
>>> sorted(links_in_year(links, 2021)["aco_id"])
['a1']
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kg.analysis.power.concentration import MEASURES, hhi, mg2023
from kg.analysis.schema import Column, TableSpec

__all__ = ["AREA_BASES", "aco_states", "links_in_year", "operator_of", "operator_footprint",
           "operator_markets", "operator_shares", "OPERATOR_FOOTPRINT", "OPERATOR_MARKETS",
           "OPERATOR_SHARES", "FOOTPRINT_ORDER"]

#: How the states of an ACO in a year are known, in the order they are tried.
AREA_BASES = {
    "results": "the service area the CMS results file of the year lists",
    "carried": "the service area of the nearest year whose results file lists one",
    "registered": "the ACO's state in the graph (roster, or a single-state service area)",
}
#: The footprint ranking, in words (the report's method section prints it).
FOOTPRINT_ORDER = ("ACOs linked that year, then their assigned beneficiaries, then their "
                   "earned savings, then the operator's name: an operator of one ACO never "
                   "ranks above an operator of several")

OPERATOR_FOOTPRINT = TableSpec("operator_footprint", "one operator in one year", (
    Column("year", "integer", "performance year"),
    Column("rank", "integer", f"1 = largest footprint that year ({FOOTPRINT_ORDER})"),
    Column("operator_id", "string", "organization id of the operator"),
    Column("operator", "string", "its name"),
    Column("operator_kind", "string", "management-company, health-system, ... or unknown"),
    Column("acos", "integer", "ACOs of links valid that year"),
    Column("acos_with_results", "integer", "of them, ACOs with CMS results that year"),
    Column("assigned_beneficiaries", "number",
           "their assigned beneficiaries that year (empty: no ACO with results)"),
    Column("earned_savings_usd", "number",
           "their earned savings that year, losses as 0 (empty: none known)"),
    Column("states", "integer", "state markets its ACOs serve that year"),
    Column("reported_links", "integer", "links reported by a source"),
    Column("inferred_links", "integer", "links inferred (from CMS files)"),
    Column("confirmed_links", "integer", "links whose review confirmed them"),
    Column("unreviewed_links", "integer", "links not reviewed"),
))

OPERATOR_SHARES = TableSpec("operator_shares", "one operator's national share in one year", (
    Column("year", "integer", "performance year"),
    Column("operator_id", "string", "organization id of the operator"),
    Column("operator", "string", "its name"),
    Column("acos", "integer", "its ACOs that year (links valid that year)"),
    Column("acos_share_pct", "number", "share of the ACOs in the program that year"),
    Column("beneficiaries_share_pct", "number",
           "share of the assigned beneficiaries (empty: unknown that year)"),
    Column("earned_savings_share_pct", "number",
           "share of the earned savings, losses as 0 (empty: unknown that year)"),
))

OPERATOR_MARKETS = TableSpec("operator_markets", "one state market in one year, by one measure", (
    Column("state", "string", "USPS code"),
    Column("year", "integer", "performance year"),
    Column("measure", "string", "acos, beneficiaries or earned_savings"),
    Column("acos", "integer", "ACOs serving the state that year"),
    Column("operated_acos", "integer", "of them, ACOs of an operator (a link valid that year)"),
    Column("missing", "integer", "ACOs lacking the measure (then the HHI is unknown)"),
    Column("operators", "integer", "operators with ACOs in the market"),
    Column("hhi_before", "number", "HHI with every ACO independent"),
    Column("hhi_after", "number", "HHI with each operator's ACOs as one firm"),
    Column("change", "number", "hhi_after - hhi_before"),
    Column("top_operator_id", "string", "operator with the largest share (empty: none)"),
    Column("top_operator", "string", "its name"),
    Column("top_share_pct", "number", "its share (percent)"),
    Column("mg2023", "string", "2023 Merger Guidelines reading of hhi_after and change"),
    Column("flagged", "boolean",
           "the 2023 guidelines presume a lessening of competition, in a market of at least "
           "the minimum number of ACOs"),
    Column("area_basis", "string", "how the ACOs' states are known (results, carried, "
                                   "registered: ACO counts)"),
    Column("cms_source", "string", "the CMS files (and years) the ACOs and measures come from"),
    Column("link_evidence", "string", "the operator links counted: evidence and review state"),
    Column("link_source", "string", "where the operator links come from (files, lines)"),
))


def _states(text) -> list[str]:
    if not isinstance(text, str):
        return []
    return [s.strip() for s in text.split(",") if s.strip()]


def aco_states(aco_years: pd.DataFrame, org_state: dict) -> pd.DataFrame:
    """One row per ACO, year and state it serves, with the ACO's measures that year.

    Parameters
    ----------
    aco_years : DataFrame
        The ``aco_years`` read table with ids: ``aco_id``, ``year``,
        ``assigned_beneficiaries``, ``earned_savings_usd``, ``service_area``, ``basis``
        (``results``/``participants``), ``citation``, ``locator``.
    org_state : dict
        ACO id -> its state in the graph (or missing).

    Returns
    -------
    DataFrame
        ``aco_id, year, state, area_basis, assigned_beneficiaries, earned_savings_usd,
        has_results, citation, locator``; ``state`` missing when no state is known.
        The measures of several results of one ACO in one year are summed (unknown if one
        is); a year known only from a participants file has unknown measures.

    Examples
    --------
    >>> years = pd.DataFrame({"aco_id": ["a", "a", "a"], "year": [2016, 2022, 2026],
    ...     "assigned_beneficiaries": [10, 12, None], "earned_savings_usd": [1.0, -5.0, None],
    ...     "service_area": ["TX, OK", None, None], "basis": ["results", "results",
    ...     "participants"], "citation": ["c"] * 3, "locator": ["l"] * 3})
    >>> rows = aco_states(years, {"a": "TX"})
    >>> rows[["year", "state", "area_basis"]].values.tolist()
    [[2016, 'OK', 'results'], [2016, 'TX', 'results'], [2022, 'OK', 'carried'], [2022, 'TX', 'carried'], [2026, 'OK', 'carried'], [2026, 'TX', 'carried']]
    """
    columns = ["aco_id", "year", "state", "area_basis", "assigned_beneficiaries",
               "earned_savings_usd", "has_results", "citation", "locator"]
    if not len(aco_years):
        return pd.DataFrame(columns=columns)
    # (ACO, year) -> what the rows of that year say, gathered in one pass over the records
    years: dict[tuple, dict] = {}
    for r in aco_years.to_dict("records"):
        if r["year"] is None or pd.isna(r["year"]):
            continue
        key = (r["aco_id"], int(r["year"]))
        entry = years.setdefault(key, {"area": None, "results": False, "citation": {},
                                       "locator": {}, "assigned_beneficiaries": 0.0,
                                       "earned_savings_usd": 0.0})
        if r["basis"] == "results":
            entry["results"] = True
            for column in ("assigned_beneficiaries", "earned_savings_usd"):
                # one result lacking the figure makes the year's total unknown
                value = pd.to_numeric(r[column], errors="coerce")
                entry[column] = entry[column] + value if not pd.isna(value) else math.nan
        if entry["area"] is None and isinstance(r["service_area"], str) and r["service_area"]:
            entry["area"] = r["service_area"]
        for column in ("citation", "locator"):
            if isinstance(r[column], str) and r[column]:
                entry[column][r[column]] = None
    area_years: dict[str, list[tuple[int, str]]] = {}
    for (aco, year), entry in sorted(years.items()):
        if entry["area"]:
            area_years.setdefault(aco, []).append((year, entry["area"]))
    rows = []
    for (aco, year), entry in sorted(years.items()):
        if entry["area"]:
            states, basis = _states(entry["area"]), "results"
        elif aco in area_years:
            _, area = min(area_years[aco], key=lambda p: (abs(p[0] - year), p[0]))
            states, basis = _states(area), "carried"
        elif isinstance(org_state.get(aco), str) and org_state.get(aco):
            states, basis = [org_state[aco]], "registered"
        else:
            states, basis = [None], "unknown"
        measured = entry["results"]
        for state in sorted(states, key=lambda s: (s is None, s or "")):
            rows.append({"aco_id": aco, "year": year, "state": state, "area_basis": basis,
                         "assigned_beneficiaries": entry["assigned_beneficiaries"]
                         if measured else math.nan,
                         "earned_savings_usd": entry["earned_savings_usd"]
                         if measured else math.nan,
                         "has_results": measured,
                         "citation": " | ".join(entry["citation"]),
                         "locator": " | ".join(entry["locator"])})
    return pd.DataFrame(rows, columns=columns)


def links_in_year(links: pd.DataFrame, year: int) -> pd.DataFrame:
    """The links valid in `year`: ``first_year <= year <= last_year`` (a missing bound
    never makes a link valid)."""
    first = pd.to_numeric(links["first_year"], errors="coerce")
    last = pd.to_numeric(links["last_year"], errors="coerce")
    return links[(first <= year) & (last >= year)]


def operator_of(links: pd.DataFrame, years) -> pd.DataFrame:
    """The one link that places each ACO under an operator in each of `years`.

    When several links of one ACO are valid in a year, the first of: reported before
    inferred, confirmed before unreviewed, the earlier first year, the operator id.

    Returns
    -------
    DataFrame
        The columns of `links` plus ``year``, one row per (ACO, year) with a valid link.

    Examples
    --------
    >>> links = pd.DataFrame({"aco_id": ["a", "a"], "operator_id": ["x", "y"],
    ...     "evidence": ["inferred", "reported"], "review": ["unreviewed", "unreviewed"],
    ...     "first_year": [2020, 2021], "last_year": [2023, 2023]})
    >>> operator_of(links, [2020, 2022])[["year", "operator_id"]].values.tolist()
    [[2020, 'x'], [2022, 'y']]
    """
    parts = []
    for year in sorted(set(int(y) for y in years)):
        valid = links_in_year(links, year)
        if not len(valid):
            continue
        order = valid.assign(
            _e=(valid["evidence"] != "reported").astype(int),
            _r=(valid["review"] != "confirmed").astype(int),
            _f=pd.to_numeric(valid["first_year"], errors="coerce"),
        ).sort_values(["aco_id", "_e", "_r", "_f", "operator_id"], kind="stable")
        parts.append(order.drop_duplicates("aco_id").drop(columns=["_e", "_r", "_f"])
                     .assign(year=year))
    if not parts:
        return links.iloc[0:0].assign(year=pd.Series(dtype=int))
    return pd.concat(parts, ignore_index=True)


def operator_footprint(links: pd.DataFrame, placed: pd.DataFrame) -> pd.DataFrame:
    """Each operator's footprint in each year of its links, ranked within the year.

    Parameters
    ----------
    links : DataFrame
        The ``operator_links`` read table with ids and notations (``link_id``, ``aco_id``,
        ``operator_id``, ``operator_name``, ``operator_kind``, ``evidence``, ``review``,
        ``first_year``, ``last_year``).
    placed : DataFrame
        :func:`aco_states`.

    Returns
    -------
    DataFrame
        Columns :data:`OPERATOR_FOOTPRINT`, ranked by :data:`FOOTPRINT_ORDER`; years from
        the links' first to last years (an operator's ACOs without CMS results that year
        have unknown measures).

    Examples
    --------
    >>> links = pd.DataFrame({"link_id": ["1", "2", "3"], "aco_id": ["a", "b", "c"],
    ...     "operator_id": ["big", "big", "case"], "operator_name": ["Big", "Big", "Case"],
    ...     "operator_kind": ["unknown"] * 3, "evidence": ["inferred"] * 3,
    ...     "review": ["unreviewed"] * 3, "first_year": [2023] * 3, "last_year": [2023] * 3})
    >>> placed = pd.DataFrame({"aco_id": ["a", "b", "c"], "year": [2023] * 3,
    ...     "state": ["TX"] * 3, "assigned_beneficiaries": [10, 10, 900],
    ...     "earned_savings_usd": [0.0, 0.0, 1e6], "has_results": [True] * 3})
    >>> operator_footprint(links, placed)[["operator", "rank", "acos"]].values.tolist()
    [['Big', 1, 2], ['Case', 2, 1]]
    """
    first = pd.to_numeric(links["first_year"], errors="coerce").dropna()
    last = pd.to_numeric(links["last_year"], errors="coerce").dropna()
    if not len(first) or not len(last):
        return OPERATOR_FOOTPRINT.from_records([])
    years = range(int(first.min()), int(last.max()) + 1)
    # (ACO, year) -> its measures and the states it serves, gathered once
    measured: dict[tuple, tuple] = {}
    served: dict[tuple, set] = {}
    for r in placed.to_dict("records"):
        key = (r["aco_id"], int(r["year"]))
        if key not in measured:
            measured[key] = (bool(r["has_results"]),
                             pd.to_numeric(r["assigned_beneficiaries"], errors="coerce"),
                             pd.to_numeric(r["earned_savings_usd"], errors="coerce"))
        if isinstance(r["state"], str):
            served.setdefault(key, set()).add(r["state"])
    records = links.to_dict("records")
    rows = []
    for year in years:
        valid: dict[str, list[dict]] = {}
        for link in records:
            first_year, last_year = link["first_year"], link["last_year"]
            if not (pd.isna(first_year) or pd.isna(last_year)) \
                    and first_year <= year <= last_year:
                valid.setdefault(link["operator_id"], []).append(link)
        for operator_id in sorted(valid):
            mine = valid[operator_id]
            acos = sorted({link["aco_id"] for link in mine})
            results = [measured[(a, year)] for a in acos
                       if (a, year) in measured and measured[(a, year)][0]]
            beneficiaries = [b for _, b, _ in results if not pd.isna(b)]
            savings = [max(s, 0.0) for _, _, s in results if not pd.isna(s)]
            states = set().union(*(served.get((a, year), set()) for a in acos))
            names = [link["operator_name"] for link in mine
                     if isinstance(link["operator_name"], str)]
            kinds = [link["operator_kind"] for link in mine
                     if isinstance(link["operator_kind"], str)]
            rows.append({
                "year": year, "rank": 0, "operator_id": operator_id,
                "operator": names[0] if names else operator_id,
                "operator_kind": kinds[0] if kinds else "unknown",
                "acos": len(acos), "acos_with_results": len(results),
                "assigned_beneficiaries": float(sum(beneficiaries)) if beneficiaries
                else math.nan,
                "earned_savings_usd": float(sum(savings)) if savings else math.nan,
                "states": len(states),
                "reported_links": sum(link["evidence"] == "reported" for link in mine),
                "inferred_links": sum(link["evidence"] == "inferred" for link in mine),
                "confirmed_links": sum(link["review"] == "confirmed" for link in mine),
                "unreviewed_links": sum(link["review"] == "unreviewed" for link in mine),
            })
    frame = OPERATOR_FOOTPRINT.from_records(rows)
    if not len(frame):
        return frame
    frame = frame.assign(
        _b=pd.to_numeric(frame["assigned_beneficiaries"], errors="coerce").fillna(-1),
        _s=pd.to_numeric(frame["earned_savings_usd"], errors="coerce").fillna(-1),
    ).sort_values(["year", "acos", "_b", "_s", "operator", "operator_id"],
                  ascending=[True, False, False, False, True, True], kind="stable")
    frame["rank"] = frame.groupby("year").cumcount() + 1
    return OPERATOR_FOOTPRINT.check(frame.drop(columns=["_b", "_s"]).reset_index(drop=True))


def _hhi_of(values: np.ndarray, firms: np.ndarray) -> tuple[float, float, str | None]:
    """(HHI, share of the largest operator, that operator) of one market; NaN when a
    value is unknown or the total is 0. Firms named ``aco:...`` are independent ACOs, never
    the top operator."""
    if np.isnan(values).any() or values.sum() <= 0:
        return math.nan, math.nan, None
    names, which = np.unique(firms.astype(str), return_inverse=True)
    totals = np.bincount(which, weights=values)
    shares = np.minimum(totals / totals.sum() * 100, 100.0)
    index = float(np.sum(shares * shares))
    operator = np.array([not n.startswith("aco:") for n in names])
    if not operator.any():
        return index, math.nan, None
    best = int(np.flatnonzero(operator)[np.argmax(shares[operator])])
    return index, float(shares[best]), str(names[best])


def _join(values) -> str:
    return " | ".join(dict.fromkeys(v for v in values if isinstance(v, str) and v))


def _cms_source(locators, citations, year: int) -> str:
    """The files (and years) the ACOs of a market come from: the file names of locators
    like ``f.csv, line 2 (PY2016, ...)``, or the sources' citations when a locator names
    no file.

    >>> _cms_source(["r.csv, line 2 (PY2016)", "r.csv, line 3 (PY2016)"], ["CMS"] * 2, 2016)
    'r.csv (PY2016)'
    >>> _cms_source(["synthetic ACO a, PY2023"], ["aco-kg synth"], 2023)
    'aco-kg synth (PY2023)'
    """
    named = []
    for locator, citation in zip(locators, citations):
        parts = locator.split(" | ") if isinstance(locator, str) else []
        cites = citation.split(" | ") if isinstance(citation, str) else []
        files = [p.split(",")[0].strip() for p in parts
                 if p.split(",")[0].strip().endswith(".csv")]
        if files:
            for part, name in zip(parts, files):
                mark = part.split("(PY")[1][:4] if "(PY" in part else str(year)
                named.append(f"{name} (PY{mark})")
        else:
            named += [f"{c} (PY{year})" for c in cites]
    return ", ".join(dict.fromkeys(named))


def operator_markets(placed: pd.DataFrame, links: pd.DataFrame, min_market_acos: int,
                     measures=tuple(MEASURES)) -> pd.DataFrame:
    """HHI of the operators in each state market and year, before and after their links.

    Parameters
    ----------
    placed : DataFrame
        :func:`aco_states`.
    links : DataFrame
        The ``operator_links`` read table with ids and notations.
    min_market_acos : int
        A market of fewer ACOs is shown but never flagged.
    measures : iterable of str
        Any of :data:`~kg.analysis.power.concentration.MEASURES`; a year with no CMS
        results (known only from a participants file) is measured by ACOs only.

    Returns
    -------
    DataFrame
        Columns :data:`OPERATOR_MARKETS`, by state, year and measure.

    Examples
    --------
    >>> placed = pd.DataFrame({"aco_id": list("abcdef"), "year": [2023] * 6,
    ...     "state": ["TX"] * 6, "area_basis": ["results"] * 6,
    ...     "assigned_beneficiaries": [10] * 6, "earned_savings_usd": [1.0] * 6,
    ...     "has_results": [True] * 6, "citation": ["CMS"] * 6,
    ...     "locator": [f"r.csv, line {i} (PY2023)" for i in range(6)]})
    >>> links = pd.DataFrame({"link_id": ["1", "2", "3"], "aco_id": list("abc"),
    ...     "operator_id": ["op"] * 3, "operator_name": ["Op"] * 3,
    ...     "evidence": ["inferred"] * 3, "review": ["unreviewed"] * 3,
    ...     "first_year": [2023] * 3, "last_year": [2023] * 3,
    ...     "citation": ["CMS roster"] * 3, "locator": ["roster.csv, line 9"] * 3})
    >>> row = operator_markets(placed, links, 5, ["acos"]).iloc[0]
    >>> round(row["hhi_before"]), round(row["hhi_after"]), round(row["change"]), bool(row["flagged"])
    (1667, 3333, 1667, True)
    >>> row["link_evidence"], row["cms_source"]
    ('3 inferred, unreviewed', 'r.csv (PY2023)')
    """
    measures = list(measures)
    in_market = placed[placed["state"].notna()].copy()
    if not len(in_market):
        return OPERATOR_MARKETS.from_records([])
    chosen = operator_of(links, in_market["year"].unique())
    key = chosen.set_index(["aco_id", "year"]) if len(chosen) else None
    index = pd.MultiIndex.from_arrays([in_market["aco_id"], in_market["year"]])
    for column in ("operator_id", "operator_name", "evidence", "review", "link_id",
                   "locator"):
        in_market[f"link_{column}"] = (key[column].reindex(index).to_numpy()
                                       if key is not None else None)
    in_market["firm"] = in_market["link_operator_id"].where(
        in_market["link_operator_id"].notna(), "aco:" + in_market["aco_id"].astype(str))
    names = dict(zip(links["operator_id"], links["operator_name"]))
    columns = {c: in_market[c].to_numpy(dtype=object) for c in (
        "aco_id", "firm", "link_operator_id", "link_evidence", "link_review", "link_locator",
        "area_basis", "locator", "citation")}
    has_results = in_market["has_results"].to_numpy(dtype=bool)
    numbers = {}
    for measure in measures:
        column, _ = MEASURES[measure]
        if column is not None:
            values = pd.to_numeric(in_market[column], errors="coerce").astype(float).to_numpy()
            # a loss earns no savings
            numbers[measure] = np.where(values < 0, 0.0, values) \
                if measure == "earned_savings" else values
    rows = []
    for (state, year), where in sorted(in_market.groupby(["state", "year"]).indices.items()):
        at = {c: v[where] for c, v in columns.items()}
        operated = [i for i, op in enumerate(at["link_operator_id"]) if isinstance(op, str)]
        evidence: dict = {}
        for i in operated:
            pair = (at["link_evidence"][i], at["link_review"][i])
            evidence[pair] = evidence.get(pair, 0) + 1
        link_evidence = "; ".join(f"{n} {e}, {r}" for (e, r), n in sorted(
            evidence.items(), key=lambda item: (str(item[0][0]), str(item[0][1]))))
        bases: dict = {}
        for basis in at["area_basis"]:
            bases[basis] = bases.get(basis, 0) + 1
        common = {
            "state": state, "year": int(year), "acos": len(where),
            "operated_acos": len(operated),
            "operators": len({at["link_operator_id"][i] for i in operated}),
            "area_basis": ", ".join(f"{n} {b}" for b, n in sorted(bases.items())),
            "cms_source": _cms_source(at["locator"], at["citation"], int(year)),
            "link_evidence": link_evidence or "no operator link valid this year",
            "link_source": _join(at["link_locator"][i] for i in operated),
        }
        any_results = bool(has_results[where].any())
        for measure in measures:
            if measure not in numbers:
                values = np.ones(len(where))
            elif not any_results:
                continue  # a year known only from a participants file has no measures
            else:
                values = numbers[measure][where]
            market = {"aco_id": at["aco_id"], "firm": at["firm"]}
            missing = int(np.isnan(values).sum())
            before, _, _ = _hhi_of(values, market["aco_id"])
            after, top_share, top_firm = _hhi_of(values, market["firm"])
            change = after - before if not (math.isnan(after) or math.isnan(before)) \
                else math.nan
            reading = mg2023(after, change, top_share)
            rows.append({
                **common, "measure": measure, "missing": missing,
                "hhi_before": before, "hhi_after": after, "change": change,
                "top_operator_id": top_firm,
                "top_operator": names.get(top_firm) if top_firm else None,
                "top_share_pct": top_share,
                "mg2023": reading,
                "flagged": bool(reading.startswith("presumption")
                                and len(where) >= min_market_acos),
            })
    frame = pd.DataFrame(rows)
    if not len(frame):
        return OPERATOR_MARKETS.from_records([])
    frame = frame[OPERATOR_MARKETS.names]
    frame["year"] = frame["year"].astype("Int64")
    return OPERATOR_MARKETS.check(frame.reset_index(drop=True))


def operator_shares(placed: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Each operator's national share of the program in each year its links are valid.

    The program of a year is every ACO with a row that year in :func:`aco_states` (CMS
    results, or a participants file); each ACO counts once, under the operator
    :func:`operator_of` gives it. A share of beneficiaries or savings is unknown when an
    ACO of the year lacks the figure.

    Examples
    --------
    >>> placed = pd.DataFrame({"aco_id": ["a", "b", "c", "d"], "year": [2023] * 4,
    ...     "state": ["TX"] * 4, "assigned_beneficiaries": [10, 30, 30, 30],
    ...     "earned_savings_usd": [5.0, -1.0, 5.0, None], "has_results": [True] * 4})
    >>> links = pd.DataFrame({"aco_id": ["a", "b"], "operator_id": ["op", "op"],
    ...     "operator_name": ["Op", "Op"], "evidence": ["inferred"] * 2,
    ...     "review": ["unreviewed"] * 2, "first_year": [2023] * 2, "last_year": [2023] * 2})
    >>> row = operator_shares(placed, links).iloc[0]
    >>> int(row["acos"]), float(row["acos_share_pct"]), float(row["beneficiaries_share_pct"])
    (2, 50.0, 40.0)
    """
    acos = placed.drop_duplicates(["aco_id", "year"])
    if not len(acos) or not len(links):
        return OPERATOR_SHARES.from_records([])
    chosen = operator_of(links, acos["year"].unique())
    names = dict(zip(links["operator_id"], links["operator_name"]))
    rows = []
    for year, program in acos.groupby("year", sort=True):
        mine = chosen[chosen["year"] == year]
        if not len(mine):
            continue
        operator_of_aco = dict(zip(mine["aco_id"], mine["operator_id"]))
        op = program["aco_id"].map(operator_of_aco)
        totals = {}
        for column in ("assigned_beneficiaries", "earned_savings_usd"):
            values = pd.to_numeric(program[column], errors="coerce")
            if column == "earned_savings_usd":
                values = values.clip(lower=0)
            known = bool(program["has_results"].all()) and values.notna().all() \
                and values.sum() > 0
            totals[column] = (values, values.sum() if known else math.nan)
        for operator_id in sorted(op.dropna().unique()):
            here = op == operator_id
            row = {"year": int(year), "operator_id": operator_id,
                   "operator": names.get(operator_id, operator_id),
                   "acos": int(here.sum()), "acos_share_pct": here.sum() / len(program) * 100}
            for column, share in (("assigned_beneficiaries", "beneficiaries_share_pct"),
                                  ("earned_savings_usd", "earned_savings_share_pct")):
                values, total = totals[column]
                row[share] = float(values[here].sum() / total * 100) \
                    if not math.isnan(total) else math.nan
            rows.append(row)
    frame = OPERATOR_SHARES.from_records(rows)
    if len(frame):
        frame["year"] = frame["year"].astype("Int64")
    return frame
