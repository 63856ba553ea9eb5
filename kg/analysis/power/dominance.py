"""Dominance: every partner with each component of its power, each flag with its reason,
and early-warning indicators of alliance trouble with their citations.

Each measure gives its own :class:`Evidence` about the partners, from only the tables it
reads: its columns of the ranking, its flags, and the citations behind them.

- :func:`governance_evidence`: seats, votes, vetoes and voting-power indices on boards;
  flags ``veto``, ``board-majority``, ``over-25pct-of-votes``;
- :func:`money_evidence`: shares of savings and the money captured; flag
  ``majority-capture``;
- :func:`dependency_evidence`: dependency on the partner's services; flag
  ``sole-sourcing-with-risk``;
- :func:`market_evidence`: the largest market share of the partner's firm; flag
  ``market-share``;
- :func:`network_evidence`: PageRank, Bonacich power and brokerage on the control graph.

:func:`rank_partners` puts them together. Flags have ``status`` ``raised`` or ``unknown``
(a flag that is clearly not met is not listed); :data:`FLAG_RULES` says when each is raised
and on what authority, from thresholds defined once, by the module that owns the measure
(:mod:`~kg.analysis.power.voting`, :mod:`~kg.analysis.power.money`,
:mod:`~kg.analysis.power.dependency`, :mod:`~kg.analysis.power.concentration`).
:func:`thresholds_markdown` writes them for the README.

The ranking orders partners by flags raised, then vetoes, then the largest Shapley-Shubik
index, then the upper bound of the capture rate, then dependency: it is an ordering of
evidence, not a composite score. Early-warning indicators (Murray, D'Aunno & Lewis 2018) are
shown as indicators, each with the citation of the facts behind it, never as predictions.

Examples
--------
>>> sorted(INDICATORS)
['capture-while-withdrawing', 'mission-mismatch', 'no-prior-relationship', 'tensions-left-to-fester']
>>> FLAG_RULES["board-majority"].threshold
"more than 50% of the board's votes"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import pandas as pd

from kg.analysis.power.concentration import MG2023_CHANGE, MG2023_SHARE_PCT
from kg.analysis.power.dependency import DEPENDENCY_SOURCE, SOLE_SOURCING
from kg.analysis.power.money import MAJORITY_SHARE_PCT, MAJORITY_SOURCE
from kg.analysis.power.voting import BOARD_MAJORITY, NON_PARTICIPANT_VOTES_MAX, PARTICIPANT_CONTROL
from kg.analysis.schema import Column, TableSpec

__all__ = ["INDICATORS", "FlagRule", "FLAG_RULES", "FLAG_THRESHOLDS", "MIN_MARKET_ACOS",
           "Evidence", "governance_evidence", "money_evidence", "dependency_evidence",
           "market_evidence", "network_evidence", "rank_partners", "early_warnings",
           "thresholds_markdown", "PARTNERS", "FLAGS", "WARNINGS"]

_MURRAY = ("Murray GF, D'Aunno T, Lewis VA. Trust, Money, and Power: Life Cycle Dynamics in "
           "Alliances Between Management Partners and Accountable Care Organizations. "
           "The Milbank Quarterly. 2018;96(4):755-781")

#: indicator -> (what it means, the literature it rests on, with locator)
INDICATORS: dict[str, tuple[str, str]] = {
    "capture-while-withdrawing": (
        "high savings capture while promised resources are withdrawn or not delivered",
        f"{_MURRAY}, Results > Collaborative ACO Analysis; Conclusion"),
    "mission-mismatch": (
        "for-profit partner of a nonprofit or safety-net ACO, or a reported mission mismatch",
        f"{_MURRAY}, Results > Collaborative ACO Analysis"),
    "no-prior-relationship": (
        "the parties had no prior working relationship",
        f"{_MURRAY}, Results > Collaborative ACO Analysis; Results > Access ACO > "
        "Partnership Formation"),
    "tensions-left-to-fester": (
        "tensions left to fester rather than surfaced and resolved",
        f"{_MURRAY}, Conclusion"),
}


@dataclass(frozen=True)
class FlagRule:
    """When a flag is raised, in words, on what authority, and when it is undecided."""

    rule: str
    source: str = ""
    note: str = ""

    @property
    def threshold(self) -> str:
        """The rule and its source, as the ``threshold`` column of the flags table says it."""
        return f"{self.rule} ({self.source})" if self.source else self.rule


#: Markets with fewer ACOs in the graph are shown but not flagged: the graph is no census of
#: them (the project's choice; ``min_market_acos`` of :func:`market_evidence`).
MIN_MARKET_ACOS = 10

#: flag -> its rule, built from the thresholds of the measures' own modules.
FLAG_RULES: dict[str, FlagRule] = {
    "veto": FlagRule("reserved veto over all board decisions, or weighted veto (sum of "
                     "others' votes below the quota)"),
    "board-majority": FlagRule(f"more than {BOARD_MAJORITY:.0%} of the board's votes"),
    "over-25pct-of-votes": FlagRule(
        f"more than {NON_PARTICIPANT_VOTES_MAX:.0%} of the board's votes",
        f"participants must hold at least {1 - NON_PARTICIPANT_VOTES_MAX:.0%} control, "
        f"{PARTICIPANT_CONTROL}",
        note="unknown when the board's size is not reported"),
    "majority-capture": FlagRule(
        f"more than {MAJORITY_SHARE_PCT}% of the ACO's earned savings", MAJORITY_SOURCE,
        note="unknown when the share is given only in words or without an upper bound"),
    "sole-sourcing-with-risk": FlagRule(
        f"all critical services from the partner (D = {SOLE_SOURCING:g}) and risk sharing",
        DEPENDENCY_SOURCE),
    "market-share": FlagRule(
        f"share above {MG2023_SHARE_PCT}% with a change in HHI above {MG2023_CHANGE}",
        "2023 Merger Guidelines, Guideline 1",
        note=f"only in markets with at least {MIN_MARKET_ACOS} ACOs in the graph (the "
             "default minimum)"),
}
#: flag -> the ``threshold`` text of the flags table.
FLAG_THRESHOLDS: dict[str, str] = {name: rule.threshold for name, rule in FLAG_RULES.items()}

#: The ``partners`` table (the ranking) that :func:`rank_partners` makes.
PARTNERS = TableSpec("partners", "one management partner, ranked", (
    Column("rank", "integer",
           "1 = most evidence of dominance (flags, vetoes, indices, capture, dependency)"),
    Column("partner_id", "string", "organization id"),
    Column("partner", "string", "name"),
    Column("profit_status", "string", "for-profit / nonprofit, or empty"),
    Column("firm_id", "string", "the firm for concentration: the partner's top parent"),
    Column("acos", "integer", "ACOs it is management partner of"),
    Column("boards_with_seats", "integer", "boards where it holds a seat"),
    Column("voting_seats", "integer", "voting seats it holds"),
    Column("boards_with_veto", "integer", "boards where it is a veto player"),
    Column("max_banzhaf", "number", "largest normalized Banzhaf index (empty: not computable)"),
    Column("max_shapley_shubik", "number",
           "largest Shapley-Shubik index (empty: not computable)"),
    Column("governance", "string", "per board: votes, veto, indices or why unknown"),
    Column("savings_share", "string", "its share of each ACO's savings, in words and figures"),
    Column("majority_capture_acos", "integer",
           "ACOs where it takes more than half the savings"),
    Column("capture_rate_max", "number", "largest upper bound of the capture rate (0-1)"),
    Column("captured_usd_min", "number",
           "lower bound of dollars captured, all years (empty: unknown)"),
    Column("captured_usd_max", "number",
           "upper bound of dollars captured, all years (empty: unknown)"),
    Column("public_share_min", "number",
           "lower bound of the share of captured money that is public (0-1)"),
    Column("max_dependency", "number",
           "largest share of critical services an ACO sources from it (0-1)"),
    Column("sole_sourcing_with_risk", "boolean",
           "sole source of every critical service while sharing risk"),
    Column("max_market_share_pct", "number",
           "largest share of its firm in any market (percent)"),
    Column("pagerank", "number", "PageRank on the control graph (read upwards)"),
    Column("bonacich_positive", "number", "Bonacich power, beta > 0"),
    Column("bonacich_negative", "number", "Bonacich power, beta < 0"),
    Column("betweenness", "number", "normalized betweenness on the control graph"),
    Column("flags_raised", "integer", "dominance flags raised"),
    Column("flags_unknown", "integer", "flags that cannot be decided from the data"),
    Column("warnings_present", "integer", "early-warning indicators present"),
    Column("citations", "string", "sources and locators of its components"),
))
#: The ``flags`` table that :func:`rank_partners` makes.
FLAGS = TableSpec("flags", "one dominance flag of a partner", (
    Column("partner_id", "string", "organization id"),
    Column("flag", "string", ", ".join(FLAG_RULES)),
    Column("status", "string", "raised or unknown"),
    Column("count", "integer", "boards, ACOs or markets"),
    Column("value", "string", "the measured value"),
    Column("threshold", "string", "the rule and its source"),
    Column("reason", "string", "the reason in words"),
    Column("citation", "string", "sources"),
    Column("locator", "string", "where in the sources"),
))
#: The ``warnings`` table that :func:`early_warnings` makes.
WARNINGS = TableSpec("warnings", "one early-warning indicator of one alliance", (
    Column("partner_id", "string", "organization id"),
    Column("aco_id", "string", "organization id"),
    Column("alliance_id", "string", "alliance id"),
    Column("indicator", "string", ", ".join(INDICATORS)),
    Column("present", "string", "yes, no or unknown"),
    Column("reason", "string", "in words"),
    Column("citation", "string", "sources of the facts"),
    Column("locator", "string", "where in them"),
    Column("basis", "string", "the literature the indicator rests on"),
))


def _cite(frame: pd.DataFrame) -> tuple[str, str]:
    if frame is None or frame.empty:
        return "", ""
    cites = list(dict.fromkeys(frame["citation"].dropna()))
    locators = list(dict.fromkeys(frame["locator"].dropna()))
    return " | ".join(cites), " | ".join(locators)


def _cite_records(*parts: tuple[list[dict], str, str]) -> tuple[str, str]:
    """:func:`_cite` of several lists of records stacked, each given with the names of its
    citation and locator fields (the same text, without building a table)."""
    cites = dict.fromkeys(r[c] for records, c, _ in parts for r in records if not pd.isna(r[c]))
    locators = dict.fromkeys(r[x] for records, _, x in parts for r in records
                             if not pd.isna(r[x]))
    return " | ".join(cites), " | ".join(locators)


def _records_by(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, list[dict]]:
    """The rows of `frame` as records (with their ``_position`` in the table), grouped by
    the tuple of their values in `keys`; rows with a missing key are in no group."""
    groups: dict[tuple, list[dict]] = {}
    for position, record in enumerate(frame.to_dict("records")):
        key = tuple(record[k] for k in keys)
        if any(pd.isna(k) for k in key):
            continue
        record["_position"] = position
        groups.setdefault(key, []).append(record)
    return groups


def _is(value, *words: str) -> bool:
    """Whether a cell is one of `words` (a missing cell is none of them)."""
    return isinstance(value, str) and value in words


def _number(value) -> float:
    """A cell as a number, NaN when missing or not numeric (as pd.to_numeric coerces)."""
    if value is None or pd.isna(value):
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def early_warnings(alliances: pd.DataFrame, organizations: pd.DataFrame,
                   captured: pd.DataFrame, services: pd.DataFrame,
                   tensions: pd.DataFrame) -> pd.DataFrame:
    """The four early-warning indicators for every ACO-partner alliance.

    Parameters
    ----------
    alliances : DataFrame
        ``alliance_id``, ``aco_id``, ``partner_id``, ``prior_relationship``, ``citation``,
        ``locator`` (of the alliance).
    organizations : DataFrame
        ``org_id``, ``name``, ``kind``, ``profit_status``, ``citation``, ``locator``.
    captured : DataFrame
        :func:`kg.analysis.power.money.savings_captured` rows with ``share_level``, ``majority``,
        ``capture_rate_min``, ``share_source`` (citation) and ``share_locator``.
    services : DataFrame
        ``alliance_id``, ``provider_id``, ``service_type``, ``promised``, ``delivery``,
        ``citation``, ``locator``.
    tensions : DataFrame
        ``alliance_id``, ``tension_type``, ``handling``, ``citation``, ``locator``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WARNINGS`; ``present`` is ``yes``, ``no`` or ``unknown``.
    """
    # every table as records, grouped once by what the indicators look up (a filter of the
    # whole table per alliance is what made this slow); records keep the table order
    captured_of = _records_by(captured, ["partner_id", "aco_id"])
    services_of = _records_by(services, ["alliance_id", "provider_id"])
    tensions_of = _records_by(tensions, ["alliance_id"])
    orgs_of = _records_by(organizations, ["org_id"])
    rows = []
    for alliance in alliances.to_dict("records"):
        a_id, aco, partner = alliance["alliance_id"], alliance["aco_id"], alliance["partner_id"]
        base = {"partner_id": partner, "aco_id": aco, "alliance_id": a_id}

        def add(indicator, present, reason, citation="", locator=""):
            rows.append({**base, "indicator": indicator, "present": present, "reason": reason,
                         "citation": citation, "locator": locator,
                         "basis": INDICATORS[indicator][1]})

        # 1. high capture while promised resources are withdrawn
        mine = captured_of.get((partner, aco), [])
        high = [r for r in mine if _is(r["share_level"], "significant", "majority")
                or _is(r["majority"], "yes")
                or _number(r["capture_rate_min"]) > MAJORITY_SHARE_PCT / 100]
        served = services_of.get((a_id, partner), [])
        withdrawn = [r for r in served if _is(r["delivery"], "withdrawn", "not-delivered")]
        if high and withdrawn:
            level = [r["share_level"] for r in high if not pd.isna(r["share_level"])]
            what = (f"takes a {level[0]} share of savings" if level
                    else "takes a majority of savings")
            add("capture-while-withdrawing", "yes",
                f"{what} while {len(withdrawn)} promised service(s) were withdrawn or not "
                f"delivered ({', '.join(sorted({r['service_type'] for r in withdrawn}))})",
                *_cite_records((high, "share_citation", "share_locator"),
                               (withdrawn, "citation", "locator")))
        elif not mine and withdrawn:
            add("capture-while-withdrawing", "unknown",
                "resources were withdrawn; the partner's share of savings is not recorded",
                *_cite_records((withdrawn, "citation", "locator")))
        else:
            add("capture-while-withdrawing", "no",
                "no high savings share together with withdrawn resources is recorded",
                *_cite_records((mine, "share_citation", "share_locator"),
                               (served, "citation", "locator")))

        # 2. mission mismatch
        partner_rows, aco_rows = orgs_of.get((partner,), []), orgs_of.get((aco,), [])
        p_status = partner_rows[0]["profit_status"] if partner_rows else None
        a_status = aco_rows[0]["profit_status"] if aco_rows else None
        in_alliance = tensions_of.get((a_id,), [])
        tension = [r for r in in_alliance if _is(r["tension_type"], "mission-mismatch")]
        # both organizations' rows, in the order of the organizations table
        org_rows = sorted(partner_rows + (aco_rows if aco != partner else []),
                          key=lambda r: r["_position"])
        if tension or (p_status == "for-profit" and a_status == "nonprofit"):
            parts = []
            if p_status == "for-profit" and a_status == "nonprofit":
                parts.append("for-profit partner of a nonprofit ACO")
            if tension:
                parts.append("a mission-mismatch tension is reported")
            add("mission-mismatch", "yes", "; ".join(parts),
                *_cite_records((org_rows, "citation", "locator"),
                               (tension, "citation", "locator")))
        elif pd.isna(p_status) or pd.isna(a_status):
            add("mission-mismatch", "unknown",
                "the profit status of the partner or the ACO is not recorded",
                *_cite_records((org_rows, "citation", "locator")))
        else:
            add("mission-mismatch", "no", f"{p_status} partner, {a_status} ACO",
                *_cite_records((org_rows, "citation", "locator")))

        # 3. no prior relationship
        prior = alliance.get("prior_relationship")
        cite = (alliance.get("citation", ""), alliance.get("locator", ""))
        if prior is None or pd.isna(prior):
            add("no-prior-relationship", "unknown", "prior relationship not recorded", *cite)
        elif not prior:
            add("no-prior-relationship", "yes", "the parties had no prior working relationship",
                *cite)
        else:
            add("no-prior-relationship", "no", "the parties had worked together before", *cite)

        # 4. tensions left to fester
        festering = [r for r in in_alliance if _is(r["handling"], "left-to-fester")]
        if festering:
            add("tensions-left-to-fester", "yes",
                f"{len(festering)} tension(s) left to fester: "
                + ", ".join(sorted({r["tension_type"] for r in festering})),
                *_cite_records((festering, "citation", "locator")))
        elif in_alliance and all(pd.isna(r["handling"]) for r in in_alliance):
            add("tensions-left-to-fester", "unknown",
                "tensions are recorded but not how they were handled",
                *_cite_records((in_alliance, "citation", "locator")))
        else:
            add("tensions-left-to-fester", "no",
                "no tension recorded as left to fester" if in_alliance
                else "no tension recorded",
                *_cite_records((in_alliance, "citation", "locator")))
    return WARNINGS.from_records(rows)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _present(value) -> bool:
    return value is not None and not (not isinstance(value, str) and pd.isna(value)) \
        and value != ""


def _flag(partner_id, name: str, status: str, count: int, value: str, reason: str,
          evidence: pd.DataFrame | None = None) -> dict:
    """A row of the flags table; `evidence` (``citation``, ``locator``) is cited."""
    citation, locator = _cite(evidence)
    return {"partner_id": partner_id, "flag": name, "status": status, "count": count,
            "value": value, "threshold": FLAG_THRESHOLDS[name], "reason": reason,
            "citation": citation, "locator": locator}


@dataclass(frozen=True)
class Evidence:
    """What one measure says about each partner.

    Attributes
    ----------
    columns : dict
        partner id -> its columns of the ranking (:data:`PARTNERS`) from this measure.
    flags : dict
        partner id -> its rows of the flags table (:data:`FLAGS`), in order.
    citations : dict
        partner id -> the (citation, locator) pairs behind its columns, in order.
    """

    columns: dict[str, dict] = field(default_factory=dict)
    flags: dict[str, list[dict]] = field(default_factory=dict)
    citations: dict[str, list[tuple]] = field(default_factory=dict)


def governance_evidence(partner_ids: Iterable[str], voting: pd.DataFrame, seats: pd.DataFrame,
                        powers: pd.DataFrame) -> Evidence:
    """Seats, votes, vetoes and indices of each partner on the boards, with their flags.

    Parameters
    ----------
    partner_ids : iterable of str
    voting : DataFrame
        :func:`kg.analysis.power.voting.board_power`.
    seats, powers : DataFrame
        Board seats and reserved powers with ``board_id``, ``holder_id``, ``citation`` and
        ``locator`` (and ``power_kind`` for powers).

    Returns
    -------
    Evidence
        Columns ``boards_with_seats`` to ``governance``; flags ``veto`` (a veto player on a
        board), ``board-majority`` (votes above :data:`~kg.analysis.power.voting.BOARD_MAJORITY`)
        and ``over-25pct-of-votes`` (above
        :data:`~kg.analysis.power.voting.NON_PARTICIPANT_VOTES_MAX`; ``unknown`` on a board
        whose indices are unknown); citations of its seats and powers.
    """
    out = Evidence()
    for pid in dict.fromkeys(partner_ids):
        flags = out.flags.setdefault(pid, [])
        mine = voting[voting["holder_id"] == pid]
        my_seats = seats[seats["holder_id"] == pid]
        my_powers = powers[powers["holder_id"] == pid]
        veto_boards = mine[mine["is_veto_player"] == True]  # noqa: E712 - nullable
        if len(veto_boards):
            names = ", ".join(sorted(set(veto_boards["board"])))
            flags.append(_flag(
                pid, "veto", "raised", len(veto_boards), str(len(veto_boards)),
                f"holds a veto on {_plural(len(veto_boards), 'board')} ({names})",
                pd.concat([my_powers[my_powers["power_kind"] == "veto"],
                           my_seats[my_seats["board_id"].isin(veto_boards["board_id"])]])))
        computed = mine[mine["status"] == "computed"]
        unknown = mine[mine["status"] == "unknown"]
        share = computed["votes"] / computed["board_votes"] if len(computed) else None
        over_half = computed[share > BOARD_MAJORITY] if len(computed) else computed
        over_quarter = computed[share > NON_PARTICIPANT_VOTES_MAX] if len(computed) else computed
        for name, hits, word in (
                ("board-majority", over_half, "a majority of the votes"),
                ("over-25pct-of-votes", over_quarter,
                 f"more than {NON_PARTICIPANT_VOTES_MAX:.0%} of the votes")):
            if len(hits):
                values = ", ".join(f"{int(r.votes)} of {int(r.board_votes)} on {r.board}"
                                   for r in hits.itertuples())
                flags.append(_flag(pid, name, "raised", len(hits), values,
                                   f"holds {word} on {_plural(len(hits), 'board')} ({values})",
                                   my_seats[my_seats["board_id"].isin(hits["board_id"])]))
        if len(unknown) and len(my_seats):
            for r in unknown.itertuples():
                flags.append(_flag(pid, "over-25pct-of-votes", "unknown", 1, f"{int(r.votes)} votes",
                                   f"holds {int(r.votes)} voting seats on {r.board}; {r.reason}",
                                   my_seats[my_seats["board_id"] == r.board_id]))
        out.columns[pid] = {
            "boards_with_seats": my_seats["board_id"].nunique(),
            "voting_seats": int(mine["seats"].sum()) if len(mine) else 0,
            "boards_with_veto": len(veto_boards),
            "max_banzhaf": computed["banzhaf"].max() if len(computed) else None,
            "max_shapley_shubik": computed["shapley_shubik"].max() if len(computed) else None,
            "governance": _governance_words(mine),
        }
        out.citations[pid] = (list(zip(my_seats["citation"], my_seats["locator"]))
                              + list(zip(my_powers["citation"], my_powers["locator"])))
    return out


def money_evidence(partner_ids: Iterable[str], captured: pd.DataFrame,
                   capture_totals: pd.DataFrame) -> Evidence:
    """Each partner's shares of savings and the money it captures, with its flag.

    Parameters
    ----------
    partner_ids : iterable of str
    captured, capture_totals : DataFrame
        :func:`kg.analysis.power.money.savings_captured` (with ``aco``, the ACO's name) and
        :func:`~kg.analysis.power.money.capture_by_partner_year`.

    Returns
    -------
    Evidence
        Columns ``savings_share`` to ``public_share_min``; flag ``majority-capture`` (more
        than :data:`~kg.analysis.power.money.MAJORITY_SHARE_PCT` percent of an ACO's earned
        savings; ``unknown`` when the share cannot say); citations of the shares.
    """
    out = Evidence()
    for pid in dict.fromkeys(partner_ids):
        flags = out.flags.setdefault(pid, [])
        money = captured[captured["partner_id"] == pid]
        majority = money[money["majority"] == "yes"]
        maybe = money[money["majority"] == "unknown"]
        cited = {"share_citation": "citation", "share_locator": "locator"}
        if len(majority):
            acos = sorted(set(majority["aco"]))
            flags.append(_flag(pid, "majority-capture", "raised", len(acos), ", ".join(acos),
                               f"takes a majority of shared savings at "
                               f"{_plural(len(acos), 'ACO')} ({', '.join(acos)})",
                               majority.rename(columns=cited)))
        for aco in sorted(set(maybe["aco"]) - set(majority["aco"])):
            rows = maybe[maybe["aco"] == aco]
            level = rows["share_level"].dropna()
            flags.append(_flag(
                pid, "majority-capture", "unknown", 1, level.iloc[0] if len(level) else "",
                f"share of savings at {aco} is "
                + (f"'{level.iloc[0]}' with no figure" if len(level) else "not bounded")
                + ": whether it is a majority is unknown",
                rows.rename(columns=cited)))
        totals = capture_totals[capture_totals["partner_id"] == pid]
        out.columns[pid] = {
            "savings_share": "; ".join(f"{_describe_share(r)} at {r.aco}"
                                       for r in money.drop_duplicates(["aco_id"]).itertuples()),
            "majority_capture_acos": majority["aco_id"].nunique(),
            "capture_rate_max": pd.to_numeric(money["capture_rate_max"], errors="coerce").max()
            if len(money) and money["capture_rate_max"].notna().any() else None,
            "captured_usd_min": totals["captured_usd_min"].sum(min_count=1) if len(totals)
            else None,
            "captured_usd_max": (None if not len(totals) or totals["captured_usd_max"].isna().any()
                                 else totals["captured_usd_max"].sum()),
            "public_share_min": totals["public_share_min"].min() if len(totals) else None,
        }
        out.citations[pid] = list(zip(money["share_citation"], money["share_locator"]))
    return out


def dependency_evidence(partner_ids: Iterable[str], dependency: pd.DataFrame) -> Evidence:
    """How much the ACOs depend on each partner's services, with its flag.

    Parameters
    ----------
    partner_ids : iterable of str
    dependency : DataFrame
        :func:`kg.analysis.power.dependency.dependency` with ``aco`` (the ACO's name).

    Returns
    -------
    Evidence
        Columns ``max_dependency`` and ``sole_sourcing_with_risk``; flag
        ``sole-sourcing-with-risk``.

    Examples
    --------
    >>> table = pd.DataFrame({"partner_id": ["p", "p"], "aco": ["A", "B"],
    ...     "dependency": [1.0, 0.5], "sole_sourcing_with_risk": [True, False],
    ...     "source_ids": ["s", "s"], "locators": ["p. 1", "p. 2"]})
    >>> evidence = dependency_evidence(["p", "q"], table)
    >>> float(evidence.columns["p"]["max_dependency"]), evidence.columns["q"]["max_dependency"]
    (1.0, None)
    >>> [(f["flag"], f["reason"]) for f in evidence.flags["p"]]
    [('sole-sourcing-with-risk', 'sole source of every critical service, sharing risk, at 1 ACO (A)')]
    """
    out = Evidence()
    for pid in dict.fromkeys(partner_ids):
        dep = dependency[dependency["partner_id"] == pid]
        sole = dep[dep["sole_sourcing_with_risk"] == True]  # noqa: E712
        flags = out.flags.setdefault(pid, [])
        if len(sole):
            acos = sorted(set(sole["aco"]))
            flags.append(_flag(pid, "sole-sourcing-with-risk", "raised", len(acos), ", ".join(acos),
                               f"sole source of every critical service, sharing risk, at "
                               f"{_plural(len(acos), 'ACO')} ({', '.join(acos)})",
                               pd.DataFrame({"citation": sole["source_ids"],
                                             "locator": sole["locators"]})))
        out.columns[pid] = {"max_dependency": dep["dependency"].max() if len(dep) else None,
                            "sole_sourcing_with_risk": bool(len(sole))}
    return out


def market_evidence(partners: pd.DataFrame, shares: pd.DataFrame, markets: pd.DataFrame,
                    min_market_acos: int = MIN_MARKET_ACOS) -> Evidence:
    """The largest market share of each partner's firm, with its flag.

    Parameters
    ----------
    partners : DataFrame
        ``partner_id`` and ``firm_id`` (the partner's top parent; missing: itself).
    shares, markets : DataFrame
        :func:`kg.analysis.power.concentration.market_shares` and ``concentration``.
    min_market_acos : int
        Markets with fewer ACOs in the graph are shown but not flagged: the graph is no
        census of them.

    Returns
    -------
    Evidence
        Column ``max_market_share_pct``; flag ``market-share`` (a share above
        :data:`~kg.analysis.power.concentration.MG2023_SHARE_PCT` with a roll-up change
        above :data:`~kg.analysis.power.concentration.MG2023_CHANGE`).
    """
    out = Evidence()
    for partner in partners.to_dict("records"):
        pid = partner["partner_id"]
        if pid in out.columns:
            continue
        flags = out.flags.setdefault(pid, [])
        firm = partner.get("firm_id") or pid
        firm_shares = shares[shares["firm_id"] == firm]
        merged = firm_shares.merge(markets, on=["scope", "year", "measure", "links"],
                                   suffixes=("", "_market"))
        big = merged[(merged["share_pct"] > MG2023_SHARE_PCT)
                     & (merged["rollup_delta_hhi"] > MG2023_CHANGE)
                     & (merged["acos_market"] >= min_market_acos)]
        if len(big):
            reasons = "; ".join(f"{r.reason}, share {r.share_pct:.0f}%" for r in big.itertuples())
            flags.append(_flag(pid, "market-share", "raised", len(big),
                               f"{big['share_pct'].max():.1f}%", reasons))
        out.columns[pid] = {"max_market_share_pct": firm_shares["share_pct"].max()
                            if len(firm_shares) else None}
    return out


def network_evidence(partner_ids: Iterable[str], centrality: pd.DataFrame) -> Evidence:
    """Each partner's network power on the control graph (no flag).

    Parameters
    ----------
    partner_ids : iterable of str
    centrality : DataFrame
        :func:`kg.analysis.power.centrality.centrality_table`.
    """
    by_node = centrality.set_index("node")
    columns = ("pagerank", "bonacich_positive", "bonacich_negative", "betweenness")
    out = Evidence()
    for pid in dict.fromkeys(partner_ids):
        found = by_node.loc[pid] if pid in by_node.index else None
        out.columns[pid] = {c: None if found is None else found[c] for c in columns}
    return out


def rank_partners(partners: pd.DataFrame, evidence: Sequence[Evidence],
                  warnings: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rank the partners on the evidence of the measures and list their flags.

    Parameters
    ----------
    partners : DataFrame
        ``partner_id``, ``partner`` (name), ``profit_status``, ``firm_id``, ``acos`` (number
        of ACOs it is a management partner of).
    evidence : sequence of Evidence
        From :func:`governance_evidence`, :func:`money_evidence`,
        :func:`dependency_evidence`, :func:`market_evidence` and :func:`network_evidence`,
        in that order (the order of the ranking's columns and of each partner's flags).
    warnings : DataFrame
        :func:`early_warnings`.

    Returns
    -------
    (ranking, flags) : tuple of DataFrame
        Columns :data:`PARTNERS` and :data:`FLAGS`.
    """
    flags, ranking = [], []
    for partner in partners.to_dict("records"):
        pid = partner["partner_id"]
        mine = [f for e in evidence for f in e.flags.get(pid, [])]
        flags.extend(mine)
        row = {"partner_id": pid, "partner": partner["partner"],
               "profit_status": partner.get("profit_status"),
               "firm_id": partner.get("firm_id") or pid, "acos": partner.get("acos", 0)}
        for e in evidence:
            row.update(e.columns[pid])
        cites = [(c, where) for e in evidence for c, where in e.citations.get(pid, [])]
        row.update({
            "flags_raised": sum(f["status"] == "raised" for f in mine),
            "flags_unknown": sum(f["status"] == "unknown" for f in mine),
            "warnings_present": int((warnings[(warnings["partner_id"] == pid)]["present"]
                                     == "yes").sum()),
            "citations": " | ".join(dict.fromkeys(f"{c} [{where}]" for c, where in cites
                                                  if _present(c))),
        })
        ranking.append(row)
    frame = (pd.DataFrame.from_records(ranking) if ranking
             else pd.DataFrame(columns=[c for c in PARTNERS.names if c != "rank"]))
    if len(frame):
        order = frame.assign(
            _ss=pd.to_numeric(frame["max_shapley_shubik"], errors="coerce").fillna(-1),
            _cap=pd.to_numeric(frame["capture_rate_max"], errors="coerce").fillna(-1),
            _dep=pd.to_numeric(frame["max_dependency"], errors="coerce").fillna(-1),
            _data=(frame["boards_with_seats"] + frame["acos"].fillna(0)
                   + frame["warnings_present"]),
        ).sort_values(["flags_raised", "boards_with_veto", "_ss", "_cap", "_dep",
                       "warnings_present", "_data", "partner_id"],
                      ascending=[False, False, False, False, False, False, False, True],
                      kind="stable")
        frame = frame.loc[order.index].reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return PARTNERS.check(frame), FLAGS.from_records(flags)


def thresholds_markdown() -> str:
    """The flags and the market readings in Markdown (the README's thresholds section).

    Generated from :data:`FLAG_RULES` and
    :func:`kg.analysis.power.concentration.guideline_readings`; a test checks that the
    README holds it.
    """
    from kg.analysis.power.concentration import guideline_readings

    lines = ["| flag | raised when | source |", "|---|---|---|"]
    for name, rule in FLAG_RULES.items():
        when = f"{rule.rule}; {rule.note}" if rule.note else rule.rule
        lines.append(f"| `{name}` | {when} | {rule.source or 'definition'} |")
    lines += ["", "Market readings (each market's `band_2010`, `hmg2010`, `mg2023` and "
              "`mg2023_trend`):", ""]
    lines += [f"- {reading}" for reading in guideline_readings()]
    return "\n".join(lines) + "\n"


def _describe_share(row) -> str:
    level = row.share_level if isinstance(row.share_level, str) else None
    if row.share_exact_pct is not None and not pd.isna(row.share_exact_pct):
        return f"{row.share_exact_pct:g}%"
    parts = []
    if row.share_min_pct is not None and not pd.isna(row.share_min_pct):
        parts.append(("over " if row.share_min_exclusive else "at least ")
                     + f"{row.share_min_pct:g}%")
    if row.share_max_pct is not None and not pd.isna(row.share_max_pct):
        parts.append(("under " if row.share_max_exclusive else "at most ")
                     + f"{row.share_max_pct:g}%")
    text = " and ".join(parts)
    if level:
        text = f"{text} ({level})" if text else f"{level}, no figure"
    return text or "unknown"


def _governance_words(mine: pd.DataFrame) -> str:
    words = []
    for r in mine.itertuples():
        veto = ", veto" if r.is_veto_player is True else ""
        if r.status == "computed":
            words.append(f"{r.board}: {int(r.votes)} of {int(r.board_votes)} votes{veto}, "
                         f"Banzhaf {r.banzhaf:.2f}, Shapley-Shubik {r.shapley_shubik:.2f}")
        else:
            words.append(f"{r.board}: {int(r.votes)} votes{veto}; indices unknown ({r.reason})")
    return "; ".join(words)
