"""IRIs: the namespaces of aco-kg and the only place where instance IRIs are minted.

Every IRI the project writes comes from here: ontology terms (``aco:``), code-list
concepts (``code:``) and the nodes minted from CSV identifiers (``id:``). Identifiers
are percent-encoded with :func:`urllib.parse.quote` (nothing is left unescaped), so any
identifier gives an IRI that rdflib, Oxigraph and every SPARQL engine accept, and
:func:`parse_instance_iri` gives the identifier back.

Examples
--------
>>> mint("organization", "access-aco")
'https://w3id.org/aco-kg/id/organization/access-aco'
>>> parse_instance_iri(mint("organization", "a b/c#d"))
('organization', 'a b/c#d')
>>> expand("aco:Alliance")
'https://w3id.org/aco-kg/ontology#Alliance'
>>> code_iri("service-type", "data-analytics")
'https://w3id.org/aco-kg/code/service-type/data-analytics'
"""

from __future__ import annotations

from urllib.parse import quote, unquote

__all__ = [
    "BASE",
    "ONTOLOGY",
    "CODE",
    "INSTANCE",
    "SHAPES",
    "PREFIXES",
    "mint",
    "parse_instance_iri",
    "expand",
    "compact",
    "code_iri",
    "scheme_iri",
    "sparql_prefixes",
]

BASE = "https://w3id.org/aco-kg/"
#: Namespace of the classes and properties of the ontology (ontology/aco.ttl).
ONTOLOGY = BASE + "ontology#"
#: Namespace of the SKOS code lists (ontology/codes.ttl): CODE + scheme + "/" + notation.
CODE = BASE + "code/"
#: Namespace of the nodes minted from CSV rows: INSTANCE + kind + "/" + quoted id.
INSTANCE = BASE + "id/"
#: Namespace of the SHACL shapes (ontology/shapes.ttl, ontology/shapes-columns.ttl).
SHAPES = BASE + "shapes#"

#: Prefixes used in the dictionary, the ontology, the queries and the outputs.
PREFIXES: dict[str, str] = {
    "aco": ONTOLOGY,
    "code": CODE,
    "id": INSTANCE,
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "vann": "http://purl.org/vocab/vann/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def mint(kind: str, identifier: str) -> str:
    """Return the IRI of the node that a CSV row of `kind` with `identifier` becomes.

    Parameters
    ----------
    kind : str
        The resource's ``iriKind`` in the data dictionary (``organization``, ...).
    identifier : str
        The row's identifier, any text.

    Returns
    -------
    str
        The IRI; distinct identifiers give distinct IRIs.

    Examples
    --------
    >>> mint("seat", "s 1")
    'https://w3id.org/aco-kg/id/seat/s%201'
    """
    return INSTANCE + quote(kind, safe="") + "/" + quote(identifier, safe="")


def parse_instance_iri(iri: str) -> tuple[str, str]:
    """Return ``(kind, identifier)`` of an IRI made by :func:`mint`.

    Raises
    ------
    ValueError
        If `iri` was not made by :func:`mint`.

    Examples
    --------
    >>> parse_instance_iri("https://w3id.org/aco-kg/id/alliance/x%2Fy")
    ('alliance', 'x/y')
    """
    if not iri.startswith(INSTANCE):
        raise ValueError(f"not an aco-kg instance IRI: {iri}")
    kind, sep, rest = iri[len(INSTANCE):].partition("/")
    if not sep or "/" in rest:
        raise ValueError(f"not an aco-kg instance IRI: {iri}")
    return unquote(kind), unquote(rest)


def scheme_iri(scheme: str) -> str:
    """Return the IRI of the SKOS concept scheme named `scheme`.

    >>> scheme_iri("tension-type")
    'https://w3id.org/aco-kg/code/tension-type'
    """
    return CODE + scheme


def code_iri(scheme: str, notation: str) -> str:
    """Return the IRI of the concept with `notation` in `scheme`.

    A "/" in a notation (FHIR's ``HIE/HIO``) is written "-" in the IRI, as in codes.ttl.

    >>> code_iri("fhir-organization-role", "HIE/HIO")
    'https://w3id.org/aco-kg/code/fhir-organization-role/HIE-HIO'
    """
    return CODE + scheme + "/" + notation.replace("/", "-")


def expand(curie: str) -> str:
    """Expand a CURIE such as ``org:member`` with :data:`PREFIXES`.

    Raises
    ------
    KeyError
        If the prefix is not one of :data:`PREFIXES`.

    >>> expand("org:member")
    'http://www.w3.org/ns/org#member'
    """
    prefix, sep, local = curie.partition(":")
    if not sep:
        raise KeyError(f"not a CURIE: {curie!r}")
    return PREFIXES[prefix] + local


def compact(iri: str) -> str:
    """Return the shortest CURIE for `iri`, or `iri` itself when no prefix fits.

    >>> compact("http://www.w3.org/ns/prov#hadPrimarySource")
    'prov:hadPrimarySource'
    """
    best = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and (best is None or len(namespace) > len(PREFIXES[best])):
            best = prefix
    return iri if best is None else f"{best}:{iri[len(PREFIXES[best]):]}"


def sparql_prefixes() -> str:
    """Return the PREFIX lines for every namespace in :data:`PREFIXES`."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
