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

The readings of the 2023 DOJ/FTC Merger Guidelines (:func:`mg2023`) and of the 2010
Horizontal Merger Guidelines (:func:`band_2010`, :func:`hmg2010`) use the thresholds
defined once below (``MG2023_*``, ``HMG2010_*``, each with its source);
:func:`guideline_readings` says them in words for the README and the report.

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
>>> MG2023_HIGH_HHI, MG2023_CHANGE, MG2023_SHARE_PCT
(1800, 100, 30)
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from kg.analysis.schema import Column, TableSpec

__all__ = ["hhi", "cr4", "band_2010", "hmg2010", "mg2023", "guideline_readings",
           "market_shares", "concentration", "MEASURES", "MARKET_SHARES", "CONCENTRATION",
           "MG2023", "MG2023_HIGH_HHI", "MG2023_CHANGE", "MG2023_SHARE_PCT", "HMG2010",
           "HMG2010_MODERATE_HHI", "HMG2010_HIGH_HHI", "HMG2010_CONCERN_CHANGE",
           "HMG2010_PRESUMPTION_CHANGE"]

#: The 2023 guidelines, as cited by the readings and the market-share flag.
MG2023 = ("U.S. Department of Justice and Federal Trade Commission, Merger Guidelines "
          "(December 18, 2023), Guideline 1")
#: 2023 guidelines: a market with an HHI above this is highly concentrated.
MG2023_HIGH_HHI = 1800
#: 2023 guidelines: a change in HHI above this in a highly concentrated market, or together
#: with a merged firm's share above :data:`MG2023_SHARE_PCT`, triggers the structural
#: presumption that the merger substantially lessens competition.
MG2023_CHANGE = 100
#: 2023 guidelines: the merged firm's share (percent) above which a change in HHI above
#: :data:`MG2023_CHANGE` triggers the presumption, whatever the HHI.
MG2023_SHARE_PCT = 30
#: The 2010 guidelines, as cited by their readings.
HMG2010 = ("U.S. Department of Justice and Federal Trade Commission, Horizontal Merger "
           "Guidelines (August 19, 2010), section 5.3")
#: 2010 guidelines: below this HHI a market is unconcentrated, from it moderately concentrated.
HMG2010_MODERATE_HHI = 1500
#: 2010 guidelines: above this HHI a market is highly concentrated.
HMG2010_HIGH_HHI = 2500
#: 2010 guidelines: a change in HHI above this raises significant competitive concerns in a
#: moderately or highly concentrated market.
HMG2010_CONCERN_CHANGE = 100
#: 2010 guidelines: in a highly concentrated market, a change above this is presumed likely
#: to enhance market power.
HMG2010_PRESUMPTION_CHANGE = 200

#: measure name -> (column of the ACO table, label used in reasons)
MEASURES: dict[str, tuple[str | None, str]] = {
    "acos": (None, "number of ACOs"),
    "beneficiaries": ("assigned_beneficiaries", "assigned beneficiaries"),
    "earned_savings": ("earned_savings_usd", "earned savings"),
}
#: The ``market_shares`` table that :func:`market_shares` makes.
MARKET_SHARES = TableSpec("market_shares", "one firm in one market", (
    Column("scope", "string", "national or a state"),
    Column("year", "integer", "empty: undated"),
    Column("measure", "string", "acos, beneficiaries or earned_savings"),
    Column("links", "string", "reported, or reported+inferred"),
    Column("firm_id", "string", "firm"),
    Column("acos", "integer", "its ACOs"),
    Column("value", "number", "its total of the measure"),
    Column("share_pct", "number", "its share (empty: unknown)"),
    Column("inferred_acos", "integer", "ACOs counted through inferred links"),
))
#: The ``concentration`` table that :func:`concentration` makes.
CONCENTRATION = TableSpec("concentration", "one market", (
    Column("scope", "string", "national or a state"),
    Column("year", "integer", "empty: undated"),
    Column("measure", "string", "acos, beneficiaries or earned_savings"),
    Column("links", "string", "reported, or reported+inferred"),
    Column("acos", "integer", "ACOs"),
    Column("firms", "integer", "firms"),
    Column("missing", "integer", "ACOs lacking the measure"),
    Column("total", "number", "market total"),
    Column("hhi", "number", "HHI (0-10,000)"),
    Column("cr4", "number", "four-firm ratio (percent)"),
    Column("top_firm", "string", "largest firm"),
    Column("top_share_pct", "number", "its share"),
    Column("hhi_independent", "number", "HHI if every ACO were independent"),
    Column("rollup_delta_hhi", "number", "hhi - hhi_independent"),
    Column("delta_hhi", "number", "change from the previous calendar year"),
    Column("band_2010", "string", "2010 guidelines band"),
    Column("hmg2010", "string", "2010 reading with the roll-up change"),
    Column("mg2023", "string", "2023 reading with the roll-up change"),
    Column("mg2023_trend", "string", "2023 reading with the year-on-year change"),
    Column("reason", "string", "in words"),
))
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
    if index < HMG2010_MODERATE_HHI:
        return "unconcentrated"
    return "moderately concentrated" if index <= HMG2010_HIGH_HHI else "highly concentrated"


