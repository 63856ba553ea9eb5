"""Generic signals: values that many unrelated ACOs share, which never tie ACOs together.

The list is a curated table, ``data/operators/exclusions.csv`` (columns ``signal``,
``value``, ``category``, ``justification``), documented in ``data/operators/README.md``.
``signal`` is a signal name of :mod:`kg.ingest.operators.signals`, or ``domain`` for any of
the four web signals; ``value`` is a normalised value, or for domains a suffix
(``gov`` excludes every ``*.gov``; ``wixsite.com`` every site under it). Categories:
``free-mail``, ``web-builder`` (website builders and hosting), ``government``,
``shared-vendor`` (a vendor or consultant that serves unrelated ACOs),
``generic-name-word`` (a brand word used by unrelated companies: Mercy, Baptist, Rural;
it excludes that brand, not the longer stems of names that begin with it).

An excluded observation is kept in the evidence of nothing: it does not join ACOs, it
does not name a group, and it does not date a link.

>>> ex = Exclusions({("domain", "gmail.com"): "free-mail", ("domain", "gov"): "government",
...                  ("legal_name_brand", "mercy"): "generic-name-word"})
>>> ex.category(("domain", "gmail.com")), ex.category(("domain", "cms.hhs.gov"))
('free-mail', 'government')
>>> ex.category(("domain", "aledade.com")) is None, ex.category(("legal_name_brand", "mercy"))
(True, 'generic-name-word')
"""

from __future__ import annotations

from pathlib import Path

from kg.core.errors import InputRowError
from kg.core.resources import data_dir
from kg.ingest.operators.keys import DOMAIN_SIGNALS, Key
from kg.ingest.operators.table import read_rows

__all__ = ["EXCLUSIONS", "CATEGORIES", "Exclusions", "read_exclusions"]

#: The curated list shipped with the project.
EXCLUSIONS = data_dir() / "operators" / "exclusions.csv"
CATEGORIES = ("free-mail", "web-builder", "government", "shared-vendor", "generic-name-word")
_KINDS = ("domain", "legal_name_brand", "aco_address", "shared_participant")


class Exclusions:
    """Excluded keys and domain suffixes, each with its category."""

    def __init__(self, entries: dict[Key, str]):
        self.entries = dict(entries)

    def category(self, key: Key) -> str | None:
        """The category that excludes `key`, or None when it is not excluded."""
        kind, value = key
        if kind != "domain":
            return self.entries.get(key)
        labels = value.split(".")
        for i in range(len(labels)):
            hit = self.entries.get(("domain", ".".join(labels[i:])))
            if hit:
                return hit
        return None


def read_exclusions(path: str | Path | None = None) -> Exclusions:
    """Read the exclusion list.

    Raises
    ------
    InputRowError
        ``file:line`` of a row with an unknown signal or category, or a blank value.
    """
    path = Path(path) if path else EXCLUSIONS
    entries: dict[Key, str] = {}
    for line, row in read_rows(path, ("signal", "value", "category", "justification")):
        kind = "domain" if row["signal"] in DOMAIN_SIGNALS else row["signal"]
        if kind not in _KINDS:
            raise InputRowError(f"{path}:{line}: column signal: unknown signal {row['signal']!r} "
                             f"(one of {', '.join(_KINDS + DOMAIN_SIGNALS)})")
        if row["category"] not in CATEGORIES:
            raise InputRowError(f"{path}:{line}: column category: unknown category "
                             f"{row['category']!r} (one of {', '.join(CATEGORIES)})")
        entries[(kind, row["value"].lower())] = row["category"]
    return Exclusions(entries)
