"""Exact voting power: published examples, the notes' worked example, and brute force."""

from __future__ import annotations

from itertools import combinations, permutations
from math import factorial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.analysis.power.voting import voting_power


def brute_force(weights: dict, quota: int, vetoes=()) -> dict:
    """Enumerate every coalition (Banzhaf) and every voting order (Shapley-Shubik)."""
    players = list(weights)
    vetoes = set(vetoes)

    def wins(coalition) -> bool:
        return sum(weights[p] for p in coalition) >= quota and vetoes <= set(coalition)

    swings = {p: 0 for p in players}
    for size in range(len(players) + 1):
        for coalition in combinations(players, size):
            if wins(coalition):
                for p in coalition:
                    if not wins([q for q in coalition if q != p]):
                        swings[p] += 1
    pivots = {p: 0 for p in players}
    for order in permutations(players):
        for k, p in enumerate(order):
            if wins(order[: k + 1]):
                pivots[p] += 1
                break
    total = sum(swings.values())
    n = len(players)
    return {p: (swings[p] / total if total else np.nan, swings[p] / 2 ** (n - 1),
                pivots[p] / factorial(n),
                p in vetoes or sum(weights.values()) - weights[p] < quota) for p in players}


def test_notes_worked_example_two_of_eight_seats():
    """regulator-measures.md section 2: 2 of 8 seats on a simple-majority board gives
    Banzhaf 0.28 and Shapley-Shubik 0.286; a reserved veto raises them to 0.41 and 0.57."""
    seats = {"partner": 2, **{f"m{k}": 1 for k in range(6)}}
    plain = voting_power(seats, quota=5).loc["partner"]
    assert plain["banzhaf"] == pytest.approx(0.28)
    assert plain["shapley_shubik"] == pytest.approx(2 / 7)
    assert not plain["is_veto_player"]
    veto = voting_power(seats, quota=5, vetoes=["partner"]).loc["partner"]
    assert round(veto["banzhaf"], 2) == 0.41
    assert veto["shapley_shubik"] == pytest.approx(4 / 7)
    assert veto["is_veto_player"]


def test_supermajority_makes_a_veto_player_whose_banzhaf_falls():
    """regulator-measures.md: at 7 of 8 the partner becomes a veto player, yet its
    normalized Banzhaf index falls to 0.19 - so the flag must be kept apart."""
    seats = {"partner": 2, **{f"m{k}": 1 for k in range(6)}}
    majority = voting_power(seats, quota=5).loc["partner"]
    super_ = voting_power(seats, quota=7).loc["partner"]
    assert super_["is_veto_player"] and not majority["is_veto_player"]
    assert round(super_["banzhaf"], 2) == 0.19
    assert super_["banzhaf"] < majority["banzhaf"]


def test_weights_do_not_measure_power_51_49_48_3():
    """[51; 49, 48, 3]: any two of the three win, so all have equal power (1/3 each) for
    both indices, whatever their weights. Felsenthal D, Machover M. The Measurement of
    Voting Power. Edward Elgar; 1998 (the standard example that weights are not power);
    also Taylor AD, Pacelli AM. Mathematics and Politics. 2nd ed. Springer; 2008, ch. 4."""
    power = voting_power({"A": 49, "B": 48, "C": 3}, quota=51)
    assert power["banzhaf"].tolist() == pytest.approx([1 / 3] * 3)
    assert power["shapley_shubik"].tolist() == pytest.approx([1 / 3] * 3)
    assert power["banzhaf_raw"].tolist() == pytest.approx([0.5] * 3)


def test_eec_council_of_ministers_1958():
    """EEC Council of Ministers 1958, [12; 4, 4, 4, 2, 2, 1]: Luxembourg is a dummy.
    Shapley-Shubik 14/60 for France, Germany, Italy and 9/60 for Belgium, Netherlands;
    Banzhaf 10/42 and 6/42. Felsenthal D, Machover M. The Measurement of Voting Power.
    Edward Elgar; 1998, section 5.3 (Table 5.3.1); Brams SJ. Game Theory and Politics.
    Free Press; 1975, ch. 5."""
    power = voting_power({"FR": 4, "DE": 4, "IT": 4, "BE": 2, "NL": 2, "LU": 1}, quota=12)
    assert power["shapley_shubik"].tolist() == pytest.approx([14 / 60] * 3 + [9 / 60] * 2 + [0])
    assert power["banzhaf"].tolist() == pytest.approx([10 / 42] * 3 + [6 / 42] * 2 + [0])
    assert power.loc["LU", "banzhaf_raw"] == 0


