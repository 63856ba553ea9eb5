"""Exact voting power on a board: Banzhaf and Shapley-Shubik indices, and veto players.

A board is a weighted voting game ``[q; w_1, ..., w_n]``: a coalition wins when its votes
reach the quota ``q``. A reserved-power veto (a contract or the articles let one party block
any decision) is not a bundle of extra seats: the decision passes when the weighted rule is
met **and** every veto holder agrees. This module counts swings and pivots in that composite
game exactly, with generating functions over integer weights (pseudo-polynomial in the total
weight ``W``), never by listing the ``2^n`` coalitions:

- Banzhaf: player ``i`` swings in coalition ``S`` (``i`` in ``S``) when ``S`` wins and
  ``S - {i}`` loses; ``banzhaf_raw = swings / 2^(n-1)`` and ``banzhaf = swings / sum of
  swings``;
- Shapley-Shubik: the share of the ``n!`` voting orders in which ``i`` turns a losing
  coalition into a winning one.

Let ``V`` be the veto holders and ``R`` the other players. Every winning coalition is
``V | T`` with ``T`` a subset of ``R`` and ``w(V) + w(T) >= q``. A veto holder swings in each
winning coalition; a player of ``R`` swings when ``q - w(V) - w_i <= w(T - {i}) < q - w(V)``.
So everything follows from ``P(x, y) = prod_{j in R} (1 + y x^{w_j})``, the number of subsets
of ``R`` by total weight (power of ``x``) and size (power of ``y``); a player's own factor is
divided out of the product in ``O(n W)``. The total cost is ``O(n^2 W)``; a 60-seat board
takes milliseconds.

Examples
--------
The notes' worked example: a partner with 2 of 8 seats on a simple-majority board, then with
a reserved veto.

>>> seats = {"partner": 2, **{f"member-{k}": 1 for k in range(1, 7)}}
>>> power = voting_power(seats, quota=5)
>>> power.loc["partner", ["banzhaf", "shapley_shubik"]].astype(float).round(3).tolist()
[0.28, 0.286]
>>> power = voting_power(seats, quota=5, vetoes=["partner"])
>>> power.loc["partner", ["banzhaf", "shapley_shubik"]].astype(float).round(3).tolist()
[0.412, 0.571]
"""

from __future__ import annotations

from fractions import Fraction
from math import comb
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from kg.analysis.schema import Column, TableSpec

__all__ = ["voting_power", "is_veto_player", "board_power", "MAX_PLAYERS", "BOARD_POWER",
           "BOARD_MAJORITY", "NON_PARTICIPANT_VOTES_MAX", "PARTICIPANT_CONTROL"]

#: Boards larger than this are refused: the subset counts would overflow 64-bit integers.
MAX_PLAYERS = 60
#: A majority of a board: more than this share of its votes.
BOARD_MAJORITY = 0.5
#: The rule that ACO participants hold at least 75% control of the ACO's governing body.
PARTICIPANT_CONTROL = "42 CFR 425.106"
#: So a partner that is not an ACO participant holds at most this share of the board's
#: votes (:data:`PARTICIPANT_CONTROL`); more is a sign of control beyond the rule.
NON_PARTICIPANT_VOTES_MAX = 0.25

COLUMNS = ["banzhaf", "banzhaf_raw", "shapley_shubik", "is_veto_player"]


def _check(weights: Mapping, quota, vetoes: Iterable) -> tuple[list, dict[object, int], set]:
    if not isinstance(weights, Mapping) or not weights:
        raise ValueError("weights must be a non-empty mapping of player to integer votes")
    clean: dict[object, int] = {}
    for player, weight in weights.items():
        if isinstance(weight, bool) or not isinstance(weight, (int, np.integer)):
            raise ValueError(f"votes of {player!r} must be a whole number, not {weight!r}")
        if weight < 0:
            raise ValueError(f"votes of {player!r} must not be negative (got {weight})")
        clean[player] = int(weight)
    vetoes = list(vetoes)
    for holder in vetoes:
        # A veto holder without a seat is still a player: its consent is needed.
        clean.setdefault(holder, 0)
    if len(clean) > MAX_PLAYERS:
        raise ValueError(f"{len(clean)} players: exact indices are computed for at most "
                         f"{MAX_PLAYERS}")
    if isinstance(quota, bool) or not isinstance(quota, (int, np.integer)):
        raise ValueError(f"quota must be a whole number of votes, not {quota!r}")
    total = sum(clean.values())
    if quota < 1:
        raise ValueError(f"quota must be at least 1 vote (got {quota})")
    if quota > total:
        raise ValueError(f"quota {quota} exceeds the {total} votes on the board: "
                         "no decision could ever pass")
    return list(clean), clean, set(vetoes)


