"""Import the CMS MSSP ACO roster (PY2023): the ACOs and their states.

One input row (one ACO) updates the ACO's organization row (its state: the PY2023
results file has no ``ACO_State``). The roster's website host, e-mail domains and
address are signals of the ACO's operator: operator discovery reads them
(:mod:`kg.ingest.operators`, ``aco-kg discover``), not this importer.
"""

from __future__ import annotations

from pathlib import Path

from kg.ingest.cms.cells import states
from kg.ingest.cms.crosswalk import ACO_ID
from kg.ingest.cms.folder import ImportFolder, find_columns, open_import, reject_file, year_of
from kg.ingest.cms.ledger import ImportReport
from kg.ingest.cms.source_file import checked_records, differences
from kg.ingest.cms.sources import source_id_for

__all__ = ["ROSTER_ALIASES", "SOURCE_TITLE", "import_roster"]

#: The title of the source row generated for a roster that no curated row describes.
SOURCE_TITLE = "Medicare Shared Savings Program ACOs, performance year {year} (roster)"

ROSTER_ALIASES: dict[str, tuple[str, ...]] = {
    "aco_id": ("aco_id", "ACO_ID"),
    "aco_name": ("aco_name", "ACO_Name"),
    "state": ("aco_state", "ACO_State"),
}
REQUIRED = ("aco_id", "aco_name")


def import_roster(path: str | Path, out: ImportFolder, *, year: int | None = None,
                  source_id: str | None = None) -> ImportReport:
    """Import the roster into `out`; see the module docstring.

    `year` is the performance year (default: the one in the file's name); `source_id`
    the row of sources.csv the facts cite (see :meth:`ImportFolder.cite`). Every row is
    accounted for in the report's ledger; when any is rejected, none may be written.
    """
    path = Path(path)
    report, source_file = open_import(path, "cms-roster", out)
    if source_file is None:
        return report
    where = find_columns(report, source_file, ROSTER_ALIASES, REQUIRED)
    if where is None:
        return report
    header = source_file.header
    report.year = year = year_of(path, year)
    why = out.cite(report, SOURCE_TITLE.format(year=year), source_id)
    if why:
        reject_file(report, source_file, why)
        return report
    source = report.source_id = source_id or source_id_for(path)
    seen: dict[str, tuple[int, list[str]]] = {}
    for line, record in checked_records(source_file, report, read=set(where.values())):
        aco_id = record[where["aco_id"]].strip()
        aco_name = record[where["aco_name"]].strip()
        if not ACO_ID.fullmatch(aco_id):
            report.ledger.rejected(str(path), line, "aco_id", f"{aco_id!r} is not a CMS ACO_ID")
            continue
        if aco_id in seen:
            first, earlier = seen[aco_id]
            report.ledger.rejected(str(path), line, "aco_id",
                                   f"ACO {aco_id} appears twice (first on line {first}); "
                                   + differences(header, earlier, record))
            continue
        try:
            area = states(record[where["state"]]) if "state" in where else None
        except ValueError as exc:
            report.ledger.rejected(str(path), line, "aco_state", str(exc))
            continue
        seen[aco_id] = (line, record)
        aco_org = f"cms-aco-{aco_id}"
        held = out.claim(report, line, aco_org)
        if held is not None:
            report.ledger.rejected(str(path), line, "aco_id",
                                   f"ACO {aco_id} of the PY{year} roster was imported from {held} "
                                   "already: the same ACO and year in two rosters is refused, not "
                                   "overwritten; import one of them")
            continue
        locator = f"{path.name}, line {line} (PY{year}, ACO_ID {aco_id})"
        out.put("organizations", {"org_id": aco_org, "name": aco_name, "kind": "aco",
                                  "state": area if area and "," not in area else "",
                                  "source_id": source, "locator": locator, "evidence": "reported"},
                update=("state",))
        out.put("identifiers", {"identifier_id": f"cms-aco-id-{aco_id}", "org_id": aco_org,
                                "scheme": "cms-aco-id", "value": aco_id, "source_id": source,
                                "locator": locator, "evidence": "reported"})
        report.ledger.loaded(str(path), line, aco_org)
    return report
