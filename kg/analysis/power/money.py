"""Money: how much of an ACO's earned shared savings a partner captures, and whose money it is.

For each partner, ACO, contract and year the partner's share of the ACO's earned savings is
applied to the savings earned that year. A share is known exactly, as bounds ("under 30%":
``captured < 0.30 x savings``), or only in words ("significant", no figure): then the amount
is **unknown** (missing), never 0. "majority" in words means a share above
:data:`MAJORITY_SHARE_PCT`.

capture rate ``kappa = (partner fees + partner share of savings) / earned savings`` (notes,
section 3); it is only defined in years with positive earned savings. Savings under Medicare
(MSSP, REACH, Medicare Advantage) and Medicaid contracts are public money. Years stay as the
source gives them: a calendar performance year, or a contract year ("contract year 2") when
no calendar year is known.

Examples
--------
>>> import pandas as pd
>>> results = pd.DataFrame({"aco_id": ["a"], "contract_id": ["c"], "program": ["medicaid-aco"],
...     "contract_year": [1], "performance_year": [pd.NA], "earned_savings_usd": [1_500_000.0]})
>>> shares = pd.DataFrame({"contract_id": ["c"], "recipient_id": ["p"],
...     "share_max_pct": [30.0], "share_max_exclusive": [True], "share_level": ["moderate"]})
>>> row = savings_captured(results, shares).iloc[0]
>>> row["year_label"], float(row["captured_usd_max"]), row["captured_text"]
('contract year 1', 450000.0, 'under $450,000 (moderate)')
"""

from __future__ import annotations

import pandas as pd

from kg.analysis.schema import Column, TableSpec

__all__ = ["PUBLIC_PROGRAMS", "MAJORITY_SHARE_PCT", "MAJORITY_SOURCE", "savings_captured",
           "capture_by_partner_year", "describe_capture", "SAVINGS_CAPTURED",
           "CAPTURE_BY_PARTNER_YEAR"]

#: A majority of an ACO's earned savings: a share above this (percent). Partners sometimes
#: take a majority of the shared savings (:data:`MAJORITY_SOURCE`).
MAJORITY_SHARE_PCT = 50
#: The finding behind :data:`MAJORITY_SHARE_PCT` as a flag threshold.
MAJORITY_SOURCE = "Murray et al. 2018"

#: Payer programs whose savings are public money (Medicare and Medicaid funds).
PUBLIC_PROGRAMS = frozenset({"medicaid-aco", "medicare-mssp", "medicare-reach",
                             "medicare-advantage"})

#: The ``savings_captured`` table that :func:`savings_captured` makes.
SAVINGS_CAPTURED = TableSpec("savings_captured", "one partner, ACO, contract and year", (
    Column("partner_id", "string", "organization id"),
    Column("aco_id", "string", "organization id"),
    Column("contract_id", "string", "payer contract id"),
    Column("program", "string", "payer program"),
    Column("public_money", "boolean", "Medicare or Medicaid money"),
    Column("year_kind", "string", "performance (calendar) or contract year"),
    Column("year", "integer", "the year"),
    Column("year_label", "string", "'2016' or 'contract year 2'"),
    Column("earned_savings_usd", "number", "savings earned by the ACO"),
    Column("savings_approximate", "boolean", "the source gives approximate figures"),
    Column("share_exact_pct", "number", "exact share"),
    Column("share_min_pct", "number", "lower bound"),
    Column("share_min_exclusive", "boolean", "lower bound is exclusive"),
    Column("share_max_pct", "number", "upper bound"),
    Column("share_max_exclusive", "boolean", "upper bound is exclusive"),
    Column("share_level", "string", "the share in the source's words"),
    Column("fees_usd", "number", "fees paid that year"),
    Column("captured_usd_min", "number", "lower bound of dollars captured (empty: unknown)"),
    Column("captured_usd_max", "number", "upper bound (empty: unknown)"),
    Column("captured_status", "string", "exact, bounds, unknown or no savings"),
    Column("capture_rate_min", "number", "lower bound of the capture rate"),
    Column("capture_rate_max", "number", "upper bound of the capture rate"),
    Column("majority", "string", "yes, no or unknown: more than half the savings"),
    Column("captured_text", "string", "what is known, in words"),
    Column("share_citation", "string", "source of the share"),
    Column("share_locator", "string", "where"),
    Column("savings_citation", "string", "source of the savings"),
    Column("savings_locator", "string", "where"),
))
#: The ``capture_by_partner_year`` table that :func:`capture_by_partner_year` makes.
CAPTURE_BY_PARTNER_YEAR = TableSpec(
    "capture_by_partner_year", "one partner and year (summed over ACOs, with bounds)", (
    Column("partner_id", "string", "organization id"),
    Column("year_kind", "string", "performance or contract"),
    Column("year", "integer", "the year"),
    Column("year_label", "string", "as printed"),
    Column("acos", "integer", "ACOs"),
    Column("earned_savings_usd", "number", "their earned savings"),
    Column("captured_usd_min", "number", "lower bound"),
    Column("captured_usd_max", "number", "upper bound"),
    Column("capture_rate_min", "number", "lower bound"),
    Column("capture_rate_max", "number", "upper bound"),
    Column("public_usd_min", "number", "public money captured, lower bound"),
    Column("public_usd_max", "number", "upper bound"),
    Column("public_share_min", "number", "public share of captured money, lower bound"),
    Column("public_share_max", "number", "upper bound"),
))