def _subset_counts(weights: list[int], total: int) -> np.ndarray:
    """``counts[s, k]``: number of subsets of `weights` with `s` members and weight `k`."""
    counts = np.zeros((len(weights) + 1, total + 1), dtype=np.int64)
    counts[0, 0] = 1
    for w in weights:
        # multiply by (1 + y x^w): walk sizes downwards so each player is used once
        for size in range(len(weights), 0, -1):
            counts[size, w:] += counts[size - 1, : total + 1 - w]
    return counts


def _divide_out(counts: np.ndarray, w: int) -> np.ndarray:
    """Divide the bivariate polynomial `counts` by ``1 + y x^w`` (exactly, in integers)."""
    quotient = np.zeros_like(counts)
    quotient[0] = counts[0]
    width = counts.shape[1]
    for size in range(1, counts.shape[0]):
        quotient[size] = counts[size]
        quotient[size, w:] -= quotient[size - 1, : width - w]
    return quotient


def _shapley_weight(preceding: int, n: int) -> Fraction:
    """Share of the n! orders in which a given set of `preceding` players comes first."""
    return Fraction(1, n * comb(n - 1, preceding))


def is_veto_player(weights: Mapping, quota: int, vetoes: Iterable = ()) -> pd.Series:
    """Whether each player belongs to every winning coalition.

    A reserved veto makes its holder a veto player; so does a weighted rule under which
    the others together cannot reach the quota (``sum(w) - w_i < q``).

    >>> is_veto_player({"a": 2, "b": 3, "c": 3}, quota=6).tolist()
    [False, True, True]
    """
    players, clean, veto_set = _check(weights, quota, vetoes)
    total = sum(clean.values())
    return pd.Series([p in veto_set or total - clean[p] < quota for p in players],
                     index=pd.Index(players, name="player"), name="is_veto_player")


def voting_power(weights: Mapping, quota: int, vetoes: Iterable = ()) -> pd.DataFrame:
    """Exact Banzhaf and Shapley-Shubik indices of a weighted board with reserved vetoes.

    Parameters
    ----------
    weights : mapping of player to int
        Votes of each player (a player holding several seats votes them as a block).
    quota : int
        Votes needed for a decision to pass (at least 1, at most the total).
    vetoes : iterable of players, optional
        Holders of a reserved-power veto: a decision also needs each of them to agree.
        A holder missing from `weights` joins the game with 0 votes.

    Returns
    -------
    pandas.DataFrame
        Indexed by player, in the order given: ``banzhaf`` (normalized, sums to 1),
        ``banzhaf_raw`` (swings / 2^(n-1)), ``shapley_shubik`` (sums to 1) and
        ``is_veto_player`` (kept apart from the indices: a veto player's normalized
        Banzhaf index can be small).

    Raises
    ------
    ValueError
        On votes that are not non-negative whole numbers, a quota outside 1..total, or
        more than :data:`MAX_PLAYERS` players.

    Examples
    --------
    A 7-of-8 supermajority makes the 2-seat partner a veto player, yet its Banzhaf index
    falls below its index under simple majority:

    >>> seats = {"partner": 2, **{f"m{k}": 1 for k in range(6)}}
    >>> power = voting_power(seats, quota=7)
    >>> float(round(power.loc["partner", "banzhaf"], 3)), bool(power.loc["partner", "is_veto_player"])
    (0.189, True)
    """
    players, clean, veto_set = _check(weights, quota, vetoes)
    indices = _indices(players, clean, quota, veto_set)
    frame = pd.DataFrame({column: [indices[p][column] for p in players] for column in COLUMNS},
                         index=pd.Index(players, name="player"))
    return frame[COLUMNS]


