"""Operators in state markets (kg.analysis.power.markets): where ACOs serve, which links
count in a year, the footprint ranking, and the HHI before and after the links.

The fixtures are small tables written here, with several operators, kinds, evidence,
review states and years, so that each rule can be checked against a figure worked out by
hand or by an independent sum.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kg.analysis.power.concentration import MG2023_CHANGE, MG2023_HIGH_HHI
from kg.analysis.power.markets import (aco_states, links_in_year, operator_footprint,
                                       operator_markets, operator_of, operator_shares)


def _links(rows):
    columns = ["link_id", "aco_id", "operator_id", "operator_name", "operator_kind",
               "evidence", "review", "first_year", "last_year", "citation", "locator"]
    return pd.DataFrame([dict(zip(columns, r)) for r in rows], columns=columns)


LINKS = _links([
    ("l1", "a1", "big", "Big Co", "management-company", "inferred", "unreviewed", 2020, 2023,
     "CMS roster", "roster.csv, line 2 (PY2020)"),
    ("l2", "a2", "big", "Big Co", "management-company", "reported", "confirmed", 2021, 2023,
     "CMS roster", "roster.csv, line 3 (PY2021)"),
    ("l3", "a3", "big", "Big Co", "management-company", "inferred", "confirmed", 2022, 2022,
     "CMS roster", "roster.csv, line 4 (PY2022)"),
    ("l4", "a4", "sys", "Health System", "health-system", "reported", "unreviewed", 2020, 2021,
     "CMS roster", "roster.csv, line 5 (PY2020)"),
    ("l5", "a5", "case", "Case Partner", "insurer", "reported", "confirmed", 2021, 2023,
     "CMS roster", "roster.csv, line 6 (PY2021)"),
    # a second link of a1, in 2023: reported and confirmed, so it wins over l1 that year
    ("l6", "a1", "sys", "Health System", "health-system", "reported", "confirmed", 2023, 2023,
     "CMS roster", "roster.csv, line 7 (PY2023)"),
])


def _years(rows):
    columns = ["aco_id", "year", "assigned_beneficiaries", "earned_savings_usd",
               "service_area", "basis", "citation", "locator"]
    return pd.DataFrame([dict(zip(columns, r)) for r in rows], columns=columns)


def test_a_link_counts_only_in_the_years_it_is_valid():
    assert sorted(links_in_year(LINKS, 2020)["link_id"]) == ["l1", "l4"]
    assert sorted(links_in_year(LINKS, 2022)["link_id"]) == ["l1", "l2", "l3", "l5"]
    assert sorted(links_in_year(LINKS, 2024)["link_id"]) == []
    undated = LINKS.assign(first_year=[None] + [2020] * 5)
    assert "l1" not in set(links_in_year(undated, 2021)["link_id"])


def test_one_operator_per_aco_and_year_reported_and_confirmed_first():
    chosen = operator_of(LINKS, [2022, 2023]).set_index(["aco_id", "year"])["operator_id"]
    assert chosen[("a1", 2022)] == "big"  # only l1 is valid in 2022
    assert chosen[("a1", 2023)] == "sys"  # l6 is reported and confirmed, l1 inferred
    assert ("a4", 2022) not in chosen.index  # l4 ended in 2021
    assert len(chosen) == len(set(chosen.index))


def test_an_aco_counts_in_every_state_it_serves_and_states_are_carried_or_registered():
    years = _years([
        ("a1", 2016, 100, 10.0, "TX, OK", "results", "CMS 2016", "r16.csv, line 2 (PY2016)"),
        ("a1", 2022, 120, -5.0, None, "results", "CMS 2022", "r22.csv, line 2 (PY2022)"),
        ("a2", 2022, 50, 1.0, None, "results", "CMS 2022", "r22.csv, line 3 (PY2022)"),
        ("a3", 2026, None, None, None, "participants", "CMS 2026", "p26.csv, line 9 (PY2026)"),
    ])
    placed = aco_states(years, {"a1": "TX", "a2": "NM", "a3": None})
    where = {(r.aco_id, r.year): (r.area_basis, r.state) for r in placed.itertuples()}
    assert sorted(placed[placed["aco_id"] == "a1"]["state"]) == ["OK", "OK", "TX", "TX"]
    assert where[("a1", 2016)][0] == "results" and where[("a1", 2022)][0] == "carried"
    assert where[("a2", 2022)] == ("registered", "NM")
    assert where[("a3", 2026)][0] == "unknown" and pd.isna(where[("a3", 2026)][1])
    # the measures of the year travel with every state the ACO serves
    a1_2022 = placed[(placed["aco_id"] == "a1") & (placed["year"] == 2022)]
    assert a1_2022["assigned_beneficiaries"].tolist() == [120, 120]
    # a year known only from a participants file has unknown measures, never 0
    a3 = placed[placed["aco_id"] == "a3"].iloc[0]
    assert math.isnan(a3["assigned_beneficiaries"]) and not a3["has_results"]


def _placed(year, state, acos, beneficiaries):
    return pd.DataFrame({"aco_id": acos, "year": [year] * len(acos), "state": [state] * len(acos),
                         "area_basis": ["results"] * len(acos),
                         "assigned_beneficiaries": beneficiaries,
                         "earned_savings_usd": [1.0] * len(acos), "has_results": [True] * len(acos),
                         "citation": ["CMS"] * len(acos),
                         "locator": [f"mssp_results_{year}.csv, line {i + 2} (PY{year})"
                                     for i in range(len(acos))]})


def test_hhi_before_after_and_change_match_a_hand_sum():
    # 2022, TX: a1, a2, a3 under Big Co (l1, l2, l3 valid), a5 under Case Partner, a6, a7 alone
    beneficiaries = [10, 20, 30, 15, 15, 10]
    placed = _placed(2022, "TX", ["a1", "a2", "a3", "a5", "a6", "a7"], beneficiaries)
    row = operator_markets(placed, LINKS, 3, ["beneficiaries"]).iloc[0]
    total = sum(beneficiaries)
    before = sum((b / total * 100) ** 2 for b in beneficiaries)
    after = ((60 / total * 100) ** 2 + (15 / total * 100) ** 2 + (15 / total * 100) ** 2
             + (10 / total * 100) ** 2)
    assert row["hhi_before"] == pytest.approx(before)
    assert row["hhi_after"] == pytest.approx(after)
    assert row["change"] == pytest.approx(after - before)
    assert row["top_operator"] == "Big Co" and row["top_share_pct"] == pytest.approx(60.0)
    assert row["operated_acos"] == 4 and row["operators"] == 2
    # after > 1,800 and change > 100: the presumption, and the market is big enough
    assert after > MG2023_HIGH_HHI and after - before > MG2023_CHANGE and row["flagged"]
    # the sources: the CMS file and year, the links' evidence and review states
    assert row["cms_source"] == "mssp_results_2022.csv (PY2022)"
    # a1 by l1 (inferred, unreviewed), a2 by l2 and a5 by l5 (reported, confirmed), a3 by l3
    assert row["link_evidence"] == ("1 inferred, confirmed; 1 inferred, unreviewed; "
                                    "2 reported, confirmed")
    assert "roster.csv, line 4 (PY2022)" in row["link_source"]


def test_a_small_market_is_never_flagged_and_an_unknown_figure_leaves_the_hhi_unknown():
    placed = _placed(2022, "TX", ["a1", "a2", "a3", "a6"], [10, 20, 30, None])
    rows = operator_markets(placed, LINKS, 5).set_index("measure")
    assert not rows["flagged"].any()  # 4 ACOs, fewer than 5
    assert math.isnan(rows.loc["beneficiaries", "hhi_after"])
    assert rows.loc["beneficiaries", "missing"] == 1
    assert rows.loc["acos", "hhi_after"] == pytest.approx(75 ** 2 + 25 ** 2)


def test_a_year_uses_only_the_links_valid_that_year():
    placed = pd.concat([_placed(2020, "TX", ["a1", "a2", "a4"], [10, 10, 10]),
                        _placed(2023, "TX", ["a1", "a2", "a4"], [10, 10, 10])])
    rows = operator_markets(placed, LINKS, 1, ["acos"]).set_index("year")
    # 2020: a1 (Big Co, l1) and a4 (Health System, l4); 2023: a1 (sys, l6), a2 (big)
    assert rows.loc[2020, "operated_acos"] == 2 and rows.loc[2020, "operators"] == 2
    assert rows.loc[2023, "operated_acos"] == 2
    assert rows.loc[2020, "hhi_after"] == pytest.approx(rows.loc[2020, "hhi_before"])


def test_a_one_aco_operator_never_outranks_a_many_aco_operator_on_footprint():
    placed = pd.concat([_placed(2022, "TX", ["a1", "a2", "a3"], [10, 10, 10]),
                        _placed(2022, "OK", ["a5"], [1_000_000])])
    footprint = operator_footprint(LINKS, placed)
    in_2022 = footprint[footprint["year"] == 2022].set_index("operator_id")
    assert in_2022.loc["big", "rank"] < in_2022.loc["case", "rank"]
    assert in_2022.loc["big", "acos"] == 3 and in_2022.loc["case", "acos"] == 1
    assert in_2022.loc["case", "assigned_beneficiaries"] == 1_000_000
    # links by evidence and review, and the kinds, as the links say
    assert in_2022.loc["big", ["reported_links", "inferred_links", "confirmed_links",
                               "unreviewed_links"]].tolist() == [1, 2, 2, 1]
    assert in_2022.loc["case", "operator_kind"] == "insurer"
    for _, year in footprint.groupby("year"):
        ordered = year.sort_values("rank")
        assert ordered["acos"].is_monotonic_decreasing


def test_national_shares_count_each_aco_once():
    placed = pd.concat([_placed(2022, "TX", ["a1", "a2", "a3", "a6"], [10, 10, 10, 70]),
                        _placed(2022, "OK", ["a1"], [10])])
    shares = operator_shares(placed, LINKS).set_index("operator_id")
    assert shares.loc["big", "acos"] == 3
    assert shares.loc["big", "acos_share_pct"] == pytest.approx(75.0)
    assert shares.loc["big", "beneficiaries_share_pct"] == pytest.approx(30.0)
