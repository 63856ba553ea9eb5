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

from rdflib import Graph, Namespace

from kg.core.iris import CODE, PREFIXES
from kg.core.resources import ontology_dir

__all__ = [
    "ONTOLOGY_DIR",
    "ONTOLOGY_FILES",
    "SHAPES_FILES",
    "load_ontology",
    "load_shapes",
    "code_lists",
]

ONTOLOGY_DIR = ontology_dir()
#: The ontology proper, its import module and the code lists, merged for queries.
ONTOLOGY_FILES = ("aco.ttl", "imports.ttl", "codes.ttl")
#: The SHACL shapes: those of the columns, generated from the data dictionary
#: (:mod:`kg.graph.column_shapes`), and the hand-written rules across fields and nodes.
SHAPES_FILES = ("shapes-columns.ttl", "shapes.ttl")

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


@lru_cache(maxsize=8)
def _parsed(paths: tuple[Path, ...], _stamp: tuple) -> Graph:
    return _parse(paths)


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace)
    for triple in graph:
        copy.add(triple)
    return copy


def load_ontology(directory: str | Path | None = None) -> Graph:
    """Return the ontology, its import module and the code lists as one rdflib Graph.

    Parsed once while the files are unchanged; each call returns a fresh copy.
    """
    directory = (Path(directory) if directory else ONTOLOGY_DIR).resolve()
    paths = tuple(directory / name for name in ONTOLOGY_FILES)
    return _copy(_parsed(paths, _stamp(paths)))


def load_shapes(directory: str | Path | None = None) -> Graph:
    """Return the SHACL shapes graph: both shapes files (parsed once while they are
    unchanged; a copy)."""
    directory = (Path(directory) if directory else ONTOLOGY_DIR).resolve()
    paths = tuple(directory / name for name in SHAPES_FILES)
    return _copy(_parsed(paths, _stamp(paths)))


def _stamp(paths) -> tuple:
    """What identifies the content of files for the caches: path, size and mtime."""
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in map(Path, paths))


@lru_cache(maxsize=8)
def _code_lists(path: Path, _stamp: tuple) -> dict[str, dict[str, str]]:
    # pyoxigraph parses the code lists about ten times faster than rdflib
    import pyoxigraph as ox

    in_scheme, notation = SKOS.inScheme, SKOS.notation
    schemes: dict[str, str] = {}
    notations: dict[str, list[str]] = {}
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        predicate = triple.predicate.value
        if predicate == str(in_scheme) and triple.object.value.startswith(CODE):
            schemes[triple.subject.value] = triple.object.value[len(CODE):]
        elif predicate == str(notation):
            notations.setdefault(triple.subject.value, []).append(triple.object.value)
    lists: dict[str, dict[str, str]] = {}
    for concept, scheme in schemes.items():
        for value in notations.get(concept, []):
            lists.setdefault(scheme, {})[value] = concept
    return lists


def code_lists(directory: str | Path | None = None) -> dict[str, dict[str, str]]:
    """Return ``{scheme: {notation: concept IRI}}`` for every SKOS scheme of codes.ttl.

    Cached while the file is unchanged; a copy is returned, so callers cannot corrupt
    the cache.
    """
    path = (Path(directory) if directory else ONTOLOGY_DIR).resolve() / "codes.ttl"
    return {k: dict(v) for k, v in _code_lists(path, _stamp([path])).items()}
