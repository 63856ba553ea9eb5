"""Inferred ACO - partner links from web hosts and e-mail domains (data/partner_domains.csv).

A CMS file does not say who an ACO's management partner is. It does give the host of the
ACO's public-reporting web site and (in the 2023 roster) the e-mail domains of its
executive and public contacts. When that host or domain is the site of a known partner
(a curated, documented table: data/partner_domains.csv), the importer writes an alliance
between the ACO and the partner **with evidence "inferred"** and a locator naming the
file, the year, the line and the evidence (host or domain). It never writes "reported".

>>> table = {"aledade.com": Partner("aledade.com", "aledade", "Aledade")}
>>> match_domain("aco.aledade.com", table).partner_org_id, match_domain("example.org", table)
('aledade', None)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.core.errors import UsageError
from kg.core.resources import data_dir
from kg.ingest.cms.folder import ImportFolder
from kg.ingest.cms.source_file import read_source

__all__ = ["PARTNER_DOMAINS", "Partner", "read_partner_domains", "match_domain", "add_inferred_link"]

#: The curated table shipped with the project.
PARTNER_DOMAINS = data_dir() / "partner_domains.csv"


@dataclass(frozen=True)
class Partner:
    """A domain that identifies a partner, and the partner's organization id and name."""

    domain: str
    partner_org_id: str
    partner_name: str


def read_partner_domains(path: str | Path | None = None) -> dict[str, Partner]:
    """Read the partner-domain table: ``{domain: Partner}``.

    Raises
    ------
    UsageError
        If a required column is missing or a domain is listed twice.
    """
    path = Path(path) if path else PARTNER_DOMAINS
    source = read_source(path)
    if source.problems:
        raise UsageError(f"cannot read the partner-domain table: {source.problems[0]}",
                         argument="partner_domains")
    table = {}
    for line, record in source.records:
        row = dict(zip(source.header, record))
        if len(record) != len(source.header):
            raise UsageError(f"{path}:{line}: expected {len(source.header)} cells, found {len(record)}")
        for column in ("domain", "partner_org_id", "partner_name", "justification"):
            if not (row.get(column) or "").strip():
                raise UsageError(f"{path}:{line}: column {column} is blank or missing")
        domain = row["domain"].strip().lower()
        if domain in table:
            raise UsageError(f"{path}:{line}: domain {domain} is listed twice")
        table[domain] = Partner(domain, row["partner_org_id"].strip(), row["partner_name"].strip())
    return table


def match_domain(host: str | None, table: dict[str, Partner]) -> Partner | None:
    """The partner whose domain is `host` or a parent domain of it, if any."""
    if not host:
        return None
    parts = host.lower().split(".")
    for i in range(len(parts) - 1):
        hit = table.get(".".join(parts[i:]))
        if hit:
            return hit
    return None


def add_inferred_link(out: ImportFolder, *, aco_org: str, aco_key: str, aco_name: str,
                      partner: Partner, source_id: str, evidence: str) -> str:
    """Write (or extend) the inferred alliance between an ACO and a partner.

    One alliance per (partner, ACO); a second piece of evidence (another file or field)
    is appended to the locators, so every reason stays visible.
    """
    alliance = f"inferred-{partner.partner_org_id}-{aco_key}"
    rows = {
        "alliances": {"alliance_id": alliance,
                      "name": f"{aco_name} - {partner.partner_name} (inferred)",
                      "alliance_kind": "aco-management-partner",
                      "description": "Inferred from a web host or e-mail domain of the partner "
                                     "in CMS files; not reported by any source."},
        "alliance_members": None,
    }
    members = [(f"{alliance}-aco", aco_org, "aco"),
               (f"{alliance}-partner", partner.partner_org_id, "management-partner")]
    existing = out.rows["alliances"].get(alliance)
    if existing and evidence in existing["locator"]:
        return alliance
    if existing:
        existing["locator"] += "; " + evidence
        for member_id, _, _ in members:
            out.rows["alliance_members"][member_id]["locator"] += "; " + evidence
        return alliance
    out.put("alliances", {**rows["alliances"], "source_id": source_id, "locator": evidence,
                          "evidence": "inferred"})
    for member_id, org, role in members:
        out.put("alliance_members", {"membership_id": member_id, "alliance_id": alliance,
                                     "org_id": org, "role": role, "source_id": source_id,
                                     "locator": evidence, "evidence": "inferred"})
    return alliance
