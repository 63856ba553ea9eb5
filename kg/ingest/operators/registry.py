"""The curated operator registry and the review table.

``data/operators/operators.csv`` names the operators a curator has identified, each with
a source: ``operator_id, name, operator_kind, profit_status, source_id, locator,
justification``. ``operator_kind`` is a notation of the operator-kind code list
(``management-company``, ``health-system``, ``insurer``, ``physician-group``,
``unknown``); ``profit_status`` (``for-profit``, ``nonprofit``) only where the source says.

``data/operators/operator_signals.csv`` lists the signals that identify each operator:
``operator_id, signal, value, justification``, where ``signal`` is one of
:data:`REGISTRY_SIGNALS`. A ``legal_name_brand`` value is a **prefix of the legal name**
(lower case, punctuation as spaces: ``privia quality network`` matches "Privia Quality
Network of Georgia, LLC"), matched on whole words in any year's name; every other value
is compared with the ACOs' values under its key (:mod:`kg.ingest.operators.keys`). A registry signal anchors the ACOs that show it to the
operator, and two anchored operators never merge (:mod:`kg.ingest.operators.grouping`).

``data/operators/review.csv`` holds the curator's decisions on discovered groups:
``review_id, subject, decision, target, reason``; :data:`DECISIONS` says what each does.

>>> sorted(DECISIONS)
['confirm', 'merge', 'reject', 'rename', 'split']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.core.errors import InputRowError
from kg.core.resources import data_dir
from kg.ingest.operators import normalise
from kg.ingest.operators.keys import Key, key
from kg.ingest.operators.table import read_rows
from kg.ingest.operators.signals import Observation

__all__ = ["REGISTRY_DIR", "OPERATOR_KINDS", "REGISTRY_SIGNALS", "DECISIONS", "Operator",
           "RegistrySignal", "Review", "Registry", "read_registry", "read_review"]

#: The folder of the curated tables shipped with the project.
REGISTRY_DIR = data_dir() / "operators"
OPERATOR_KINDS = ("management-company", "health-system", "insurer", "physician-group", "unknown")
PROFIT = ("for-profit", "nonprofit")
#: Signals a registry row may name, and how its value is normalised.
REGISTRY_SIGNALS = {
    "website_host": normalise.host, "participant_website_host": normalise.host,
    "exec_email_domain": normalise.email_domain, "public_email_domain": normalise.email_domain,
    "aco_address": normalise.address, "legal_name_brand": lambda v: normalise.name_words(v) or None,
}
#: Decision -> what it does (``subject`` is a group id or an ACO_ID; ``target`` below).
DECISIONS = {
    "confirm": "subject group: its links become confirmed; target (optional): the registry "
               "operator it is",
    "reject": "subject group: it yields no links; subject ACO: the ACO leaves its group",
    "merge": "subject group joins target (a group or registry operator); links confirmed",
    "split": "subject ACO leaves its group for target (a group or registry operator); the "
             "link is confirmed",
    "rename": "subject group gets the name in target; links confirmed",
}


@dataclass(frozen=True)
class Operator:
    operator_id: str
    name: str
    kind: str
    profit_status: str
    source_id: str
    locator: str
    justification: str
    line: int


@dataclass(frozen=True)
class RegistrySignal:
    operator_id: str
    signal: str
    value: str
    key: Key
    file: str
    line: int

    @property
    def prefix(self) -> str | None:
        """The legal-name prefix a brand signal matches (None for other signals)."""
        return self.value if self.signal == "legal_name_brand" else None

    def matches(self, o: "Observation") -> bool:
        """Whether observation `o` shows this signal (a brand: `o` is a ``legal_name``)."""
        if self.prefix is not None:
            return o.signal == "legal_name" and (o.value == self.prefix
                                                 or o.value.startswith(self.prefix + " "))
        return key(o.signal, o.value) == self.key


@dataclass(frozen=True)
class Review:
    review_id: str
    subject: str
    decision: str
    target: str
    reason: str
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Registry:
    operators: dict[str, Operator] = field(default_factory=dict)
    signals: list[RegistrySignal] = field(default_factory=list)

    def anchors(self) -> dict[Key, str]:
        """Comparison key -> operator_id, of the signals compared by key (not brands)."""
        return {s.key: s.operator_id for s in self.signals if s.prefix is None}

    def hits(self, observations, legal_names=()) -> tuple[dict[str, dict[str, list]], set[int]]:
        """Which registry operators each ACO shows a signal of: ``{aco: {operator_id:
        [observations]}}``, and the indexes of the registry signals that match anything.

        Brand prefixes are matched against `legal_names` (``legal_name`` observations); a
        match is recorded as a ``legal_name_brand`` observation whose value is the prefix.
        """
        by_key: dict[Key, list[int]] = {}
        prefixes: list[int] = []
        for i, s in enumerate(self.signals):
            if s.prefix is None:
                by_key.setdefault(s.key, []).append(i)
            else:
                prefixes.append(i)
        found: dict[str, dict[str, list]] = {}
        used: set[int] = set()
        for o in observations:
            for i in by_key.get(key(o.signal, o.value), ()):
                used.add(i)
                found.setdefault(o.aco_id, {}).setdefault(self.signals[i].operator_id, []).append(o)
        for o in legal_names:
            for i in prefixes:
                s = self.signals[i]
                if s.matches(o):
                    used.add(i)
                    shown = Observation(o.aco_id, "legal_name_brand", s.prefix, o.year, o.file,
                                        o.line, o.raw)
                    found.setdefault(o.aco_id, {}).setdefault(s.operator_id, []).append(shown)
        return found, used


def read_registry(folder: str | Path | None = None) -> Registry:
    """Read ``operators.csv`` and ``operator_signals.csv`` of `folder`.

    Raises
    ------
    InputRowError
        ``file:line``: a duplicate or unknown operator, an unknown kind, profit status or
        signal, a value that does not normalise, a key claimed by two operators.
    """
    folder = Path(folder) if folder else REGISTRY_DIR
    registry = Registry()
    path = folder / "operators.csv"
    for line, row in read_rows(path, ("operator_id", "name", "operator_kind", "source_id",
                                      "locator", "justification"), ("profit_status",)):
        oid = row["operator_id"]
        if oid in registry.operators:
            raise InputRowError(f"{path}:{line}: column operator_id: {oid} is listed twice "
                             f"(first on line {registry.operators[oid].line})")
        if row["operator_kind"] not in OPERATOR_KINDS:
            raise InputRowError(f"{path}:{line}: column operator_kind: unknown kind "
                             f"{row['operator_kind']!r} (one of {', '.join(OPERATOR_KINDS)})")
        profit = row.get("profit_status", "")
        if profit and profit not in PROFIT:
            raise InputRowError(f"{path}:{line}: column profit_status: {profit!r} is not one of "
                             f"{', '.join(PROFIT)} (leave it blank when no source says)")
        registry.operators[oid] = Operator(oid, row["name"], row["operator_kind"], profit,
                                           row["source_id"], row["locator"],
                                           row["justification"], line)
    path = folder / "operator_signals.csv"
    owners: dict[Key, tuple[str, int]] = {}
    for line, row in read_rows(path, ("operator_id", "signal", "value", "justification")):
        if row["operator_id"] not in registry.operators:
            raise InputRowError(f"{path}:{line}: column operator_id: {row['operator_id']!r} is not "
                             f"an operator of {folder / 'operators.csv'}")
        form = REGISTRY_SIGNALS.get(row["signal"])
        if form is None:
            raise InputRowError(f"{path}:{line}: column signal: unknown signal {row['signal']!r} "
                             f"(one of {', '.join(REGISTRY_SIGNALS)})")
        value = form(row["value"])
        if not value:
            raise InputRowError(f"{path}:{line}: column value: {row['value']!r} is not a "
                             f"{row['signal']} value")
        k = key(row["signal"], value)
        if k in owners and owners[k][0] != row["operator_id"]:
            raise InputRowError(f"{path}:{line}: column value: {k[1]} identifies "
                             f"{owners[k][0]} already (line {owners[k][1]}): one value, one operator")
        owners.setdefault(k, (row["operator_id"], line))
        registry.signals.append(RegistrySignal(row["operator_id"], row["signal"], value, k,
                                               str(path), line))
    return registry


def read_review(path: str | Path | None = None) -> list[Review]:
    """Read the review table (what each decision means: :data:`DECISIONS`).

    Raises
    ------
    InputRowError
        ``file:line``: an unknown decision, a duplicate review_id, a decision whose target
        is required and blank. Subjects and targets are checked against the groups by
        :func:`kg.ingest.operators.review.apply_review`.
    """
    path = Path(path) if path else REGISTRY_DIR / "review.csv"
    seen: dict[str, int] = {}
    reviews = []
    for line, row in read_rows(path, ("review_id", "subject", "decision", "reason"), ("target",)):
        if row["decision"] not in DECISIONS:
            raise InputRowError(f"{path}:{line}: column decision: unknown decision "
                             f"{row['decision']!r} (one of {', '.join(DECISIONS)})")
        if row["review_id"] in seen:
            raise InputRowError(f"{path}:{line}: column review_id: {row['review_id']} is listed "
                             f"twice (first on line {seen[row['review_id']]})")
        seen[row["review_id"]] = line
        if row["decision"] in ("merge", "split", "rename") and not row.get("target"):
            raise InputRowError(f"{path}:{line}: column target: a {row['decision']} needs a target")
        reviews.append(Review(row["review_id"], row["subject"], row["decision"],
                              row.get("target", ""), row["reason"], str(path), line))
    return reviews