def _indices(players: list, clean: dict[object, int], quota: int,
             veto_set: set) -> dict[object, dict[str, object]]:
    """The columns of :func:`voting_power` for each player, as plain Python values."""
    n = len(players)
    others = [p for p in players if p not in veto_set]
    veto_weight = sum(clean[p] for p in veto_set)
    need = quota - veto_weight  # weight the non-veto players must add
    total_r = sum(clean[p] for p in others)
    counts = _subset_counts([clean[p] for p in others], total_r)

    swings: dict[object, int] = {}
    shapley: dict[object, Fraction] = {}
    lo_win = max(need, 0)
    for player in players:
        if player in veto_set:
            # Swings in every winning coalition; pivotal whenever the others present have
            # reached the weighted quota and the remaining veto holders are already in.
            winning_by_size = counts[:, lo_win:].sum(axis=1)
            swings[player] = int(winning_by_size.sum())
            shapley[player] = sum((int(c) * _shapley_weight(len(veto_set) - 1 + size, n)
                                   for size, c in enumerate(winning_by_size) if c),
                                  Fraction(0))
        else:
            w = clean[player]
            rest = _divide_out(counts, w)
            lo, hi = max(need - w, 0), need  # w(T) in [need - w, need)
            if hi <= lo:
                swings[player], shapley[player] = 0, Fraction(0)
                continue
            by_size = rest[:, lo:hi].sum(axis=1)
            swings[player] = int(by_size.sum())
            shapley[player] = sum((int(c) * _shapley_weight(len(veto_set) + size, n)
                                   for size, c in enumerate(by_size) if c), Fraction(0))

    total_swings = sum(swings.values())
    total = sum(clean.values())
    return {p: {"banzhaf": swings[p] / total_swings if total_swings else np.nan,
                "banzhaf_raw": swings[p] / 2 ** (n - 1),
                "shapley_shubik": float(shapley[p]),
                # as in is_veto_player: a reserved veto, or the others cannot reach the quota
                "is_veto_player": p in veto_set or total - clean[p] < quota}
            for p in players}


#: The ``board_power`` table that :func:`board_power` makes.
BOARD_POWER = TableSpec("board_power", "one player on one board", (
    Column("board_id", "string", "board id"),
    Column("board", "string", "board name"),
    Column("aco_id", "string", "the board's ACO"),
    Column("player", "string", "holder id or other-seat-k"),
    Column("holder_id", "string", "organization id (empty for unrecorded seats)"),
    Column("seats", "integer", "voting seats"),
    Column("votes", "integer", "votes"),
    Column("board_votes", "integer", "votes on the board (empty: unknown)"),
    Column("quota", "integer", "votes needed (empty: unknown)"),
    Column("banzhaf", "number", "normalized Banzhaf index"),
    Column("banzhaf_raw", "number", "swings / 2^(n-1)"),
    Column("shapley_shubik", "number", "Shapley-Shubik index"),
    Column("is_veto_player", "boolean", "in every winning coalition"),
    Column("reserved_veto", "boolean", "holds a reserved veto over all decisions"),
    Column("status", "string", "computed or unknown"),
    Column("reason", "string", "rule used, or what is missing"),
    Column("citation", "string", "sources of the seats"),
    Column("locator", "string", "where in them"),
))


def _present(value) -> bool:
    return value is not None and not pd.isna(value)


def _quota(board, total_votes: int) -> tuple[int | None, str]:
    if _present(board.get("quota_votes")):
        return int(board["quota_votes"]), f"quota of {int(board['quota_votes'])} votes"
    rule = board.get("decision_rule")
    if rule == "simple-majority":
        return total_votes // 2 + 1, f"simple majority ({total_votes // 2 + 1} of {total_votes})"
    if rule == "unanimity":
        return total_votes, f"unanimity ({total_votes} of {total_votes})"
    if _present(rule):
        return None, f"decision rule '{rule}' without a quota"
    return None, "neither the decision rule nor the quota is reported"


