"""Pairwise precision and recall of discovered operators against gold ACO families.

A gold standard (``gold_families.csv``: ``aco_id, family_id, family_name, basis``) puts
some ACOs into families that share an operator; an ACO it does not list has no family.
A secondary file (``gold_secondary.csv``: ``aco_id, family_id, why``) lists ties of an
ACO to a second family (an ACO of one operator that also shows another's signals, such as
a health system's ACO managed by an enablement company).

Over pairs of ACOs:

* a **gold pair** is two ACOs of one family (primary);
* a **predicted pair** is two ACOs whose current operator (that of the ACO's latest link,
  :func:`current_operators`) is one;
* **recall** = predicted gold pairs / gold pairs;
* **precision** = predicted pairs that the gold allows / predicted pairs, where a pair is
  allowed when the two ACOs share a family, primary or secondary.

>>> gold = {"A1": "f", "A2": "f", "A3": "f", "A4": "g"}
>>> score({"A1": "x", "A2": "x", "A3": "y", "A4": "y"}, gold)
Score(precision=0.5, recall=0.3333333333333333, predicted_pairs=2, gold_pairs=3)
>>> score({"A1": "x", "A2": "x", "A3": "y", "A4": "y"}, gold, {"A4": {"f"}}).precision
1.0
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import NamedTuple

from kg.ingest.operators.table import read_rows

__all__ = ["Score", "score", "pairs", "read_gold", "current_operators"]


class Score(NamedTuple):
    precision: float
    recall: float
    predicted_pairs: int
    gold_pairs: int


def pairs(assignment: dict[str, str]) -> set[tuple[str, str]]:
    """Unordered pairs of keys of `assignment` that have the same value."""
    by: dict[str, list[str]] = defaultdict(list)
    for item, label in assignment.items():
        by[label].append(item)
    return {tuple(sorted(p)) for members in by.values() for p in combinations(members, 2)}


def score(predicted: dict[str, str], gold: dict[str, str],
          secondary: dict[str, set[str]] | None = None) -> Score:
    """Pairwise precision and recall (module docstring)."""
    secondary = secondary or {}
    families = defaultdict(set)
    for aco, family in gold.items():
        families[aco].add(family)
    for aco, extra in secondary.items():
        families[aco] |= extra
    predicted_pairs, gold_pairs = pairs(predicted), pairs(gold)
    allowed = sum(1 for a, b in predicted_pairs if families[a] & families[b])
    precision = allowed / len(predicted_pairs) if predicted_pairs else 1.0
    recall = len(predicted_pairs & gold_pairs) / len(gold_pairs) if gold_pairs else 1.0
    return Score(precision, recall, len(predicted_pairs), len(gold_pairs))


def read_gold(families: str | Path, secondary: str | Path | None = None
              ) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Read the gold files: ``({aco: family}, {aco: {secondary families}})``."""
    gold = {row["aco_id"]: row["family_id"]
            for _, row in read_rows(families, ("aco_id", "family_id"), ("family_name", "basis"))}
    extra: dict[str, set[str]] = defaultdict(set)
    if secondary and Path(secondary).exists():
        for _, row in read_rows(secondary, ("aco_id", "family_id"), ("why",)):
            extra[row["aco_id"]].add(row["family_id"])
    return gold, dict(extra)


def current_operators(discovery) -> dict[str, str]:
    """ACO -> the operator of its latest link (the gold's families are current operators)."""
    latest: dict[str, tuple[int, str]] = {}
    for link in discovery.links:
        if link.aco_id not in latest or latest[link.aco_id][0] < link.last_year:
            latest[link.aco_id] = (link.last_year, link.operator_id)
    return {aco: operator for aco, (_, operator) in latest.items()}