def _value(row, column, default=None):
    value = row.get(column, default) if hasattr(row, "get") else default
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return default
    return value


def _money(amount: float) -> str:
    return f"${amount:,.0f}"


def describe_capture(row) -> str:
    """Say in words what is known of the captured amount of one row of savings_captured.

    >>> describe_capture({"captured_status": "unknown", "share_level": "significant"})
    'unknown (significant; no figure)'
    """
    status = _value(row, "captured_status")
    level = _value(row, "share_level")
    low, high = _value(row, "captured_usd_min"), _value(row, "captured_usd_max")
    words = f" ({level})" if level else ""
    if status == "exact":
        return f"{_money(low)} (exact)"
    if status == "no savings":
        return "none (no savings earned)"
    if status == "bounds":
        below = "under" if _value(row, "share_max_exclusive", False) else "at most"
        above = "over" if _value(row, "share_min_exclusive", False) else "at least"
        if low is not None and high is not None:
            return f"{_money(low)} to {_money(high)}{words}"
        if high is not None:
            return f"{below} {_money(high)}{words}"
        return f"{above} {_money(low)}{words}"
    return f"unknown ({level}; no figure)" if level else "unknown (no figure)"


def _share_bounds(share) -> tuple:
    """(min %, min exclusive, max %, max exclusive) implied by one share row."""
    exact = _value(share, "share_exact_pct")
    if exact is not None:
        return float(exact), False, float(exact), False
    low = _value(share, "share_min_pct")
    low_excl = bool(_value(share, "share_min_exclusive", False))
    high = _value(share, "share_max_pct")
    high_excl = bool(_value(share, "share_max_exclusive", False))
    if _value(share, "share_level") == "majority" and (low is None or low < MAJORITY_SHARE_PCT):
        low, low_excl = float(MAJORITY_SHARE_PCT), True  # "majority" means more than half
    return (None if low is None else float(low), low_excl,
            None if high is None else float(high), high_excl)


def _majority(low, low_excl, high, high_excl) -> str:
    if low is not None and (low > MAJORITY_SHARE_PCT or (low == MAJORITY_SHARE_PCT and low_excl)):
        return "yes"
    if high is not None and high <= MAJORITY_SHARE_PCT:  # at most half is never a majority
        return "no"
    return "unknown"


def _applies(share, contract_year) -> bool | None:
    first, last = _value(share, "from_contract_year"), _value(share, "to_contract_year")
    if first is None and last is None:
        return True
    if contract_year is None:
        return None
    return (first is None or contract_year >= first) and (last is None or contract_year <= last)


