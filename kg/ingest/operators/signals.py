"""The signals of the shipped CMS files that can tie an ACO to an operator, with their places.

Each :class:`Observation` is one value of one signal for one ACO in one performance year,
with the file and line it was read from and the raw cell:

=============================  ==================================================  ========
signal                         where                                               strength
=============================  ==================================================  ========
``website_host``               PY2023 roster, ``website_host``                     strong
``exec_email_domain``          PY2023 roster, ``exec_email_domain``                strong
``public_email_domain``        PY2023 roster, ``public_email_domain``              strong
``participant_website_host``   PY2026 participants, host of ``public_website``     strong
``legal_name_brand``           ACO legal names: results 2013-2023, roster,         strong
                               participants (:func:`~.normalise.brand`, and
                               :func:`~.normalise.brand_stem` when longer)
``aco_address``                PY2023 roster, ``aco_address`` (street and ZIP)     weak
``shared_participant``         PY2026 participants: a participant organization     weak
                               (by normalised legal business name) of the ACO
=============================  ==================================================  ========

A *strong* signal is one an operator chooses for its ACOs (its domain, its brand); a
*weak* one ties ACOs that merely sit in one building or share a hospital. How strength is
used is :mod:`kg.ingest.operators.grouping`'s business.

The results files of 2013-2017 name ACOs by the public-use ``ACO_NUM``; CMS's crosswalk
gives their ``ACO_ID`` (a row whose number the crosswalk does not list is skipped and
counted). The PY2013 file's layout defect does not touch its first two columns (id and
name), which are all that is read here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.core.errors import InputRowError
from kg.ingest.cms.crosswalk import ACO_ID, ACO_NUM, read_crosswalk
from kg.ingest.cms.source_file import cut_inside_last_cell, locate_columns, read_source
from kg.ingest.operators import normalise

__all__ = ["Observation", "Signals", "STRONG", "WEAK", "SIGNALS", "read_signals",
           "roster_signals", "participant_signals", "name_signals"]

STRONG = ("website_host", "exec_email_domain", "public_email_domain",
          "participant_website_host", "legal_name_brand")
WEAK = ("aco_address", "shared_participant")
SIGNALS = STRONG + WEAK


@dataclass(frozen=True)
class Observation:
    """One value of one signal of one ACO, as read in one file's performance year."""

    aco_id: str
    signal: str
    value: str
    year: int
    file: str
    line: int
    raw: str = ""

    @property
    def place(self) -> str:
        """``file:line (PYyyyy)``."""
        return f"{Path(self.file).name}:{self.line} (PY{self.year})"


@dataclass
class Signals:
    """Every observation read, the ACOs' names and program years, and what was skipped."""

    observations: list[Observation] = field(default_factory=list)
    #: every legal name read (signal ``legal_name``, value :func:`~.normalise.name_words`):
    #: what registry brand prefixes are matched against
    legal_names: list[Observation] = field(default_factory=list)
    names: dict[str, tuple[int, str]] = field(default_factory=dict)
    years: dict[str, set[int]] = field(default_factory=dict)
    file_years: set[int] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)

    def saw(self, aco_id: str, year: int, name: str | None = None) -> None:
        """Record that `aco_id` is in the program in `year` (with its name that year)."""
        self.years.setdefault(aco_id, set()).add(year)
        self.file_years.add(year)
        if name and (aco_id not in self.names or self.names[aco_id][0] <= year):
            self.names[aco_id] = (year, name.strip())


def _year(path: Path) -> int:
    match = re.search(r"(20\d\d)", path.name)
    if not match:
        raise InputRowError(f"{path}: the file name names no performance year (e.g. ..._2023.csv)")
    return int(match.group(1))


def _open(path: Path, aliases: dict[str, tuple[str, ...]], required: Iterable[str]):
    source = read_source(path)
    if source.problems:
        raise InputRowError(str(source.problems[0]))
    where = locate_columns(source.header, aliases)
    missing = [q for q in required if q not in where]
    if missing:
        raise InputRowError(f"{path}:1: no column for {', '.join(missing)} "
                            f"(expected one of {', '.join(aliases[missing[0]])})")
    cut = cut_inside_last_cell(source, read=set(where.values()))
    if cut:
        raise InputRowError(f"{path}:{source.records[-1][0]}: {cut}")
    return source, where


def _add(out: Signals, obs: Observation | None) -> None:
    if obs is not None and obs.value:
        out.observations.append(obs)


def _aco_records(path: Path, source, where: dict[str, int], year: int, out: Signals):
    """The records of a file with their line, ACO id and legal name; a record with the wrong
    number of cells or no ACO id is noted in ``out.skipped``, and each ACO is noted as seen
    in the file's year."""
    for line, record in source.records:
        if len(record) != len(source.header):
            out.skipped.append(f"{path}:{line}: expected {len(source.header)} cells")
            continue
        aco_id = record[where["aco_id"]].strip()
        if not ACO_ID.fullmatch(aco_id):
            out.skipped.append(f"{path}:{line}: {aco_id!r} is not an ACO_ID")
            continue
        name = record[where["aco_name"]]
        out.saw(aco_id, year, name)
        yield line, record, aco_id, name


