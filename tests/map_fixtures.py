"""Stores for the map tests: the curated data, the tiny fixture, and hostile names."""

from __future__ import annotations

import pyoxigraph as ox

from kg.core.iris import CODE, INSTANCE, ONTOLOGY, PREFIXES

__all__ = ["HOSTILE", "hostile_store"]

#: Names that would run a script or break out of an element if written as HTML.
HOSTILE = [
    "<img src=x onerror=window.__xss=1>",
    "</script><script>window.__xss=2</script>",
    "\"'><svg onload=window.__xss=3>",
    "<a href=\"javascript:window.__xss=4\">href</a>",
]


def hostile_store() -> ox.Store:
    """A store whose organizations, alliance, sources and locators carry hostile text."""
    store = ox.Store()
    skos, dcterms, org, prov = (PREFIXES[p] for p in ("skos", "dcterms", "org", "prov"))
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    def add(s, p, o) -> None:
        store.add(ox.Quad(s, p, o))

    source = n(INSTANCE + "source/hostile")
    add(source, rdf_type, n(ONTOLOGY + "Source"))
    add(source, n(dcterms + "bibliographicCitation"), ox.Literal(HOSTILE[1]))
    kinds = ["aco", "management-partner", "physician-group", "payer"]
    members = []
    for i, name in enumerate(HOSTILE):
        node = n(INSTANCE + f"organization/hostile-{i}")
        members.append(node)
        add(node, rdf_type, n(ONTOLOGY + "Organization"))
        add(node, n(skos + "prefLabel"), ox.Literal(name))
        add(node, n(ONTOLOGY + "organizationKind"), n(CODE + f"org-kind/{kinds[i]}"))
        add(node, n(dcterms + "description"), ox.Literal(HOSTILE[(i + 1) % len(HOSTILE)]))
        add(node, n(ONTOLOGY + "state"), ox.Literal("NM"))
        add(node, n(prov + "hadPrimarySource"), source)
        add(node, n(ONTOLOGY + "sourceLocator"), ox.Literal(HOSTILE[(i + 2) % len(HOSTILE)]))
        add(node, n(ONTOLOGY + "evidenceKind"), n(CODE + "evidence/inferred"))
    alliance = n(INSTANCE + "alliance/hostile")
    add(alliance, n(skos + "prefLabel"), ox.Literal(HOSTILE[0]))
    for i, member in enumerate(members[:2]):
        membership = n(INSTANCE + f"membership/hostile-{i}")
        add(membership, rdf_type, n(ONTOLOGY + "AllianceMembership"))
        add(membership, n(org + "organization"), alliance)
        add(membership, n(org + "member"), member)
        add(membership, n(org + "role"), n(CODE + f"member-role/{kinds[i]}"))
        add(membership, n(prov + "hadPrimarySource"), source)
        add(membership, n(ONTOLOGY + "sourceLocator"), ox.Literal(HOSTILE[3]))
        add(membership, n(ONTOLOGY + "evidenceKind"), n(CODE + "evidence/inferred"))
    return store