def hmg2010(index: float, delta: float) -> str:
    """2010 guidelines reading of an HHI and a change in HHI.

    >>> hmg2010(3000, 250)
    'highly concentrated, change above 200: presumed to enhance market power'
    """
    band = band_2010(index)
    if band == "unknown" or delta is None or pd.isna(delta):
        return band
    if band == "highly concentrated" and delta > HMG2010_PRESUMPTION_CHANGE:
        return (f"{band}, change above {HMG2010_PRESUMPTION_CHANGE}: presumed to enhance "
                "market power")
    if band == "highly concentrated" and delta > HMG2010_CONCERN_CHANGE:
        return (f"{band}, change {HMG2010_CONCERN_CHANGE}-{HMG2010_PRESUMPTION_CHANGE}: "
                "significant competitive concerns")
    if band == "moderately concentrated" and delta > HMG2010_CONCERN_CHANGE:
        return (f"{band}, change above {HMG2010_CONCERN_CHANGE}: potentially significant "
                "competitive concerns")
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
    if change_known and delta > MG2023_CHANGE:
        if index > MG2023_HIGH_HHI:
            return f"presumption: HHI above {MG2023_HIGH_HHI:,} and change above {MG2023_CHANGE}"
        if top_share is not None and not pd.isna(top_share) and top_share > MG2023_SHARE_PCT:
            return (f"presumption: share above {MG2023_SHARE_PCT}% and change above "
                    f"{MG2023_CHANGE}")
    if index > MG2023_HIGH_HHI:
        return "highly concentrated" if change_known else "highly concentrated (change unknown)"
    return f"below {MG2023_HIGH_HHI:,}"


def guideline_readings() -> list[str]:
    """The readings of the two guidelines in words, from the thresholds above.

    The README's power section and the report's methods print these sentences, so that
    the numbers they show are the ones the code applies.

    >>> guideline_readings()[0][:71]
    '2023 Merger Guidelines: an HHI above 1,800 is highly concentrated, and '
    """
    return [
        f"2023 Merger Guidelines: an HHI above {MG2023_HIGH_HHI:,} is highly concentrated, "
        f"and an HHI above {MG2023_HIGH_HHI:,} with a change above {MG2023_CHANGE}, or a "
        f"share above {MG2023_SHARE_PCT}% with a change above {MG2023_CHANGE}, is presumed "
        f"to lessen competition ({MG2023}).",
        f"2010 Horizontal Merger Guidelines: below {HMG2010_MODERATE_HHI:,} unconcentrated, "
        f"{HMG2010_MODERATE_HHI:,}-{HMG2010_HIGH_HHI:,} moderately, above "
        f"{HMG2010_HIGH_HHI:,} highly concentrated; in a highly concentrated market a "
        f"change above {HMG2010_PRESUMPTION_CHANGE} is presumed to enhance market power, "
        f"and a change above {HMG2010_CONCERN_CHANGE} raises significant competitive "
        f"concerns ({HMG2010}).",
    ]


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