def board_power(boards: pd.DataFrame, seats: pd.DataFrame, powers: pd.DataFrame) -> pd.DataFrame:
    """Voting power of every known seat holder on every board, or why it is unknown.

    Parameters
    ----------
    boards : DataFrame
        ``board_id``, ``aco_id``, ``name``, ``decision_rule``, ``quota_votes``,
        ``total_seats``.
    seats : DataFrame
        ``board_id``, ``holder_id``, ``voting``, ``votes``, ``citation``, ``locator``: a
        voting seat whose votes are not reported carries one vote. Every seat's source
        (voting or not) is cited on its board's rows.
    powers : DataFrame
        ``board_id``, ``holder_id``, ``power_kind``, ``matter``: a veto over all board
        decisions enters the game as "weighted rule AND holder agrees"; a veto over some
        matters only is reported but not modelled.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BOARD_POWER`, one row per player. Seats beyond those recorded
        (``total_seats`` minus recorded seats) are separate one-vote players
        (``other-seat-k``). When the board's size or quota is unknown the indices are
        missing, ``status`` is ``unknown`` and ``reason`` says what is missing; the seats
        and the veto that are known are still shown.
    """
    rows = []
    # each board's voting seats and vetoes, in table order (one pass, not one filter a board)
    voting_seats: dict = {}
    for seat in seats[seats["voting"].fillna(True).astype(bool)].to_dict("records"):
        voting_seats.setdefault(seat["board_id"], []).append(seat)
    vetoes: dict = {}
    for power in powers[powers["power_kind"] == "veto"].to_dict("records"):
        vetoes.setdefault(power["board_id"], []).append(power)
    # each board's seat citations and locators, each listed once, in table order
    cited: dict = {}
    for board_id, citation, locator in zip(seats["board_id"], seats["citation"],
                                           seats["locator"]):
        if _present(board_id):
            found = cited.setdefault(board_id, ({}, {}))
            if _present(citation):
                found[0][citation] = None
            if _present(locator):
                found[1][locator] = None
    for board in boards.to_dict("records"):
        board_id = board["board_id"]
        citations, locators = cited.get(board_id, ({}, {}))
        voting = voting_seats.get(board_id, [])
        vetoes_all = vetoes.get(board_id, [])
        over_all = [v for v in vetoes_all
                    if isinstance(v["matter"], str) and v["matter"] == "all-board-decisions"]
        full_veto = sorted({v["holder_id"] for v in over_all})
        partial = sorted({v["holder_id"] for v in vetoes_all} - set(full_veto))
        weights: dict[str, int] = {}
        seat_count: dict[str, int] = {}
        for seat in voting:
            holder = seat["holder_id"]
            weights[holder] = weights.get(holder, 0) + (int(seat["votes"])
                                                        if _present(seat["votes"]) else 1)
            seat_count[holder] = seat_count.get(holder, 0) + 1
        recorded = len(voting)
        total_seats = board.get("total_seats")
        reason = ""
        status = "computed"
        if not _present(total_seats):
            status, reason = "unknown", ("the board's size is not reported, so the other "
                                         "members' votes are unknown")
        elif recorded > int(total_seats):
            status, reason = "unknown", (f"{recorded} voting seats are recorded on a board of "
                                         f"{int(total_seats)}")
        else:
            for k in range(1, int(total_seats) - recorded + 1):
                weights[f"other-seat-{k}"] = 1
                seat_count[f"other-seat-{k}"] = 1
        total_votes = sum(weights.values())
        quota, quota_text = _quota(board, total_votes) if status == "computed" else (None, "")
        if status == "computed" and quota is None:
            status, reason = "unknown", quota_text
        if partial:
            reason = (reason + "; " if reason else "") + (
                "a veto over some matters only is not modelled: " + ", ".join(partial))
        table = None
        if status == "computed":
            try:
                players, clean, veto_set = _check(weights, quota, full_veto)
                table = _indices(players, clean, quota, veto_set)
                reason = (reason + "; " if reason else "") + quota_text + (
                    ", and the consent of " + ", ".join(full_veto) if full_veto else "")
            except ValueError as error:
                status, reason = "unknown", str(error)
        players = list(table) if table is not None else list(
            dict.fromkeys(list(weights) + full_veto))
        cells = table or {}
        for player in players:
            other = str(player).startswith("other-seat-")
            rows.append({
                "board_id": board_id, "board": board.get("name"), "aco_id": board.get("aco_id"),
                "player": player,
                "holder_id": None if other else player, "seats": seat_count.get(player, 0),
                "votes": weights.get(player, 0), "board_votes": total_votes if table is not None
                else None, "quota": quota,
                "banzhaf": cells[player]["banzhaf"] if table is not None else None,
                "banzhaf_raw": cells[player]["banzhaf_raw"] if table is not None else None,
                "shapley_shubik": (cells[player]["shapley_shubik"] if table is not None
                                   else None),
                "is_veto_player": (bool(cells[player]["is_veto_player"]) if table is not None
                                   else (True if player in full_veto else None)),
                "reserved_veto": player in full_veto, "status": status, "reason": reason,
                "citation": " | ".join(citations) if citations else None,
                "locator": " | ".join(locators) if locators else None,
            })
    return BOARD_POWER.from_records(rows)
