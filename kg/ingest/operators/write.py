"""The rows discovery adds to an import folder: operators and operator links.

Into the folder that ``aco-kg import`` wrote (``build-cms/``), :func:`write_discovery`
puts

* one ``organizations`` row per operator that the curated data (``data/organizations.csv``)
  does not hold already: a registry operator with its name, kind, profit status and the
  registry's source; a discovered group with a name made from its brand or domain, kind
  ``aco-operator`` (not known), citing the CMS file of its strongest shared value;
* one ``operator_links`` row per link (ACO, operator, span): evidence ``inferred``, its
  signals, the file, line and year of each observation, review status and group.

Every row it wrote before (a locator that begins with :data:`MARK`, or any operator
link) is replaced: discovery can run again on the same folder.
"""

from __future__ import annotations

from pathlib import Path

from kg.core.errors import InputRowError
from kg.core.resources import data_dir
from kg.ingest.cms.folder import ImportFolder
from kg.ingest.cms.sources import source_id_for
from kg.ingest.operators.discover import Discovery
from kg.ingest.tables import read_table

__all__ = ["MARK", "ORG_KIND", "write_discovery"]

#: How the locator of an organization row written by discovery begins.
MARK = "operator discovery: "
#: Operator kind -> organization kind (org-kind code list).
ORG_KIND = {"management-company": "management-partner", "health-system": "hospital-or-health-system",
            "insurer": "payer", "physician-group": "physician-group", "unknown": "aco-operator"}


def _curated_orgs(curated: Path | None, out: ImportFolder) -> set[str]:
    path = (curated or data_dir()) / "organizations.csv"
    if not path.exists():
        return set()
    table = read_table(path, out.dictionary.resource("organizations"))
    return set(table.frame["org_id"]) if not table.problems else set()


def write_discovery(discovery: Discovery, out: ImportFolder, *,
                    curated: str | Path | None = None) -> dict[str, int]:
    """Put the operators and links of `discovery` into `out` (not yet written).

    `curated` is the folder of curated data whose organizations are not repeated (default
    the project's ``data/``). Returns counts of what was put.
    """
    curated_ids = _curated_orgs(Path(curated) if curated else None, out)
    out.rows["operator_links"].clear()
    for key in [k for k, row in out.rows["organizations"].items()
                if (row.get("locator") or "").startswith(MARK)]:
        del out.rows["organizations"][key]
    known = set(out.rows["organizations"])
    operators = 0
    groups = {g.group_id: g for g in discovery.grouping.groups}
    for op in discovery.assignments.operators.values():
        if op.operator_id in curated_ids or op.operator_id in out.rows["organizations"]:
            continue
        reg = discovery.registry.operators.get(op.operator_id)
        links = [x for x in discovery.links if x.operator_id == op.operator_id]
        if not links:
            continue
        if reg:
            row = {"name": reg.name, "kind": ORG_KIND[reg.kind], "profit_status": reg.profit_status,
                   "source_id": reg.source_id,
                   "locator": f"{MARK}registry {op.operator_id}; {reg.locator}",
                   "description": reg.justification}
        else:
            group = groups.get(op.group_id)
            shared = sorted(k[1] for k in group.keys) if group else []
            latest = max((o for x in links for o in x.observations), key=lambda o: (o.year, o.file))
            row = {"name": op.name, "kind": ORG_KIND[op.kind], "source_id": source_id_for(latest.file),
                   "locator": f"{MARK}group {op.group_id}, {len(op.acos)} ACOs sharing "
                              + ", ".join(shared[:6]) + f" (e.g. {latest.place})",
                   "description": "An operator that discovery inferred from values its ACOs share "
                                  "in the CMS files; its name is made from its brand or domain, "
                                  "and no curated source says what it is."}
        out.put("organizations", {"org_id": op.operator_id, "evidence": "inferred", **row})
        operators += 1
    for link in discovery.links:
        aco = f"cms-aco-{link.aco_id}"
        if aco not in known:
            raise InputRowError(f"ACO {link.aco_id} has no organization row in {out.path}: "
                             "import the CMS files before discovery")
        latest = max(link.observations, key=lambda o: (o.year, o.file))
        out.put("operator_links", {
            "link_id": f"{link.operator_id}-{link.aco_id}-{link.first_year}", "aco_id": aco,
            "operator_id": link.operator_id, "operator_kind": _kind(discovery, link.operator_id),
            "review": link.review, "group_id": link.group_id, "signals": link.signals,
            "first_year": str(link.first_year), "last_year": str(link.last_year),
            "source_id": source_id_for(latest.file), "locator": link.locator,
            "evidence": "inferred"})
    return {"operators": operators, "links": len(discovery.links)}


def _kind(discovery: Discovery, operator_id: str) -> str:
    for op in discovery.assignments.operators.values():
        if op.operator_id == operator_id:
            return op.kind
    return "unknown"
