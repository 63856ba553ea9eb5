"""Concentration: hand-computed HHI and CR4, common control, inferred links, edge cases."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.analysis.power.concentration import (band_2010, concentration, cr4, hhi, hmg2010,
                                    market_shares, mg2023)


def acos_frame(rows):
    columns = ["aco_id", "year", "state", "partner_id", "link_evidence",
               "assigned_beneficiaries", "earned_savings_usd"]
    return pd.DataFrame(rows, columns=columns)


def test_hhi_and_cr4_by_hand():
    # 35^2 + 25^2 + 20^2 + 10^2 + 5^2 + 5^2 = 1225 + 625 + 400 + 100 + 25 + 25
    assert hhi([35, 25, 20, 10, 5, 5]) == 2400.0
    assert cr4([35, 25, 20, 10, 5, 5]) == 90.0
    assert hhi(pd.Series([100.0])) == 10000.0
    assert hhi({"a": 50, "b": 50}) == 5000.0
    assert cr4([10, 10, 10, 10, 10]) == 40.0  # ties: any four of equal size give 40


@pytest.mark.parametrize("shares", [[], [50, None], [50, math.nan]])
def test_missing_or_no_shares_are_unknown_not_zero(shares):
    assert math.isnan(hhi(shares))
    assert math.isnan(cr4(shares))


@pytest.mark.parametrize("shares, message", [([-5, 50], "between 0 and 100"),
                                             ([101], "between 0 and 100"),
                                             ([60, 50], "more than 100")])
def test_impossible_shares_are_refused(shares, message):
    with pytest.raises(ValueError, match=message):
        hhi(shares)


def test_guideline_readings_at_their_thresholds():
    assert band_2010(1499.9) == "unconcentrated"
    assert band_2010(2500) == "moderately concentrated"
    assert band_2010(2500.1) == "highly concentrated"
    assert hmg2010(2000, 150).endswith("potentially significant competitive concerns")
    assert hmg2010(3000, 150).endswith("significant competitive concerns")
    assert hmg2010(3000, 100) == "highly concentrated"
    assert mg2023(1800, 500, 20) == "below 1,800"  # "above 1,800" is strict
    assert mg2023(1801, 101, 20).startswith("presumption: HHI above 1,800")
    assert mg2023(1801, 100, 20) == "highly concentrated"
    assert mg2023(1000, 101, 30) == "below 1,800"  # "above 30%" is strict
    assert mg2023(1000, 101, 30.5).startswith("presumption: share above 30%")
    assert mg2023(math.nan, 500, 50) == "unknown"


def test_common_control_one_partner_counts_as_one_firm():
    acos = acos_frame([
        ["a1", 2022, "TX", "p", "reported", 100, 10.0],
        ["a2", 2022, "TX", "p", "reported", 100, 10.0],
        ["a3", 2022, "TX", pd.NA, pd.NA, 200, 20.0],
        ["a1", 2023, "TX", "p", "reported", 100, 10.0],
        ["a2", 2023, "TX", "p", "reported", 150, 10.0],
        ["a3", 2023, "TX", "p", "reported", 250, 20.0],
    ])
    markets = concentration(acos).set_index(["scope", "year", "measure"])
    y22 = markets.loc[("TX", 2022, "beneficiaries")]
    # firms: p 200/400 = 50 %, a3 50 %: HHI 5000; independent 25,25,50: 625+625+2500 = 3750
    assert y22["hhi"] == 5000.0 and y22["hhi_independent"] == 3750.0
    assert y22["rollup_delta_hhi"] == 1250.0 and y22["firms"] == 2
    assert y22["cr4"] == 100.0
    y23 = markets.loc[("TX", 2023, "beneficiaries")]
    assert y23["hhi"] == 10000.0 and y23["firms"] == 1  # one partner holds the whole market
    assert y23["delta_hhi"] == 5000.0
    assert y23["mg2023_trend"].startswith("presumption")
    assert math.isnan(y22["delta_hhi"])  # no 2021 in the data
    by_count = markets.loc[("TX", 2022, "acos")]
    assert by_count["hhi"] == pytest.approx((200 / 3) ** 2 + (100 / 3) ** 2)
    assert y22["reason"] == "HHI 5,000 in TX by assigned beneficiaries (2022; 3 ACOs in the graph)"


def test_no_partner_means_every_aco_is_its_own_firm_and_ties_are_stable():
    acos = acos_frame([[f"a{k}", 2020, "NM", pd.NA, pd.NA, 10, 1.0] for k in range(5)])
    row = concentration(acos, ["beneficiaries"]).query("scope == 'NM'").iloc[0]
    assert row["hhi"] == pytest.approx(2000.0) and row["rollup_delta_hhi"] == 0
    assert row["top_firm"] == "aco:a0"  # ties broken by name, reproducibly
    assert row["cr4"] == pytest.approx(80.0)
    assert row["mg2023"] == "highly concentrated"


def test_missing_beneficiaries_make_the_market_unknown():
    acos = acos_frame([["a1", 2020, "OH", "p", "reported", 10, 5.0],
                       ["a2", 2020, "OH", pd.NA, pd.NA, pd.NA, 5.0]])
    markets = concentration(acos).set_index(["scope", "measure"])
    assert math.isnan(markets.loc[("OH", "beneficiaries"), "hhi"])
    assert markets.loc[("OH", "beneficiaries"), "missing"] == 1
    assert markets.loc[("OH", "beneficiaries"), "mg2023"] == "unknown"
    assert markets.loc[("OH", "earned_savings"), "hhi"] == 5000.0


def test_losses_earn_no_savings_share():
    acos = acos_frame([["a1", 2020, "OH", "p", "reported", 10, 30.0],
                       ["a2", 2020, "OH", "q", "reported", 10, -10.0]])
    shares = market_shares(acos, ["earned_savings"]).query("scope == 'OH'")
    assert shares.set_index("firm_id")["share_pct"].to_dict() == {"p": 100.0, "q": 0.0}


def test_inferred_links_are_counted_separately_and_marked():
    acos = acos_frame([["a1", 2024, "AZ", "p", "reported", 50, 1.0],
                       ["a2", 2024, "AZ", "p", "inferred", 30, 1.0],
                       ["a3", 2024, "AZ", pd.NA, pd.NA, 20, 1.0]])
    markets = concentration(acos, ["beneficiaries"]).query("scope == 'AZ'").set_index("links")
    assert set(markets.index) == {"reported", "reported+inferred"}
    assert markets.loc["reported", "hhi"] == 50 ** 2 + 30 ** 2 + 20 ** 2
    assert markets.loc["reported+inferred", "hhi"] == 80 ** 2 + 20 ** 2
    assert "counting inferred links" in markets.loc["reported+inferred", "reason"]
    shares = market_shares(acos, ["beneficiaries"]).query("scope == 'AZ'")
    marked = shares[(shares["links"] == "reported+inferred") & (shares["firm_id"] == "p")]
    assert marked["inferred_acos"].tolist() == [1]


def test_firm_id_merges_partners_under_one_parent_and_undated_rows_stay_undated():
    acos = acos_frame([["a1", pd.NA, pd.NA, "p1", "reported", 10, 1.0],
                       ["a2", pd.NA, pd.NA, "p2", "reported", 10, 1.0]])
    acos["firm_id"] = ["parent", "parent"]
    row = concentration(acos, ["acos"]).iloc[0]
    assert row["scope"] == "national" and pd.isna(row["year"])
    assert row["hhi"] == 10000.0 and row["top_firm"] == "parent"
    assert "(undated; 2 ACOs in the graph)" in row["reason"]


def _naive_market(acos, state, year, column):
    """Firm totals and shares of one market, row by row (the definition, no grouping)."""
    totals, complete = {}, True
    for r in acos.itertuples():
        if (state is not None and r.state != state) or r.year != year:
            continue
        value = getattr(r, column)
        if pd.isna(value):
            complete = False
            continue
        firm = r.partner_id if isinstance(r.partner_id, str) else f"aco:{r.aco_id}"
        totals[firm] = totals.get(firm, 0.0) + max(float(value), 0.0)
    market = sum(totals.values())
    return totals, ({f: v / market * 100 for f, v in totals.items()}
                    if complete and market > 0 else None)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["p", "q", "r", None]), st.sampled_from([2021, 2022]),
                          st.sampled_from(["TX", "NM", None]),
                          st.one_of(st.none(), st.integers(0, 500)),
                          st.floats(-100, 1e6, allow_nan=False)),
                min_size=1, max_size=25))
def test_shares_and_hhi_agree_with_a_row_by_row_computation(rows):
    acos = acos_frame([[f"a{k}", year, state, partner, "reported" if partner else pd.NA,
                        patients, savings]
                       for k, (partner, year, state, patients, savings) in enumerate(rows)])
    shares = market_shares(acos)
    markets = concentration(acos, shares=shares).set_index(["scope", "year", "measure"])
    for scope in ["national"] + sorted({s for s in acos["state"] if isinstance(s, str)}):
        for year in sorted(set(acos["year"])):
            for measure, column in (("beneficiaries", "assigned_beneficiaries"),
                                    ("earned_savings", "earned_savings_usd")):
                totals, expected = _naive_market(acos, None if scope == "national" else scope,
                                                 year, column)
                if not totals and expected is None and (scope, year, measure) not in markets.index:
                    continue
                got = shares[(shares["scope"] == scope) & (shares["year"] == year)
                             & (shares["measure"] == measure)].set_index("firm_id")
                row = markets.loc[(scope, year, measure)]
                if expected is None:
                    assert got["share_pct"].isna().all() and math.isnan(row["hhi"])
                    continue
                assert got["share_pct"].to_dict() == pytest.approx(expected)
                assert row["hhi"] == pytest.approx(sum(s * s for s in expected.values()))
                assert row["firms"] == len(expected)
                assert row["top_share_pct"] == pytest.approx(max(expected.values()))
