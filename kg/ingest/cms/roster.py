"""Import the CMS MSSP ACO roster (PY2023): state, website host and e-mail domains.

One input row (one ACO) updates the ACO's organization row (its state: the PY2023
results file has no ``ACO_State``) and yields **inferred** partner links when the
public-reporting website host, the executive's e-mail domain or the public contact's
e-mail domain is a partner's domain (:mod:`kg.ingest.cms.partners`).
"""

from __future__ import annotations

from pathlib import Path

from kg.ingest.cms.cells import states
from kg.ingest.cms.results import source_id_for
from kg.ingest.cms.crosswalk import ACO_ID
from kg.ingest.cms.folder import ImportFolder, ImportReport, start_import
from kg.ingest.cms.partners import add_inferred_link, match_domain, read_partner_domains

__all__ = ["ROSTER_ALIASES", "import_roster"]

ROSTER_ALIASES: dict[str, tuple[str, ...]] = {
    "aco_id": ("aco_id", "ACO_ID"),
    "aco_name": ("aco_name", "ACO_Name"),
    "state": ("aco_state", "ACO_State"),
    "website_host": ("website_host",),
    "exec_email_domain": ("exec_email_domain",),
    "public_email_domain": ("public_email_domain",),
}
REQUIRED = ("aco_id", "aco_name")


def import_roster(path: str | Path, out: ImportFolder, *, year: int = 2023,
                  source_id: str | None = None, partner_domains=None) -> ImportReport:
    """Import the roster into `out`; see the module docstring."""
    path = Path(path)
    report, header, records, where = start_import(path, ROSTER_ALIASES, REQUIRED)
    if where is None:
        return report
    source = source_id or source_id_for(path)
    table = read_partner_domains(partner_domains)
    inferred = {}
    seen: dict[str, int] = {}
    for line, record in records:
        if len(record) != len(header):
            report.ledger.rejected(str(path), line, "", f"expected {len(header)} cells, found {len(record)}")
            continue
        aco_id = record[where["aco_id"]].strip()
        aco_name = record[where["aco_name"]].strip()
        if not ACO_ID.fullmatch(aco_id):
            report.ledger.rejected(str(path), line, "aco_id", f"{aco_id!r} is not a CMS ACO_ID")
            continue
        if aco_id in seen:
            report.ledger.rejected(str(path), line, "aco_id",
                                   f"ACO {aco_id} appears twice (first on line {seen[aco_id]})")
            continue
        try:
            area = states(record[where["state"]]) if "state" in where else None
        except ValueError as exc:
            report.ledger.rejected(str(path), line, "aco_state", str(exc))
            continue
        seen[aco_id] = line
        locator = f"{path.name}, line {line} (PY{year}, ACO_ID {aco_id})"
        aco_org = f"cms-aco-{aco_id}"
        out.put("organizations", {"org_id": aco_org, "name": aco_name, "kind": "aco",
                                  "state": area if area and "," not in area else "",
                                  "source_id": source, "locator": locator, "evidence": "reported"},
                update=("state",))
        out.put("identifiers", {"identifier_id": f"cms-aco-id-{aco_id}", "org_id": aco_org,
                                "scheme": "cms-aco-id", "value": aco_id, "source_id": source,
                                "locator": locator, "evidence": "reported"})
        for field in ("website_host", "exec_email_domain", "public_email_domain"):
            if field not in where:
                continue
            value = record[where[field]].strip().lower().removeprefix("www.")
            partner = match_domain(value, table)
            if partner:
                add_inferred_link(out, aco_org=aco_org, aco_key=aco_id, aco_name=aco_name,
                                  partner=partner, source_id=source,
                                  evidence=f"{path.name} (PY{year}), line {line}: {field} {value}")
                inferred.setdefault(field, set()).add(aco_id)
        report.ledger.loaded(str(path), line, aco_org)
    for field, acos in inferred.items():
        report.notes.append(f"inferred partner links from {field}: {len(acos)} ACOs")
    return report
