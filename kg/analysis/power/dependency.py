"""Dependency: how many of an ACO's critical services come from one partner.

``D(a, p) = |S(a, p)| / |S|`` where ``S`` is the set of critical service groups (notes,
section 3, after Lewis et al. 2018): data and analytics, administration, education, care
coordination, capital or risk-bearing, and payer contracting. A service counts as sourced
from the partner when it is recorded as provided and not as withdrawn or never delivered.
The flag of concern is ``D =`` :data:`SOLE_SOURCING` (every critical service from the
partner, which no other provider supplies) together with risk sharing (the partner bears
financial risk with the ACO).

Examples
--------
>>> import pandas as pd
>>> services = pd.DataFrame({"provider_id": ["p"] * 3, "recipient_id": ["a"] * 3,
...     "service_type": ["data-analytics", "risk-bearing", "staffing"],
...     "delivery": ["delivered", pd.NA, "withdrawn"]})
>>> row = dependency(services).iloc[0]
>>> int(row["critical_sourced"]), round(float(row["dependency"]), 3), bool(row["risk_sharing"])
(2, 0.333, True)
"""

from __future__ import annotations

import pandas as pd

from kg.analysis.schema import Column, TableSpec

__all__ = ["CRITICAL_SERVICE_GROUPS", "NOT_SOURCED", "SOLE_SOURCING", "DEPENDENCY_SOURCE",
           "dependency", "DEPENDENCY"]

#: Critical service groups and the service-type codes that belong to each.
CRITICAL_SERVICE_GROUPS: dict[str, frozenset[str]] = {
    "data-analytics": frozenset({"data-analytics"}),
    "administrative": frozenset({"administrative"}),
    "education": frozenset({"education"}),
    "care-coordination": frozenset({"care-coordination-quality-improvement"}),
    "capital-or-risk": frozenset({"financial-investment", "risk-bearing"}),
    "payer-contracting": frozenset({"contracting"}),
}
#: Delivery statuses under which a service is not (or no longer) sourced from the provider.
NOT_SOURCED = frozenset({"withdrawn", "not-delivered"})
#: Sole sourcing: the dependency at which every critical service group comes from one
#: provider (flagged with risk sharing).
SOLE_SOURCING = 1.0
#: Where the critical service groups and the flag come from.
DEPENDENCY_SOURCE = "service groups of Lewis et al. 2018"

#: The ``dependency`` table that :func:`dependency` makes.
DEPENDENCY = TableSpec("dependency", "one provider and ACO", (
    Column("partner_id", "string", "provider id"),
    Column("aco_id", "string", "ACO id"),
    Column("critical_sourced", "integer", "critical service groups sourced from it"),
    Column("critical_total", "integer",
           f"critical service groups ({len(CRITICAL_SERVICE_GROUPS)})"),
    Column("dependency", "number", "critical_sourced / critical_total"),
    Column("groups_sourced", "string", "the groups"),
    Column("groups_missing", "string", "the others"),
    Column("sole_source_groups", "integer", "groups no other provider supplies"),
    Column("risk_sharing", "boolean", "it bears financial risk with the ACO"),
    Column("sole_sourcing_with_risk", "boolean", f"dependency {SOLE_SOURCING:g} and risk sharing"),
    Column("withdrawn_services", "string", "services withdrawn or not delivered"),
    Column("source_ids", "string", "sources (citations)"),
    Column("locators", "string", "where"),
))


def dependency(services: pd.DataFrame) -> pd.DataFrame:
    """Dependency of each ACO on each provider of its services.

    Parameters
    ----------
    services : DataFrame
        One row per service: ``provider_id``, ``recipient_id``, ``service_type``,
        ``delivery`` (a delivery-status code or missing) and optionally ``citation`` and
        ``locator``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DEPENDENCY`, one row per (provider, ACO). ``sole_source_groups``
        counts the critical groups no other recorded provider supplies to that ACO.
    """
    if services.empty:
        return DEPENDENCY.from_records([])
    data = services.copy()
    data["sourced"] = ~data["delivery"].isin(NOT_SOURCED)
    group_of = {code: group for group, codes in CRITICAL_SERVICE_GROUPS.items() for code in codes}
    data["group"] = data["service_type"].map(group_of)
    sourced = data[data["sourced"] & data["group"].notna()]
    providers_per_group = sourced.groupby(["recipient_id", "group"])["provider_id"].nunique()
    rows = []
    for (partner, aco), group in data.groupby(["provider_id", "recipient_id"], sort=True):
        groups = sorted(set(group.loc[group["sourced"] & group["group"].notna(), "group"]))
        sole = [g for g in groups if providers_per_group.get((aco, g), 0) == 1]
        risk = bool(((group["service_type"] == "risk-bearing") & group["sourced"]).any())
        share = len(groups) / len(CRITICAL_SERVICE_GROUPS)
        rows.append({
            "partner_id": partner, "aco_id": aco, "critical_sourced": len(groups),
            "critical_total": len(CRITICAL_SERVICE_GROUPS), "dependency": share,
            "groups_sourced": "; ".join(groups),
            "groups_missing": "; ".join(g for g in CRITICAL_SERVICE_GROUPS if g not in groups),
            "sole_source_groups": len(sole), "risk_sharing": risk,
            "sole_sourcing_with_risk": share == SOLE_SOURCING and len(sole) == len(groups) and risk,
            "withdrawn_services": "; ".join(sorted(group.loc[~group["sourced"], "service_type"])),
            "source_ids": "; ".join(sorted(set(group.get("citation", pd.Series()).dropna()))),
            "locators": "; ".join(sorted(set(group.get("locator", pd.Series()).dropna()))),
        })
    return DEPENDENCY.from_records(rows)
