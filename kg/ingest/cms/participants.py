"""Import the CMS MSSP participants file (PY2026): ACO -> participant organizations.

One input row (one participant organization, by its TIN legal business name, in one
ACO) becomes a participation in ``aco_participants.csv``; the organization is written
once however many ACOs it takes part in (``provider-organization``, keyed by its
normalised name: the file has no TIN). The ACO row is merged with what the results
import wrote (same ``cms-aco-A1234`` id, joined on ``ACO_ID``). The public-reporting
website host and the participants shared between ACOs are signals of the ACOs' operators:
operator discovery reads them (:mod:`kg.ingest.operators`), not this importer. The
import reports which ACOs of the file have no
results row in the folder and which ACOs of the latest results year are not in the file.
"""

from __future__ import annotations

from pathlib import Path

from kg.ingest.cms.cells import states, us_date, slug
from kg.ingest.cms.crosswalk import ACO_ID
from kg.ingest.cms.folder import ImportFolder, find_columns, open_import, reject_file, year_of
from kg.ingest.cms.ledger import ImportReport
from kg.ingest.cms.source_file import checked_records, differences
from kg.ingest.cms.sources import source_id_for

__all__ = ["PARTICIPANT_ALIASES", "SOURCE_TITLE", "import_participants"]

#: The title of the source row generated for a participants file no curated row describes.
SOURCE_TITLE = "Medicare Shared Savings Program ACO participants, performance year {year}"

PARTICIPANT_ALIASES: dict[str, tuple[str, ...]] = {
    "aco_id": ("aco_id", "ACO_ID"),
    "aco_name": ("aco_name", "ACO_Name"),
    "participant": ("participant_org", "Par_LBN"),
    "service_area": ("service_area", "ACO_Service_Area"),
    "initial_start": ("initial_start_date", "Initial_Start_Date"),
}
REQUIRED = ("aco_id", "aco_name", "participant")


