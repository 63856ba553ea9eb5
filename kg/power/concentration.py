"""Market concentration of management partners: shares, HHI, CR4, and the merger guidelines.

Shares are in percent. ``HHI = sum(s_i^2)`` (0 to 10,000) and ``CR4`` is the sum of the four
largest shares. All ACOs under one partner count as one firm (common control); a partner
under a parent counts as its parent (give ``firm_id``); an ACO without a partner is its own
firm. Shares are measured by number of ACOs, by assigned beneficiaries and by earned savings
(losses count as no savings earned), nationally and per state, per year.

Two changes in HHI are reported:

- ``delta_hhi``: year-on-year change in the same market (the consolidation trend);
- ``rollup_delta_hhi``: HHI with common control minus HHI with every ACO independent. This
  is the merger ``delta = sum over firms of 2 s_i s_j`` of all the ACOs each partner brought
  together, the series of acquisitions the 2023 guidelines (Guideline 8) judge as a whole.

2023 DOJ/FTC Merger Guidelines: a market with HHI above 1,800 is highly concentrated; a
change above 100 there, or a firm share above 30% with a change above 100, triggers the
structural presumption. 2010 Horizontal Merger Guidelines: below 1,500 unconcentrated,
1,500 to 2,500 moderately, above 2,500 highly concentrated; in a highly concentrated market
a change above 200 is presumed to enhance market power and one of 100 to 200 raises
significant concerns, as does a change above 100 in a moderately concentrated market.

Links that are only inferred (``link_evidence == "inferred"``) are counted separately: the
``reported`` rows treat those ACOs as independent, the ``reported+inferred`` rows (present
only when some link is inferred) attribute them to the partner.

Examples
--------
>>> hhi([50, 30, 20])
3800.0
>>> cr4([40, 20, 10, 10, 10, 10])
80.0
>>> mg2023(2450.0, 150.0, 45.0)
'presumption: HHI above 1,800 and change above 100'
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = ["hhi", "cr4", "band_2010", "hmg2010", "mg2023", "market_shares", "concentration",
           "MEASURES", "SHARE_COLUMNS", "MARKET_COLUMNS"]

#: measure name -> (column of the ACO table, label used in reasons)
MEASURES: dict[str, tuple[str | None, str]] = {
    "acos": (None, "number of ACOs"),
    "beneficiaries": ("assigned_beneficiaries", "assigned beneficiaries"),
    "earned_savings": ("earned_savings_usd", "earned savings"),
}
SHARE_COLUMNS = ["scope", "year", "measure", "links", "firm_id", "acos", "value", "share_pct",
                 "inferred_acos"]
MARKET_COLUMNS = ["scope", "year", "measure", "links", "acos", "firms", "missing", "total",
                  "hhi", "cr4", "top_firm", "top_share_pct", "hhi_independent",
                  "rollup_delta_hhi", "delta_hhi", "band_2010", "hmg2010", "mg2023",
                  "mg2023_trend", "reason"]
_TOLERANCE = 1e-6


def _as_list(shares) -> list:
    if isinstance(shares, Mapping):
        return list(shares.values())
    if isinstance(shares, pd.Series):
        return shares.tolist()
    return list(shares)


def hhi(shares: Iterable[float] | Mapping | pd.Series) -> float:
    """Herfindahl-Hirschman index of market shares given in percent.

    Returns NaN when there is no share or any share is missing (unknown, not 0).

    Raises
    ------
    ValueError
        If a share is outside 0..100 or the shares add up to more than 100.

    >>> hhi([100])
    10000.0
    >>> hhi([60, None])
    nan
    """
    values = _as_list(shares)
    if not values or any(v is None or pd.isna(v) for v in values):
        return math.nan
    values = [float(v) for v in values]
    if any(v < -_TOLERANCE or v > 100 + _TOLERANCE for v in values):
        raise ValueError("shares must be percentages between 0 and 100")
    if sum(values) > 100 + _TOLERANCE * len(values):
        raise ValueError(f"shares add up to {sum(values):g}%, more than 100%")
    return float(sum(v * v for v in values))


def cr4(shares: Iterable[float] | Mapping | pd.Series) -> float:
    """Sum of the four largest shares (percent); NaN if any share is missing.

    >>> cr4([30, 30])
    60.0
    """
    values = _as_list(shares)
    if not values or any(v is None or pd.isna(v) for v in values):
        return math.nan
    return float(sum(sorted((float(v) for v in values), reverse=True)[:4]))


def band_2010(index: float) -> str:
    """Concentration band of the 2010 Horizontal Merger Guidelines.

    >>> band_2010(1500), band_2010(2600)
    ('moderately concentrated', 'highly concentrated')
    """
    if index is None or pd.isna(index):
        return "unknown"
    if index < 1500:
        return "unconcentrated"
    return "moderately concentrated" if index <= 2500 else "highly concentrated"


def hmg2010(index: float, delta: float) -> str:
    """2010 guidelines reading of an HHI and a change in HHI.

    >>> hmg2010(3000, 250)
    'highly concentrated, change above 200: presumed to enhance market power'
    """
    band = band_2010(index)
    if band == "unknown" or delta is None or pd.isna(delta):
        return band
    if band == "highly concentrated" and delta > 200:
        return f"{band}, change above 200: presumed to enhance market power"
    if band == "highly concentrated" and delta > 100:
        return f"{band}, change 100-200: significant competitive concerns"
    if band == "moderately concentrated" and delta > 100:
        return f"{band}, change above 100: potentially significant competitive concerns"
    return band


def mg2023(index: float, delta: float, top_share: float) -> str:
    """2023 Merger Guidelines reading (Guideline 1) of an HHI, its change and the top share.

    >>> mg2023(1200, 150, 35)
    'presumption: share above 30% and change above 100'
    >>> mg2023(2000, math.nan, 40)
    'highly concentrated (change unknown)'
    """
    if index is None or pd.isna(index):
        return "unknown"
    change_known = delta is not None and not pd.isna(delta)
    if change_known and delta > 100:
        if index > 1800:
            return "presumption: HHI above 1,800 and change above 100"
        if top_share is not None and not pd.isna(top_share) and top_share > 30:
            return "presumption: share above 30% and change above 100"
    if index > 1800:
        return "highly concentrated" if change_known else "highly concentrated (change unknown)"
    return "below 1,800"


def _firms(acos: pd.DataFrame, include_inferred: bool) -> pd.Series:
    firm = acos["firm_id"] if "firm_id" in acos else acos["partner_id"]
    firm = firm.where(acos["partner_id"].notna(), other=pd.NA)
    if not include_inferred and "link_evidence" in acos:
        firm = firm.where(acos["link_evidence"].fillna("reported") != "inferred", other=pd.NA)
    # an ACO without a (counted) partner is a firm of its own
    return firm.fillna("aco:" + acos["aco_id"].astype(str))


def _variants(acos: pd.DataFrame) -> list[tuple[str, bool]]:
    inferred = "link_evidence" in acos and (acos["link_evidence"] == "inferred").any()
    return [("reported", False)] + ([("reported+inferred", True)] if inferred else [])


def _scoped(acos: pd.DataFrame):
    yield "national", acos
    if "state" in acos:
        for state, rows in acos[acos["state"].notna()].groupby("state", sort=True):
            yield state, rows


def market_shares(acos: pd.DataFrame, measures: Iterable[str] = tuple(MEASURES)) -> pd.DataFrame:
    """Share of each firm in each market (scope, year, measure, link variant).

    Parameters
    ----------
    acos : DataFrame
        One row per ACO and year: ``aco_id``, ``year`` (missing: undated), ``state``
        (missing: national only), ``partner_id`` (missing: no partner), optional ``firm_id``
        (the partner's ultimate parent), ``link_evidence`` (``reported``/``inferred``),
        ``assigned_beneficiaries``, ``earned_savings_usd``.
    measures : iterable of str
        Any of :data:`MEASURES`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SHARE_COLUMNS`; ``share_pct`` is missing when any ACO of the market
        lacks the measure, or the market total is 0.
    """
    rows = []
    for links, include in _variants(acos):
        data = acos.assign(firm_id=_firms(acos, include))
        inferred = (data.get("link_evidence", pd.Series(index=data.index, dtype=object))
                    == "inferred") & include & data["partner_id"].notna()
        data = data.assign(_inferred=inferred)
        for scope, rows_in_scope in _scoped(data):
            for year, market in rows_in_scope.groupby("year", dropna=False, sort=True):
                for measure in measures:
                    column, _ = MEASURES[measure]
                    values = (pd.Series(1.0, index=market.index) if column is None
                              else pd.to_numeric(market[column], errors="coerce").astype(float))
                    if measure == "earned_savings":
                        values = values.clip(lower=0)  # a loss earns no savings
                    complete = not values.isna().any()
                    total = float(values.sum()) if complete else math.nan
                    by_firm = market.assign(_v=values).groupby("firm_id", sort=True)
                    for firm, firm_rows in by_firm:
                        value = float(firm_rows["_v"].sum()) if complete else math.nan
                        rows.append({
                            "scope": scope, "year": year, "measure": measure, "links": links,
                            "firm_id": firm, "acos": int(firm_rows["aco_id"].nunique()),
                            "value": value,
                            "share_pct": value / total * 100 if complete and total > 0 else math.nan,
                            "inferred_acos": int(firm_rows["_inferred"].sum()),
                        })
    frame = pd.DataFrame(rows, columns=SHARE_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    return frame


def _reason(scope: str, year, measure: str, index: float, links: str, acos: int) -> str:
    where = "nationally" if scope == "national" else f"in {scope}"
    when = (f" ({year}; {acos} ACOs in the graph)" if year is not None and not pd.isna(year)
            else f" (undated; {acos} ACOs in the graph)")
    extra = "" if links == "reported" else ", counting inferred links"
    if pd.isna(index):
        return f"HHI unknown {where} by {MEASURES[measure][1]}{when}{extra}"
    return f"HHI {index:,.0f} {where} by {MEASURES[measure][1]}{when}{extra}"


def concentration(acos: pd.DataFrame, measures: Iterable[str] = tuple(MEASURES),
                  shares: pd.DataFrame | None = None) -> pd.DataFrame:
    """HHI, CR4 and the guideline readings of every market (scope, year, measure, links).

    Parameters
    ----------
    acos : DataFrame
        As for :func:`market_shares`.
    measures : iterable of str
    shares : DataFrame, optional
        The output of :func:`market_shares`, if already computed.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MARKET_COLUMNS`. ``missing`` counts ACOs lacking the measure: then
        the HHI, CR4 and readings are unknown. ``delta_hhi`` compares with the previous
        calendar year of the same market, when the data have it.

    Examples
    --------
    >>> acos = pd.DataFrame({"aco_id": ["a1", "a2", "a3", "a4"], "year": [2023] * 4,
    ...     "state": ["TX"] * 4, "partner_id": ["p", "p", "p", pd.NA],
    ...     "assigned_beneficiaries": [10, 20, 40, 30], "earned_savings_usd": [1.0] * 4})
    >>> row = concentration(acos, ["beneficiaries"]).query("scope == 'TX'").iloc[0]
    >>> float(row["hhi"]), float(row["rollup_delta_hhi"]), row["mg2023"]
    (5800.0, 2800.0, 'presumption: HHI above 1,800 and change above 100')
    """
    measures = list(measures)
    if shares is None:
        shares = market_shares(acos, measures)
    independent = market_shares(acos.assign(partner_id=pd.NA, link_evidence=pd.NA), measures)
    independent_hhi = {key: hhi(group["share_pct"]) for key, group in independent.groupby(
        ["scope", "year", "measure"], dropna=False)}
    rows = []
    for (scope, year, measure, links), market in shares.groupby(
            ["scope", "year", "measure", "links"], dropna=False, sort=True):
        index = hhi(market["share_pct"])
        top = market.sort_values(["share_pct", "firm_id"], ascending=[False, True]).iloc[0]
        column, _ = MEASURES[measure]
        if column is None:
            missing = 0
        else:
            in_market = acos if scope == "national" else acos[acos.get("state") == scope]
            in_market = in_market[(in_market["year"] == year) if not pd.isna(year)
                                  else in_market["year"].isna()]
            missing = int(pd.to_numeric(in_market[column], errors="coerce").isna().sum())
        alone = independent_hhi.get((scope, year, measure), math.nan)
        rollup = index - alone if not (pd.isna(index) or pd.isna(alone)) else math.nan
        rows.append({
            "scope": scope, "year": year, "measure": measure, "links": links,
            "acos": int(market["acos"].sum()), "firms": len(market), "missing": missing,
            "total": market["value"].sum(min_count=1) if not market["value"].isna().any()
            else math.nan,
            "hhi": index, "cr4": cr4(market["share_pct"]),
            "top_firm": top["firm_id"],
            "top_share_pct": top["share_pct"], "hhi_independent": alone,
            "rollup_delta_hhi": rollup,
        })
    frame = pd.DataFrame(rows, columns=MARKET_COLUMNS[:14])
    frame["year"] = frame["year"].astype("Int64")
    previous = {(r.scope, r.year, r.measure, r.links): r.hhi for r in frame.itertuples()
                if not pd.isna(r.year)}
    frame["delta_hhi"] = [
        r.hhi - previous[(r.scope, r.year - 1, r.measure, r.links)]
        if not pd.isna(r.year) and (r.scope, r.year - 1, r.measure, r.links) in previous
        else math.nan
        for r in frame.itertuples()]
    frame["band_2010"] = frame["hhi"].map(band_2010)
    frame["hmg2010"] = [hmg2010(r.hhi, r.rollup_delta_hhi) for r in frame.itertuples()]
    frame["mg2023"] = [mg2023(r.hhi, r.rollup_delta_hhi, r.top_share_pct)
                       for r in frame.itertuples()]
    frame["mg2023_trend"] = [mg2023(r.hhi, r.delta_hhi, r.top_share_pct)
                             for r in frame.itertuples()]
    frame["reason"] = [_reason(r.scope, r.year, r.measure, r.hhi, r.links, r.acos)
                       for r in frame.itertuples()]
    return frame[MARKET_COLUMNS]
