"""CMS's ACO identifier crosswalk: the public-use ACO_NUM (2013-2017) -> the ACO_ID.

The results files of 2013 to 2017 name ACOs by a public-use number (``A`` + 5 digits);
from 2018 on CMS uses the ACO_ID (``A`` + 4 digits). The two share no value, so an ACO
is followed across 2017/2018 only through this crosswalk; names are a check, not the link.

A crosswalk that cannot be read, or a row of it that is malformed or contradicts
another, is a problem of the import that reads it: the import then writes nothing.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "cw.csv"
>>> _ = p.write_text("ACO_ID,ACO.First.Agreement.Start.Date,ACO_NUM\\nA1001,7/1/12,A67373\\n")
>>> cw = read_crosswalk(p)
>>> cw.aco_id("A67373"), cw.line("A67373"), cw.aco_id("A99999"), cw.problems
('A1001', 2, None, [])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.ingest.cms.source_file import read_source

__all__ = ["ACO_ID", "ACO_NUM", "CROSSWALK_TITLE", "Crosswalk", "read_crosswalk"]

ACO_ID = re.compile(r"A\d{4}")
ACO_NUM = re.compile(r"A\d{5}")
#: The title of the source row generated for a crosswalk that no curated row describes.
CROSSWALK_TITLE = "Shared Savings Program ACO identifier crosswalk (ACO_ID to public-use ACO_NUM)"


@dataclass
class Crosswalk:
    """ACO_NUM -> (ACO_ID, line of the crosswalk file), and what is wrong with the file."""

    file: str
    links: dict[str, tuple[str, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    sha256: str | None = None

    def aco_id(self, aco_num: str) -> str | None:
        """The ACO_ID of `aco_num`, or None when the crosswalk does not list it."""
        hit = self.links.get(aco_num)
        return hit[0] if hit else None

    def line(self, aco_num: str) -> int | None:
        hit = self.links.get(aco_num)
        return hit[1] if hit else None


def read_crosswalk(path: str | Path) -> Crosswalk:
    """Read the crosswalk; an unreadable file, malformed or contradictory rows are listed
    in ``problems`` (as ``file:line: reason``)."""
    source = read_source(path)
    cw = Crosswalk(str(path), sha256=source.sha256)
    if source.problems:
        cw.problems += [str(p) for p in source.problems]
        return cw
    header = source.header
    missing = [c for c in ("ACO_ID", "ACO_NUM") if c not in header]
    if missing:
        cw.problems.append(f"{path}:1: column {', '.join(missing)} is missing from the header "
                           "(an ACO identifier crosswalk needs ACO_ID and ACO_NUM)")
        return cw
    i_id, i_num = header.index("ACO_ID"), header.index("ACO_NUM")
    for line, record in source.records:
        if len(record) != len(header):
            cw.problems.append(f"{path}:{line}: expected {len(header)} cells, found {len(record)}")
            continue
        aco_id, aco_num = record[i_id].strip(), record[i_num].strip()
        if not ACO_ID.fullmatch(aco_id) or not ACO_NUM.fullmatch(aco_num):
            cw.problems.append(f"{path}:{line}: {aco_id!r} -> {aco_num!r} is not ACO_ID (A+4 digits) "
                               "-> ACO_NUM (A+5 digits)")
            continue
        if aco_num in cw.links and cw.links[aco_num][0] != aco_id:
            cw.problems.append(f"{path}:{line}: ACO_NUM {aco_num} maps to {aco_id} and, on line "
                               f"{cw.links[aco_num][1]}, to {cw.links[aco_num][0]}")
            continue
        cw.links.setdefault(aco_num, (aco_id, line))
    return cw