def import_participants(path: str | Path, out: ImportFolder, *, year: int | None = None,
                        source_id: str | None = None) -> ImportReport:
    """Import the participants file into `out`; see the module docstring.

    `year` is the performance year (default: the one in the file's name); `source_id`
    the row of sources.csv the facts cite (see :meth:`ImportFolder.cite`).

    Returns
    -------
    ImportReport
        Every row accounted for; when any is rejected, none may be written.
    """
    path = Path(path)
    report, source_file = open_import(path, "cms-participants", out)
    if source_file is None:
        return report
    where = find_columns(report, source_file, PARTICIPANT_ALIASES, REQUIRED)
    if where is None:
        return report
    header = source_file.header
    report.year = year = year_of(path, year)
    why = out.cite(report, SOURCE_TITLE.format(year=year), source_id)
    if why:
        reject_file(report, source_file, why)
        return report
    source = report.source_id = source_id or source_id_for(path)
    results_acos = {row["contract_id"].removeprefix("mssp-") for row in out.rows["savings"].values()
                    if row["contract_id"].startswith("mssp-")}
    latest = max((int(r["performance_year"]) for r in out.rows["savings"].values()
                  if r["performance_year"]), default=None)
    latest_acos = {r["contract_id"].removeprefix("mssp-") for r in out.rows["savings"].values()
                   if latest and r["performance_year"] == str(latest)}
    seen_pairs: dict[tuple[str, str], tuple[int, list[str]]] = {}
    file_acos: set[str] = set()
    repeats = spelled = 0
    read = set(where.values())

    def get(record, quantity):
        return record[where[quantity]].strip() if quantity in where else ""

    for line, record in checked_records(source_file, report, read=read):
        aco_id, participant = get(record, "aco_id"), get(record, "participant")
        if not ACO_ID.fullmatch(aco_id):
            report.ledger.rejected(str(path), line, header[where["aco_id"]],
                                   f"{aco_id!r} is not a CMS ACO_ID (A + 4 digits)")
            continue
        if not participant:
            report.ledger.rejected(str(path), line, header[where["participant"]],
                                   "participant organization name is blank")
            continue
        try:
            area = states(get(record, "service_area"))
            start = us_date(get(record, "initial_start"))
        except ValueError as exc:
            report.ledger.rejected(str(path), line, "service_area/initial_start_date", str(exc))
            continue
        org_key = slug(participant)
        pair = (aco_id, org_key)
        participation = f"{aco_id}-{org_key}"
        if pair in seen_pairs:
            # CMS lists one row per TIN; the copy dropped the TIN, so several TINs of one
            # legal business name look alike: one participation, every row accounted for.
            # The cells read must agree, but for the spelling of the name
            first, earlier = seen_pairs[pair]
            conflict = [i for i in read - {where["participant"]}
                        if earlier[i].strip() != record[i].strip()]
            if conflict:
                report.ledger.rejected(str(path), line, header[conflict[0]],
                                       f"participant {participant!r} of ACO {aco_id} appears twice "
                                       f"(first on line {first}); " + differences(
                                           [header[i] for i in sorted(conflict)],
                                           [earlier[i] for i in sorted(conflict)],
                                           [record[i] for i in sorted(conflict)]))
                continue
            repeats += 1
            spelled += earlier[where["participant"]].strip() != participant
            report.ledger.loaded(str(path), line, participation)
            continue
        held = out.claim(report, line, participation)
        if held is not None:
            report.ledger.rejected(str(path), line, header[where["participant"]],
                                   f"participant {participant!r} of ACO {aco_id} in PY{year} was "
                                   f"imported from {held} already: the same ACO and year in two "
                                   "files is refused, not overwritten; import one of them")
            continue
        seen_pairs[pair] = (line, record)
        file_acos.add(aco_id)
        locator = f"{path.name}, line {line} (PY{year}, ACO_ID {aco_id})"
        aco_org = f"cms-aco-{aco_id}"
        aco_name = get(record, "aco_name")
        out.put("organizations", {"org_id": aco_org, "name": aco_name, "kind": "aco",
                                  "state": area if area and "," not in area else "",
                                  "source_id": source, "locator": locator, "evidence": "reported"},
                update=("name", "state", "source_id", "locator"))
        out.put("identifiers", {"identifier_id": f"cms-aco-id-{aco_id}", "org_id": aco_org,
                                "scheme": "cms-aco-id", "value": aco_id, "source_id": source,
                                "locator": locator, "evidence": "reported"})
        out.put("payer_contracts", {"contract_id": f"mssp-{aco_id}", "aco_id": aco_org,
                                    "program": "medicare-mssp", "start": start or "",
                                    "source_id": source, "locator": locator, "evidence": "reported"})
        member = f"tin-{org_key}"
        out.put("organizations", {"org_id": member, "name": participant,
                                  "kind": "provider-organization", "source_id": source,
                                  "locator": locator, "evidence": "reported"})
        out.put("aco_participants", {"participation_id": participation, "aco_id": aco_org,
                                     "org_id": member, "start": "", "source_id": source,
                                     "locator": locator, "evidence": "reported"})
        report.ledger.loaded(str(path), line, participation)
    organizations = {k for k in out.rows["organizations"] if k.startswith("tin-")}
    report.notes.append(f"{len(file_acos)} ACOs, {len(seen_pairs)} participations, "
                        f"{len(organizations)} participant organizations (keyed by normalised "
                        "legal business name: the file has no TIN)")
    if repeats:
        report.notes.append(f"{repeats} rows repeat a legal business name already listed in the "
                            "same ACO (distinct TINs in CMS's file; the TIN was dropped): counted "
                            "as loaded into the one participation of that name"
                            + (f"; {spelled} of them spell the name otherwise (the same once "
                               "punctuation and case are set aside)" if spelled else ""))
    if results_acos:
        no_results = sorted(file_acos - results_acos)
        report.notes.append(f"join on ACO_ID: {len(file_acos) - len(no_results)} ACOs of this file "
                            f"have results in the folder; {len(no_results)} have none (new since "
                            f"the last results year), e.g. {', '.join(no_results[:8])}")
        gone = sorted(latest_acos - file_acos)
        report.notes.append(f"{len(gone)} ACOs with PY{latest} results are not in this file "
                            f"(left the program or merged), e.g. {', '.join(gone[:8])}")
    else:
        report.notes.append("no results rows in the folder: the join on ACO_ID was not checked "
                            "(import the results files first)")
    return report