def savings_captured(results: pd.DataFrame, shares: pd.DataFrame,
                     fees: pd.DataFrame | None = None) -> pd.DataFrame:
    """Savings each partner captures from each ACO, per contract and year (exact or bounds).

    Parameters
    ----------
    results : DataFrame
        One row per contract and year: ``aco_id``, ``contract_id``, ``program``,
        ``contract_year``, ``performance_year``, ``earned_savings_usd`` and optionally
        ``approximate``, ``citation``, ``locator``.
    shares : DataFrame
        One row per share: ``contract_id``, ``recipient_id`` and any of ``share_exact_pct``,
        ``share_min_pct``/``share_min_exclusive``, ``share_max_pct``/``share_max_exclusive``,
        ``share_level``, ``from_contract_year``, ``to_contract_year``, ``citation``,
        ``locator``.
    fees : DataFrame, optional
        ``paid_by``, ``paid_to``, ``amount_usd``, ``fee_year``: fees an ACO pays a partner;
        counted in a performance year equal to ``fee_year``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SAVINGS_CAPTURED`; ``captured_status`` is ``exact``, ``bounds``,
        ``unknown`` or ``no savings``.
    """
    rows = []
    for _, share in shares.iterrows():
        matching = results[results["contract_id"] == share["contract_id"]]
        for _, result in matching.iterrows():
            contract_year = _value(result, "contract_year")
            performance_year = _value(result, "performance_year")
            if not _applies(share, contract_year):
                continue  # outside the share's contract years (or not known to be inside)
            low, low_excl, high, high_excl = _share_bounds(share)
            earned = _value(result, "earned_savings_usd")
            partner, aco = share["recipient_id"], result["aco_id"]
            fee_total = None
            if fees is not None and len(fees) and performance_year is not None:
                paid = fees[(fees["paid_to"] == partner) & (fees["paid_by"] == aco)
                            & (fees["fee_year"] == performance_year)]["amount_usd"].dropna()
                fee_total = float(paid.sum()) if len(paid) else None
            extra = fee_total or 0.0
            if earned is None:
                status, c_low, c_high, r_low, r_high = "unknown", None, None, None, None
            elif earned <= 0:
                status, c_low, c_high, r_low, r_high = "no savings", None, None, None, None
            else:
                c_low = None if low is None else earned * low / 100 + extra
                c_high = None if high is None else earned * high / 100 + extra
                status = ("exact" if low is not None and low == high and not low_excl
                          else "bounds" if (c_low is not None or c_high is not None)
                          else "unknown")
                r_low = None if c_low is None else c_low / earned
                r_high = None if c_high is None else c_high / earned
            program = _value(result, "program")
            row = {
                "partner_id": partner, "aco_id": aco, "contract_id": share["contract_id"],
                "program": program,
                "public_money": None if program is None else program in PUBLIC_PROGRAMS,
                "year_kind": "performance" if performance_year is not None else "contract",
                "year": performance_year if performance_year is not None else contract_year,
                "year_label": (str(performance_year) if performance_year is not None
                               else f"contract year {contract_year}"),
                "earned_savings_usd": earned,
                "savings_approximate": _value(result, "approximate"),
                "share_exact_pct": _value(share, "share_exact_pct"),
                "share_min_pct": low, "share_min_exclusive": low_excl if low is not None else None,
                "share_max_pct": high,
                "share_max_exclusive": high_excl if high is not None else None,
                "share_level": _value(share, "share_level"), "fees_usd": fee_total,
                "captured_usd_min": c_low, "captured_usd_max": c_high, "captured_status": status,
                "capture_rate_min": r_low, "capture_rate_max": r_high,
                "majority": _majority(low, low_excl, high, high_excl),
                "captured_text": None,  # said in words below, from the row itself
                "share_citation": _value(share, "citation"),
                "share_locator": _value(share, "locator"),
                "savings_citation": _value(result, "citation"),
                "savings_locator": _value(result, "locator"),
            }
            row["captured_text"] = describe_capture(row)
            rows.append(row)
    frame = SAVINGS_CAPTURED.from_records(rows)
    return frame.sort_values(["partner_id", "aco_id", "year_kind", "year"], kind="stable",
                             ignore_index=True) if len(frame) else frame


def _sum_lower(values) -> float | None:
    """Lower bound of a sum of non-negative amounts: unknown lower bounds count as 0, but
    if none is known the bound stays unknown (never a bare 0)."""
    known = [v for v in values if v is not None and not pd.isna(v)]
    return float(sum(known)) if known else None


def _sum_upper(values) -> float | None:
    values = list(values)
    if not values or any(v is None or pd.isna(v) for v in values):
        return None
    return float(sum(values))


def _ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def capture_by_partner_year(captured: pd.DataFrame) -> pd.DataFrame:
    """Totals per partner and year of :func:`savings_captured` rows, with interval bounds.

    The public money share is 1 (0) when every (no) contract of the partner that year is a
    Medicare or Medicaid contract, whatever the amounts; when both kinds occur it is bounded
    from the captured amounts, and missing if they are unknown.
    """
    rows = []
    usable = captured[captured["captured_status"] != "no savings"]
    for (partner, kind, year, label), group in usable.groupby(
            ["partner_id", "year_kind", "year", "year_label"], dropna=False, sort=True):
        earned = _sum_upper(group["earned_savings_usd"])
        low, high = _sum_lower(group["captured_usd_min"]), _sum_upper(group["captured_usd_max"])
        public = group[group["public_money"] == True]  # noqa: E712 - nullable booleans
        private = group[group["public_money"] == False]  # noqa: E712
        unknown_kind = group["public_money"].isna().any()
        p_low, p_high = _sum_lower(public["captured_usd_min"]), _sum_upper(public["captured_usd_max"])
        if unknown_kind:
            share_low = share_high = None
        elif len(private) == 0:
            share_low = share_high = 1.0
        elif len(public) == 0:
            share_low = share_high = 0.0
        else:
            q_low, q_high = (_sum_lower(private["captured_usd_min"]),
                             _sum_upper(private["captured_usd_max"]))
            share_low = (p_low / (p_low + q_high)
                         if p_low is not None and q_high is not None and p_low + q_high > 0
                         else (0.0 if p_low is None and q_high is not None else None))
            share_high = (p_high / (p_high + q_low)
                          if p_high is not None and q_low is not None and p_high + q_low > 0
                          else None)
        rows.append({
            "partner_id": partner, "year_kind": kind, "year": year, "year_label": label,
            "acos": group["aco_id"].nunique(), "earned_savings_usd": earned,
            "captured_usd_min": low, "captured_usd_max": high,
            "capture_rate_min": _ratio(low, earned), "capture_rate_max": _ratio(high, earned),
            "public_usd_min": p_low, "public_usd_max": p_high,
            "public_share_min": share_low, "public_share_max": share_high,
        })
    return CAPTURE_BY_PARTNER_YEAR.from_records(rows)
