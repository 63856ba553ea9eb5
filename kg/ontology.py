"""The ontology files (ontology/*.ttl) and the SKOS code lists they define.

Only Turtle is read: RDF/XML would open the door to XML entity expansion
(see docs on reliability), and nothing is fetched: the import module
``ontology/imports.ttl`` declares the external terms we reuse.

Examples
--------
>>> codes = code_lists()
>>> codes["evidence"]["reported"]
'https://w3id.org/aco-kg/code/evidence/reported'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Namespace, URIRef

from kg.iris import CODE, PREFIXES

__all__ = [
    "ONTOLOGY_DIR",
    "ONTOLOGY_FILES",
    "SHAPES_FILE",
    "load_ontology",
    "load_shapes",
    "code_lists",
]

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
#: The ontology proper, its import module and the code lists, merged for queries.
ONTOLOGY_FILES = ("aco.ttl", "imports.ttl", "codes.ttl")
SHAPES_FILE = "shapes.ttl"

SKOS = Namespace(PREFIXES["skos"])


def _parse(paths) -> Graph:
    graph = Graph()
    for name, namespace in PREFIXES.items():
        graph.bind(name, namespace)
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise ValueError(f"{path}: DOCTYPE or ENTITY declarations are not accepted")
        graph.parse(data=text, format="turtle", publicID=Path(path).as_uri())
    return graph


def load_ontology(directory: str | Path | None = None) -> Graph:
    """Return the ontology, its import module and the code lists as one rdflib Graph."""
    directory = Path(directory) if directory else ONTOLOGY_DIR
    return _parse(directory / name for name in ONTOLOGY_FILES)


def load_shapes(directory: str | Path | None = None) -> Graph:
    """Return the SHACL shapes graph."""
    directory = Path(directory) if directory else ONTOLOGY_DIR
    return _parse([directory / SHAPES_FILE])


@lru_cache(maxsize=4)
def _code_lists(directory: Path) -> dict[str, dict[str, str]]:
    graph = _parse([directory / "codes.ttl"])
    lists: dict[str, dict[str, str]] = {}
    for concept, scheme in graph.subject_objects(SKOS.inScheme):
        if not isinstance(scheme, URIRef) or not str(scheme).startswith(CODE):
            continue
        for notation in graph.objects(concept, SKOS.notation):
            lists.setdefault(str(scheme)[len(CODE):], {})[str(notation)] = str(concept)
    return lists


def code_lists(directory: str | Path | None = None) -> dict[str, dict[str, str]]:
    """Return ``{scheme: {notation: concept IRI}}`` for every SKOS scheme of codes.ttl.

    A copy, so callers may not corrupt the cache.
    """
    directory = Path(directory) if directory else ONTOLOGY_DIR
    return {k: dict(v) for k, v in _code_lists(directory.resolve()).items()}
