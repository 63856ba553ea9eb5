"""Savings captured (exact, bounds, unknown), public money, and dependency on one partner."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kg.analysis.power.dependency import dependency
from kg.analysis.power.money import capture_by_partner_year, savings_captured


def results_frame(rows):
    return pd.DataFrame(rows, columns=["aco_id", "contract_id", "program", "contract_year",
                                       "performance_year", "earned_savings_usd"])


def shares_frame(rows):
    return pd.DataFrame(rows, columns=["contract_id", "recipient_id", "share_exact_pct",
                                       "share_min_pct", "share_min_exclusive", "share_max_pct",
                                       "share_max_exclusive", "share_level",
                                       "from_contract_year", "to_contract_year"])


def test_bounds_only_give_an_upper_bound_and_an_unknown_lower_bound():
    results = results_frame([["access", "c1", "medicaid-aco", 1, pd.NA, 1_500_000.0],
                             ["access", "c1", "medicaid-aco", 2, pd.NA, 5_000_000.0]])
    shares = shares_frame([["c1", "partner", pd.NA, pd.NA, pd.NA, 30.0, True, "moderate",
                            pd.NA, pd.NA]])
    rows = savings_captured(results, shares)
    assert rows["captured_usd_max"].tolist() == [450_000.0, 1_500_000.0]
    assert rows["captured_usd_min"].isna().all()
    assert rows["captured_status"].tolist() == ["bounds", "bounds"]
    assert rows["year_label"].tolist() == ["contract year 1", "contract year 2"]
    assert rows["majority"].tolist() == ["no", "no"]
    assert rows["captured_text"].iloc[0] == "under $450,000 (moderate)"
    assert rows["public_money"].all()
    totals = capture_by_partner_year(rows)
    assert totals["capture_rate_max"].tolist() == [pytest.approx(0.3)] * 2
    assert totals["public_share_min"].tolist() == [1.0, 1.0]


def test_a_level_without_a_figure_is_unknown_never_zero():
    results = results_frame([["collab", "c2", "medicaid-aco", 1, pd.NA, 2_000_000.0]])
    shares = shares_frame([["c2", "partner", pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, "significant",
                            pd.NA, pd.NA]])
    row = savings_captured(results, shares).iloc[0]
    assert row["captured_status"] == "unknown"
    assert pd.isna(row["captured_usd_min"]) and pd.isna(row["captured_usd_max"])
    assert row["majority"] == "unknown"
    assert row["captured_text"] == "unknown (significant; no figure)"
    total = capture_by_partner_year(savings_captured(results, shares)).iloc[0]
    assert pd.isna(total["captured_usd_min"]) and pd.isna(total["captured_usd_max"])
    assert total["public_share_min"] == 1.0  # whatever the amount, it is Medicaid money


def test_exact_share_majority_words_and_contract_year_ranges():
    results = results_frame([["a", "c", "medicare-mssp", 1, 2019, 1_000_000.0],
                             ["a", "c", "medicare-mssp", 2, 2020, 2_000_000.0],
                             ["a", "c", "medicare-mssp", 3, 2021, -50_000.0]])
    shares = shares_frame([["c", "p", 60.0, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, 1, 1],
                           ["c", "q", pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, "majority", 2, 3]])
    rows = savings_captured(results, shares).set_index(["partner_id", "year"])
    assert rows.loc[("p", 2019), "captured_usd_min"] == 600_000.0
    assert rows.loc[("p", 2019), "captured_status"] == "exact"
    assert rows.loc[("p", 2019), "majority"] == "yes"
    assert ("p", 2020) not in rows.index  # the exact share applies to contract year 1 only
    assert rows.loc[("q", 2020), "captured_usd_min"] == 1_000_000.0  # more than half
    assert rows.loc[("q", 2020), "captured_text"] == "over $1,000,000 (majority)"
    assert rows.loc[("q", 2020), "majority"] == "yes"
    assert rows.loc[("q", 2021), "captured_status"] == "no savings"
    assert pd.isna(rows.loc[("q", 2021), "capture_rate_min"])


def test_public_share_mixes_public_and_commercial_money_with_bounds():
    results = results_frame([["a", "m", "medicare-mssp", 1, 2020, 1_000_000.0],
                             ["b", "k", "commercial", 1, 2020, 1_000_000.0]])
    shares = shares_frame([["m", "p", 40.0, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA],
                           ["k", "p", 10.0, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA]])
    total = capture_by_partner_year(savings_captured(results, shares)).iloc[0]
    assert total["captured_usd_min"] == total["captured_usd_max"] == 500_000.0
    assert total["capture_rate_min"] == pytest.approx(0.25)
    assert total["public_share_min"] == pytest.approx(0.8)
    assert total["public_share_max"] == pytest.approx(0.8)
    assert total["acos"] == 2


def test_fees_count_in_the_capture_rate_of_their_year():
    results = results_frame([["a", "m", "medicare-mssp", 1, 2020, 1_000_000.0]])
    shares = shares_frame([["m", "p", 20.0, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA]])
    fees = pd.DataFrame({"paid_by": ["a", "a"], "paid_to": ["p", "p"],
                         "amount_usd": [100_000.0, 50_000.0], "fee_year": [2020, 2019]})
    row = savings_captured(results, shares, fees).iloc[0]
    assert row["fees_usd"] == 100_000.0
    assert row["capture_rate_min"] == pytest.approx(0.3)


def services_frame(rows):
    return pd.DataFrame(rows, columns=["provider_id", "recipient_id", "service_type", "delivery"])


def test_sole_sourcing_of_every_critical_service_with_risk_is_flagged():
    all_six = ["data-analytics", "administrative", "education",
               "care-coordination-quality-improvement", "risk-bearing", "contracting"]
    frame = dependency(services_frame([["p", "a", s, "delivered"] for s in all_six]))
    row = frame.iloc[0]
    assert row["dependency"] == 1.0 and row["risk_sharing"]
    assert row["sole_sourcing_with_risk"]


def test_a_second_provider_or_a_withdrawn_service_lowers_dependency():
    rows = [["p", "a", s, "delivered"] for s in ["data-analytics", "administrative",
                                                   "education", "contracting",
                                                   "care-coordination-quality-improvement"]]
    rows += [["p", "a", "risk-bearing", "withdrawn"], ["v", "a", "data-analytics", pd.NA]]
    frame = dependency(services_frame(rows)).set_index("partner_id")
    assert frame.loc["p", "critical_sourced"] == 5
    assert frame.loc["p", "dependency"] == pytest.approx(5 / 6)
    assert frame.loc["p", "sole_source_groups"] == 4  # data analytics also comes from v
    assert not frame.loc["p", "risk_sharing"]
    assert frame.loc["p", "withdrawn_services"] == "risk-bearing"
    assert not frame.loc["p", "sole_sourcing_with_risk"]
    assert frame.loc["v", "dependency"] == pytest.approx(1 / 6)


def test_no_services_give_an_empty_table():
    assert dependency(services_frame([])).empty