@pytest.mark.parametrize("as_vetoes", [False, True])
def test_un_security_council(as_vetoes):
    """UN Security Council since 1965: 9 of 15 votes including all 5 permanent members.
    Shapley-Shubik 421/2145 = 0.1963 per permanent and 4/2145 = 0.00186 per elected
    member; normalized Banzhaf 0.1669 and 0.0165. Straffin PD. Game Theory and Strategy.
    MAA; 1993, ch. 18; Felsenthal & Machover 1998, section 5.2.
    The reserved-veto model (9 of 15 AND every permanent member agrees) must equal the
    classic weighted representation [39; 7, 7, 7, 7, 7, 1 x 10]."""
    permanent = [f"P{k}" for k in range(5)]
    elected = [f"E{k}" for k in range(10)]
    if as_vetoes:
        power = voting_power({p: 1 for p in permanent + elected}, quota=9, vetoes=permanent)
    else:
        power = voting_power({**{p: 7 for p in permanent}, **{e: 1 for e in elected}}, quota=39)
    assert power.loc[permanent, "shapley_shubik"].tolist() == pytest.approx([421 / 2145] * 5)
    assert power.loc[elected, "shapley_shubik"].tolist() == pytest.approx([4 / 2145] * 10)
    assert power.loc[permanent, "banzhaf"].tolist() == pytest.approx([848 / 5080] * 5)
    assert power.loc[elected, "banzhaf"].tolist() == pytest.approx([84 / 5080] * 10)
    assert power.loc[permanent, "is_veto_player"].all()
    assert not power.loc[elected, "is_veto_player"].any()


def test_sixty_seat_board_is_exact_and_fast_enough():
    """60 players with one veto: the indices still sum to 1 and symmetric players agree."""
    seats = {f"s{k}": 1 for k in range(59)} | {"partner": 3}
    power = voting_power(seats, quota=32, vetoes=["partner"])
    assert power["banzhaf"].sum() == pytest.approx(1)
    assert power["shapley_shubik"].sum() == pytest.approx(1)
    assert power.loc["s0", "banzhaf"] == pytest.approx(power.loc["s58", "banzhaf"])
    # Shapley-Shubik of a veto holder on a 1-vote-per-seat board with 62 votes, quota 32:
    # pivotal when it comes after at least 29 of the 59 others: (59 - 29 + 1) / 60.
    assert power.loc["partner", "shapley_shubik"] == pytest.approx(31 / 60)


def test_veto_holder_without_a_seat_joins_the_game():
    power = voting_power({"a": 1, "b": 1, "c": 1}, quota=2, vetoes=["payer"])
    assert power.loc["payer", "is_veto_player"]
    assert power.loc["payer", "shapley_shubik"] > 0
    assert list(power.index) == ["a", "b", "c", "payer"]


@pytest.mark.parametrize("weights, quota, message", [
    ({}, 1, "non-empty"),
    ({"a": 1.5}, 1, "whole number"),
    ({"a": -1}, 1, "negative"),
    ({"a": 1}, 0, "at least 1"),
    ({"a": 1, "b": 1}, 3, "exceeds"),
    ({"a": 1}, 1.0, "quota must be a whole number"),
    ({f"p{k}": 1 for k in range(61)}, 31, "at most 60"),
])
def test_bad_games_are_refused_with_a_reason(weights, quota, message):
    with pytest.raises(ValueError, match=message):
        voting_power(weights, quota)


games = st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=7).flatmap(
    lambda ws: st.tuples(
        st.just({f"p{k}": w for k, w in enumerate(ws)}),
        st.integers(min_value=1, max_value=max(sum(ws), 1)),
        st.lists(st.sampled_from([f"p{k}" for k in range(len(ws))]), max_size=2, unique=True),
    )).filter(lambda g: g[1] <= sum(g[0].values()))


@settings(max_examples=150, deadline=None)
@given(games)
def test_agrees_with_brute_force_on_random_small_games(game):
    weights, quota, vetoes = game
    expected = brute_force(weights, quota, vetoes)
    power = voting_power(weights, quota, vetoes)
    for player, (banzhaf, raw, shapley, veto) in expected.items():
        row = power.loc[player]
        if np.isnan(banzhaf):
            assert np.isnan(row["banzhaf"])
        else:
            assert row["banzhaf"] == pytest.approx(banzhaf)
        assert row["banzhaf_raw"] == pytest.approx(raw)
        assert row["shapley_shubik"] == pytest.approx(shapley)
        assert bool(row["is_veto_player"]) == veto
    assert power["shapley_shubik"].sum() == pytest.approx(1)