def _segments(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `frame` ordered by group (`keys` sorted, missing last), rows of a group in
    their original order, and where each group starts (plus the end)."""
    codes = frame.groupby(keys, dropna=False, sort=True).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.diff(codes[order])) + 1
    return order, np.concatenate(([0], starts, [len(codes)])).astype(int)


def _sums(values: np.ndarray, bounds: np.ndarray) -> list[float]:
    """The sum of each segment of `values`, each in its own order (one numpy sum per
    segment, as a groupby would compute it, so that the float results do not depend on
    how the rows were gathered)."""
    return [float(values[a:b].sum()) for a, b in zip(bounds[:-1], bounds[1:])]


def _measure_values(data: pd.DataFrame, measure: str) -> np.ndarray:
    column, _ = MEASURES[measure]
    if column is None:
        return np.ones(len(data))
    values = pd.to_numeric(data[column], errors="coerce").astype(float).to_numpy()
    if measure == "earned_savings":
        values = np.where(values < 0, 0.0, values)  # a loss earns no savings
    return values


def _scope_shares(market_rows: pd.DataFrame, values: dict[str, np.ndarray], scope: str,
                  links: str, measures: list[str], out: dict[str, list]) -> None:
    """Append the share rows of one scope (every year, measure and firm) to `out`."""
    if not len(market_rows):
        return
    firm_order, firm_bounds = _segments(market_rows, ["year", "firm_id"])
    year_order, year_bounds = _segments(market_rows, ["year"])
    years = market_rows["year"].to_numpy(dtype=object)
    firm_ids = market_rows["firm_id"].to_numpy(dtype=object)[firm_order[firm_bounds[:-1]]]
    group = np.repeat(np.arange(len(firm_bounds) - 1), np.diff(firm_bounds))
    aco_counts = (pd.Series(market_rows["aco_id"].to_numpy(dtype=object)[firm_order])
                  .groupby(group, sort=True).nunique().to_numpy())
    inferred = np.add.reduceat(market_rows["_inferred"].to_numpy(dtype=np.int64)[firm_order],
                               firm_bounds[:-1])
    for a, b in zip(year_bounds[:-1], year_bounds[1:]):
        year = years[year_order[a]]
        # both orders sort by year first, so this year's rows are rows a..b of either,
        # and its firms are the firm groups starting there
        first_group, end_group = np.searchsorted(firm_bounds, [a, b])
        for measure in measures:
            in_year = values[measure][year_order[a:b]]
            complete = not np.isnan(in_year).any()
            total = float(in_year.sum()) if complete else math.nan
            firm_values = (_sums(values[measure][firm_order],
                                 firm_bounds[first_group:end_group + 1])
                           if complete else [math.nan] * (end_group - first_group))
            for g, value in zip(range(first_group, end_group), firm_values):
                out["scope"].append(scope)
                out["year"].append(year)
                out["measure"].append(measure)
                out["links"].append(links)
                out["firm_id"].append(firm_ids[g])
                out["acos"].append(int(aco_counts[g]))
                out["value"].append(value)
                out["share_pct"].append(value / total * 100 if complete and total > 0
                                        else math.nan)
                out["inferred_acos"].append(int(inferred[g]))


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
        Columns :data:`MARKET_SHARES`; ``share_pct`` is missing when any ACO of the market
        lacks the measure, or the market total is 0.
    """
    measures = list(measures)
    out: dict[str, list] = {column: [] for column in MARKET_SHARES.names}
    for links, include in _variants(acos):
        data = acos.assign(firm_id=_firms(acos, include))
        inferred = (data.get("link_evidence", pd.Series(index=data.index, dtype=object))
                    == "inferred") & include & data["partner_id"].notna()
        data = data.assign(_inferred=inferred).reset_index(drop=True)
        values = {measure: _measure_values(data, measure) for measure in measures}
        for scope, rows_in_scope in _scoped(data):
            positions = rows_in_scope.index.to_numpy()
            _scope_shares(rows_in_scope, {m: v[positions] for m, v in values.items()}, scope,
                          links, measures, out)
    frame = MARKET_SHARES.check(pd.DataFrame(out))
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


def _year_key(year):
    """A market's year as a dictionary key: an int, or None when undated."""
    return None if year is None or pd.isna(year) else int(year)


def _markets(shares: pd.DataFrame, keys: list[str]):
    """``(key, market)`` per market of a shares table, markets sorted by `keys` (missing
    last); a market holds its rows' ``share_pct``, ``firm_id`` and ``acos`` as lists and
    ``value_array`` (numpy), in the order of the table."""
    if not len(shares):
        return
    order, bounds = _segments(shares, keys)
    ordered = shares.take(order)
    columns = {c: ordered[c].to_numpy(dtype=object) for c in keys}
    share_pct = ordered["share_pct"].to_numpy(dtype=float).tolist()
    firm_ids = ordered["firm_id"].tolist()
    acos = ordered["acos"].tolist()
    values = ordered["value"].to_numpy(dtype=float)
    for a, b in zip(bounds[:-1], bounds[1:]):
        yield (tuple(columns[c][a] for c in keys),
               {"share_pct": share_pct[a:b], "firm_id": firm_ids[a:b], "acos": acos[a:b],
                "value_array": values[a:b]})


def _missing_counts(acos: pd.DataFrame, measures: list[str]) -> dict:
    """``(scope, year key, measure) -> number of ACO rows lacking the measure``, nationally
    and per state."""
    counts: dict = {}
    if not len(acos):
        return counts
    year = acos["year"].map(_year_key)
    for measure in measures:
        column, _ = MEASURES[measure]
        if column is None:
            continue
        lacking = pd.to_numeric(acos[column], errors="coerce").isna()
        for y, n in lacking.groupby(year, dropna=False).sum().items():
            counts[("national", _year_key(y), measure)] = int(n)
        if "state" in acos:
            for (state, y), n in lacking.groupby([acos["state"], year], dropna=False).sum().items():
                counts[(state, _year_key(y), measure)] = int(n)
    return counts


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
        Columns :data:`CONCENTRATION`. ``missing`` counts ACOs lacking the measure: then
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
    keys = ["scope", "year", "measure"]
    independent_hhi = {(scope, _year_key(year), measure): hhi(market["share_pct"])
                       for (scope, year, measure), market in _markets(independent, keys)}
    missing = _missing_counts(acos, measures)
    rows = []
    for (scope, year, measure, links), market in _markets(shares, keys + ["links"]):
        share_list = market["share_pct"]
        index = hhi(share_list)
        known = [(share, firm) for share, firm in zip(share_list, market["firm_id"])
                 if not math.isnan(share)]
        # the largest share (ties: the first firm id); no share known: the first firm id
        top_share, top_firm = (min(known, key=lambda p: (-p[0], p[1])) if known
                               else (math.nan, min(market["firm_id"])))
        alone = independent_hhi.get((scope, _year_key(year), measure), math.nan)
        rollup = index - alone if not (pd.isna(index) or pd.isna(alone)) else math.nan
        values = market["value_array"]
        rows.append({
            "scope": scope, "year": year, "measure": measure, "links": links,
            "acos": int(sum(market["acos"])), "firms": len(share_list),
            "missing": missing.get((scope, _year_key(year), measure), 0),
            "total": values.sum() if not np.isnan(values).any() else math.nan,
            "hhi": index, "cr4": cr4(share_list),
            "top_firm": top_firm,
            "top_share_pct": top_share, "hhi_independent": alone,
            "rollup_delta_hhi": rollup,
        })
    # the market's own columns; the readings that compare markets are added below
    frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=CONCENTRATION.names[:14])
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
    return CONCENTRATION.check(frame)
