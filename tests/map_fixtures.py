"""Stores for the map tests and the map benchmark: hostile names, and synthetic graphs of a given size."""

from __future__ import annotations

import pyoxigraph as ox

from kg.core.iris import CODE, INSTANCE, ONTOLOGY, PREFIXES

__all__ = ["HOSTILE", "OPERATOR_KINDS", "hostile_store", "synthetic_store", "varied_operator_links",
           "dated_participants_graph"]

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


def synthetic_store(folder, organizations: int, seed: int = 0, *,
                    in_memory: bool = False, dated_partners: bool = False) -> ox.Store:
    """A built store of `organizations` synthetic organizations (:mod:`kg.ingest.synth`).

    The data are written to ``folder/data`` and built with the SHACL shapes compiled for
    Oxigraph into ``folder/out``, as ``aco-kg build`` would, so the map reads a published,
    valid store: the store on disk, or (`in_memory`) its graph and ontology loaded into
    an in-memory store, as the map benchmark times the queries. With `dated_partners`,
    the partners' alliances are dated, inferred links, which the operator links read
    (see :func:`kg.ingest.synth.synthesize`).
    """
    from pathlib import Path

    from kg.graph.build import build
    from kg.graph.store import open_store
    from kg.ingest.synth import synthesize

    folder = Path(folder)
    synthesize(folder / "data", organizations=organizations, seed=seed,
               dated_partners=dated_partners)
    build(folder / "data", folder / "out", shacl="oxigraph")
    if not in_memory:
        return open_store(folder / "out" / "store")
    store = ox.Store()
    store.load(path=str(folder / "out" / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    store.load(path=str(folder / "out" / "ontology.ttl"), format=ox.RdfFormat.TURTLE)
    return store


#: Values of the operator links' code lists that the interim read query cannot produce yet.
OPERATOR_KINDS = ("management-company", "health-system", "insurer", "physician-group", "unknown")


def varied_operator_links(monkeypatch) -> None:
    """Make the map read operator links of every kind, evidence and review state.

    The interim ``operator_links`` query reads inferred, unreviewed links of unknown kind
    only; the contract allows more. This rewrites its rows as the final query may give
    them (same columns): each operator gets a kind in turn, and every third link is
    reported and every second one confirmed, so the map's filters have values to filter.
    """
    import kg.products.maps.load as load
    from kg.core.iris import CODE

    read = load.read_table

    def varied(store, name):
        frame = read(store, name)
        if name != "operator_links" or not len(frame):
            return frame
        frame = frame.copy()
        operators = sorted(set(frame["operator"]))
        kinds = {o: OPERATOR_KINDS[i % len(OPERATOR_KINDS)] for i, o in enumerate(operators)}
        frame["operator_kind"] = [CODE + "operator-kind/" + kinds[o] for o in frame["operator"]]
        frame["evidence"] = [CODE + "evidence/" + ("reported" if i % 3 == 0 else "inferred")
                             for i in range(len(frame))]
        frame["review"] = [CODE + "review-status/" + ("confirmed" if i % 2 == 0 else "unreviewed")
                           for i in range(len(frame))]
        return frame

    monkeypatch.setattr(load, "read_table", varied)


def dated_participants_graph():
    """Two ACOs run by one operator, with participants dated to different years.

    Over all years, four participants are linked to nothing but their ACO (p1, p2 and p3 of
    ACO A, q1 of ACO B: 4 in 2 groups) and p4 is linked to both ACOs. In 2016, p1 and p3
    take part in A, and so does p4, whose participation in B begins in 2020: 3 in 1 group.
    In the map of all years, A's group has 2 members valid in 2016 and B's none.
    """
    from kg.products.maps import Fact, MapEdge, MapGraph, MapNode, Source

    def node(key: str, kind: str) -> MapNode:
        return MapNode(key, "ACO " + key.upper() if kind == "aco" else key.upper(), kind)

    def link(kind: str, source: str, target: str, start, end) -> MapEdge:
        return MapEdge(kind, source, target,
                       [Fact(f"{source} to {target}", Source("test", None, "reported"), start, end)])

    nodes = {"op": node("op", "management-partner"), "a": node("a", "aco"), "b": node("b", "aco")}
    nodes.update((k, node(k, "physician-group")) for k in ("p1", "p2", "p3", "p4", "q1"))
    edges = [link("operator", "op", "a", 2012, 2025), link("operator", "op", "b", 2012, 2025),
             link("participation", "p1", "a", 2016, 2016), link("participation", "p2", "a", 2020, 2020),
             link("participation", "p3", "a", 2016, 2020), link("participation", "p4", "a", 2016, 2016),
             link("participation", "p4", "b", 2020, 2021), link("participation", "q1", "b", 2020, 2020)]
    return MapGraph(nodes, edges)
