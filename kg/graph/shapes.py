"""SHACL validation of the built graph (pySHACL).

The data graph is validated against ``ontology/shapes.ttl`` together with the ontology
and code lists, so that class and scheme constraints can see the concepts. Nothing is fetched: ``owl:imports`` are not followed.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, Graph, Namespace

from kg.core.iris import compact

__all__ = ["ShapeResult", "validate_graph"]

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL validation result."""

    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str
    component: str

    def __str__(self) -> str:
        path = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value else ""
        return f"SHACL {self.shape}{path}: {self.message}{value}"


def validate_graph(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, list[ShapeResult], str]:
    """Validate `data` against `shapes`.

    Parameters
    ----------
    data, shapes, ontology : rdflib.Graph

    Returns
    -------
    conforms : bool
    results : list of ShapeResult
        One per violation, sorted by focus node; ``shape`` names the node shape (the
        holder of a property shape, which is usually a blank node).
    text : str
        pySHACL's report as text.
    """
    from pyshacl import validate

    # The code lists and class hierarchy must be visible to sh:class checks: validate
    # the union of data and ontology (pySHACL copies only classes, properties and named
    # individuals of an ont_graph, and following everything reachable from them is slow).
    merged = Graph()
    for triple in data:
        merged.add(triple)
    for triple in ontology:
        merged.add(triple)
    conforms, report, text = validate(
        merged, shacl_graph=shapes, inference="none",
        advanced=True, do_owl_imports=False, allow_warnings=True, abort_on_first=False,
    )
    results = []
    # top-level results only: a nested shape's own results are sh:detail of these
    top = [r for node in report.subjects(RDF.type, SH.ValidationReport)
           for r in report.objects(node, SH.result)]
    for result in top:
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        def one(predicate):
            value = report.value(result, predicate)
            return None if value is None else str(value)
        shape = report.value(result, SH.sourceShape)
        owner = shapes.value(None, SH.property, shape) if shape is not None else None
        named = owner if owner is not None else shape
        path = one(SH.resultPath)
        results.append(ShapeResult(
            focus=one(SH.focusNode) or "",
            path=compact(path) if path else None,
            value=one(SH.value),
            message=one(SH.resultMessage) or "",
            shape=compact(str(named)) if named is not None else "",
            component=compact(one(SH.sourceConstraintComponent) or ""),
        ))
    results.sort(key=lambda r: (r.focus, r.path or "", r.message))
    return bool(conforms), results, text
