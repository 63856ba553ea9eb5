"""SHACL shapes against hand-written example graphs (tests/shapes/{valid,invalid}/*.ttl).

Every valid example must conform. Every invalid example starts with a line

    # breaks: shape:SomeShape sh:SomeConstraintComponent on <path CURIE>

(``on (node)`` for a constraint on the focus node itself, which has no result path) and
must be rejected with exactly that constraint: every top-level result of the report has
that constraint component and path, and comes from the named shape or one of its
property shapes. The shapes (ontology/shapes-columns.ttl, generated from the data
dictionary, and the hand-written ontology/shapes.ttl) are validated as the build does
it (kg.graph.shapes.validate_graph): on the union of the data graph and aco.ttl +
imports.ttl + codes.ttl, so that class and scheme constraints see the concepts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib import URIRef
from rdflib.namespace import RDF, SH

from kg.graph.shapes import order_partial_dates

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = Path(__file__).resolve().parent / "shapes"
HEADER = re.compile(r"^# breaks: (shape:\S+) (sh:\S+) on (\(node\)|\S+)\s*$")


def examples(kind: str) -> list[Path]:
    return sorted((EXAMPLES / kind).glob("*.ttl"))


@pytest.fixture(scope="module")
def shapes_graph() -> rdflib.Graph:
    """The column shapes generated from the dictionary and the hand-written ones."""
    g = rdflib.Graph()
    for name in ("shapes-columns.ttl", "shapes.ttl"):
        g.parse(ROOT / "ontology" / name, format="turtle")
    return g


@pytest.fixture(scope="module")
def ont_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for name in ("aco.ttl", "imports.ttl", "codes.ttl"):
        g.parse(ROOT / "ontology" / name, format="turtle")
    return g


def validate(path: Path, shapes_graph, ont_graph, inference: str = "none"):
    order_partial_dates()  # as the build does before pySHACL runs
    data = rdflib.Graph().parse(path, format="turtle")
    for triple in ont_graph:
        data.add(triple)
    conforms, report, text = pyshacl.validate(
        data, shacl_graph=shapes_graph, inference=inference, advanced=True, inplace=True
    )
    return conforms, report, text


def test_example_folders_are_not_empty():
    assert len(examples("valid")) >= 6
    assert len(examples("invalid")) >= 12


# with RDFS entailments materialised too, in make test (a second pass over every example)
@pytest.mark.parametrize("inference", ["none", pytest.param("rdfs", marks=pytest.mark.slow)])
@pytest.mark.parametrize("path", examples("valid"), ids=lambda p: p.stem)
def test_valid_example_conforms(path, inference, shapes_graph, ont_graph):
    conforms, _, text = validate(path, shapes_graph, ont_graph, inference)
    assert conforms, text


def parse_header(path: Path, shapes_graph) -> tuple[URIRef, URIRef, URIRef | None]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = HEADER.match(first)
    assert match, f"{path.name}: first line must be '# breaks: shape:X sh:Y on <path>'"
    expand = shapes_graph.namespace_manager.expand_curie
    shape, component, on = match.groups()
    return expand(shape), expand(component), None if on == "(node)" else expand(on)


@pytest.mark.parametrize("path", examples("invalid"), ids=lambda p: p.stem)
def test_invalid_example_breaks_the_named_constraint(path, shapes_graph, ont_graph):
    shape, component, result_path = parse_header(path, shapes_graph)
    assert (shape, RDF.type, SH.NodeShape) in shapes_graph, f"{shape} is not a node shape"
    conforms, report, text = validate(path, shapes_graph, ont_graph)
    assert not conforms, f"{path.name} conforms, so it is not a negative test"
    own = {shape} | set(shapes_graph.objects(shape, SH.property))
    results = [r for rep in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(rep, SH.result)]
    assert results
    found = [
        (report.value(r, SH.sourceShape), report.value(r, SH.sourceConstraintComponent), report.value(r, SH.resultPath))
        for r in results
    ]
    for source_shape, found_component, found_path in found:
        assert source_shape in own, f"unexpected result from another shape:\n{text}"
        assert found_component == component, f"unexpected constraint {found_component}:\n{text}"
        assert found_path == result_path, f"unexpected path {found_path}:\n{text}"