def roster_signals(path: str | Path, out: Signals) -> None:
    """Read a roster (PY2023): hosts, e-mail domains, address and legal name of each ACO."""
    path = Path(path)
    year = _year(path)
    aliases = {"aco_id": ("aco_id", "ACO_ID"), "aco_name": ("aco_name", "ACO_Name"),
               "website_host": ("website_host",), "exec_email_domain": ("exec_email_domain",),
               "public_email_domain": ("public_email_domain",), "aco_address": ("aco_address",)}
    source, where = _open(path, aliases, ("aco_id", "aco_name"))
    forms = {"website_host": normalise.host, "exec_email_domain": normalise.email_domain,
             "public_email_domain": normalise.email_domain, "aco_address": normalise.address}
    for line, record, aco_id, name in _aco_records(path, source, where, year, out):
        for signal, form in forms.items():
            if signal in where:
                raw = record[where[signal]]
                _add(out, Observation(aco_id, signal, form(raw) or "", year, str(path), line, raw))
        _brands(out, aco_id, name, year, path, line)


def _brands(out: Signals, aco_id: str, name: str, year: int, path: Path, line: int) -> None:
    """The brand of a legal name, and its stem when longer (both ``legal_name_brand``)."""
    out.legal_names.append(Observation(aco_id, "legal_name", normalise.name_words(name), year,
                                       str(path), line, name))
    for value in (normalise.brand(name), normalise.brand_stem(name)):
        _add(out, Observation(aco_id, "legal_name_brand", value or "", year, str(path), line, name))


def participant_signals(path: str | Path, out: Signals) -> None:
    """Read a participants file (PY2026): the reporting-site host (first line per ACO and
    host), each participant organization, and the ACO's legal name."""
    path = Path(path)
    year = _year(path)
    aliases = {"aco_id": ("aco_id", "ACO_ID"), "aco_name": ("aco_name", "ACO_Name"),
               "participant": ("participant_org", "Par_LBN"),
               "website": ("public_website", "ACO_Public_Reporting_Website")}
    source, where = _open(path, aliases, ("aco_id", "aco_name", "participant"))
    seen: set[tuple[str, str, str]] = set()
    for line, record, aco_id, name in _aco_records(path, source, where, year, out):
        if (aco_id, "legal_name", name) not in seen:
            seen.add((aco_id, "legal_name", name))
            out.legal_names.append(Observation(aco_id, "legal_name", normalise.name_words(name),
                                               year, str(path), line, name))
        values = [("shared_participant", _participant(record[where["participant"]]),
                   record[where["participant"]]),
                  ("legal_name_brand", normalise.brand(name), name),
                  ("legal_name_brand", normalise.brand_stem(name), name)]
        if "website" in where:
            raw = record[where["website"]]
            values.append(("participant_website_host", normalise.host(raw), raw))
        for signal, value, raw in values:
            if value and (aco_id, signal, value) not in seen:
                seen.add((aco_id, signal, value))
                _add(out, Observation(aco_id, signal, value, year, str(path), line, raw))


def _participant(name: str) -> str | None:
    words = re.findall(r"[a-z0-9]+", name.lower())
    return " ".join(words) or None


#: Column names of the results files' ACO identifiers and names (see kg.ingest.cms.results).
_RESULT_ALIASES = {"aco_id": ("ACO_ID",), "aco_num": ("ACO_Num", "ACO_NUM", "ACO Identifier"),
                   "aco_name": ("ACO_Name", "ACO_NAME", "ACO Name")}


def name_signals(path: str | Path, out: Signals, crosswalk: dict[str, str]) -> None:
    """Read a results file: each ACO's legal name that year, and its brand."""
    path = Path(path)
    year = _year(path)
    source, where = _open(path, _RESULT_ALIASES, ("aco_name",))
    if "aco_id" not in where and "aco_num" not in where:
        raise InputRowError(f"{path}:1: no ACO_ID or ACO_Num column")
    for line, record in source.records:
        if len(record) <= max(where.values()):
            out.skipped.append(f"{path}:{line}: too few cells")
            continue
        ident = record[where["aco_id"] if "aco_id" in where else where["aco_num"]].strip()
        if ACO_NUM.fullmatch(ident):
            ident = crosswalk.get(ident, "")
        if not ACO_ID.fullmatch(ident):
            out.skipped.append(f"{path}:{line}: no ACO_ID for {record[where.get('aco_num', 0)]!r}")
            continue
        name = record[where["aco_name"]]
        out.saw(ident, year, name)
        _brands(out, ident, name, year, path, line)


def read_signals(*, results: Iterable[str | Path] = (), roster: Iterable[str | Path] = (),
                 participants: Iterable[str | Path] = (), crosswalk: str | Path | None = None
                 ) -> Signals:
    """Read every signal of the given CMS files.

    Raises
    ------
    InputRowError
        A file that cannot be read or lacks the columns named above.
    """
    out = Signals()
    links: dict[str, str] = {}
    if crosswalk:
        cw = read_crosswalk(crosswalk)
        if cw.problems:
            raise InputRowError(cw.problems[0])
        links = {num: hit[0] for num, hit in cw.links.items()}
    for path in results:
        name_signals(path, out, links)
    for path in roster:
        roster_signals(path, out)
    for path in participants:
        participant_signals(path, out)
    return out
