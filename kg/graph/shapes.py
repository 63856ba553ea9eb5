"""SHACL validation of the built graph (pySHACL).

The data graph is validated against the shapes (``ontology/shapes-columns.ttl``,
generated from the data dictionary, and ``ontology/shapes.ttl``) together with the
ontology and code lists, so that class and scheme constraints can see the concepts.
Nothing is fetched: ``owl:imports`` are not followed.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection

from kg.core.iris import compact

__all__ = ["ShapeResult", "path_text", "order_partial_dates", "validate_graph"]

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


def path_text(shapes: Graph, path) -> str:
    """A SHACL path of `shapes` in SPARQL property-path syntax, with CURIEs.

    Both engines name a result's path this way: a predicate, a sequence ``a/b`` or a
    choice ``(a|b)``.

    >>> g = Graph().parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . "
    ...     "@prefix time: <http://www.w3.org/2006/time#> . "
    ...     "[] sh:path (time:hasEnd [ sh:alternativePath (time:inXSDDate time:inXSDgYear) ]) .",
    ...     format="turtle")
    >>> path_text(g, next(g.objects(None, SH.path)))
    'time:hasEnd/(time:inXSDDate|time:inXSDgYear)'
    """
    if isinstance(path, URIRef):
        return compact(str(path))
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(shapes, p) for p in Collection(shapes, alternatives)) + ")"
    if shapes.value(path, RDF.first) is not None:
        return "/".join(path_text(shapes, p) for p in Collection(shapes, path))
    raise ValueError(f"a SHACL path other than a predicate, sequence or alternative: {path!r}")


_PARTIAL_DATES = {"gYear": r"-?\d{4,}", "gYearMonth": r"-?\d{4,}-(0[1-9]|1[0-2])"}


def order_partial_dates() -> None:
    """Give ``xsd:gYear`` and ``xsd:gYearMonth`` literals a value rdflib can order.

    rdflib gives them no Python value, so pySHACL cannot apply ``sh:lessThanOrEquals`` to
    them (study years) and raises. This registers their lexical form (checked) as their
    value, as OWL-RL's datatype handling does: for the years and months of our data, the
    lexical order is the order in time. It is global to rdflib and idempotent; it used
    to happen only as a side effect of an RDFS inference run, so validation depended on
    what had run before it in the process.

    >>> from rdflib import Literal, XSD
    >>> order_partial_dates()
    >>> Literal("2012", datatype=XSD.gYear) <= Literal("2017", datatype=XSD.gYear)
    True
    """
    import re

    from rdflib import XSD
    from rdflib.term import bind

    for name, pattern in _PARTIAL_DATES.items():
        def lexical(text: str, pattern: str = pattern, name: str = name) -> str:
            if not re.fullmatch(pattern, text.strip()):
                raise ValueError(f"not an xsd:{name}: {text!r}")
            return text.strip()
        bind(XSD[name], str, constructor=lexical, datatype_specific=True)


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

    order_partial_dates()

    # The code lists and class hierarchy must be visible to sh:class checks: validate
    # the union of data and ontology (pySHACL copies only classes, properties and named
    # individuals of an ont_graph, and following everything reachable from them is slow).
    merged = Graph()
    for triple in data:
        merged.add(triple)
    for triple in ontology:
        merged.add(triple)
    # inplace: the merged graph is ours alone, so pySHACL need not copy it first
    conforms, report, text = validate(
        merged, shacl_graph=shapes, inference="none", inplace=True,
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
        path = report.value(result, SH.resultPath)
        if path is not None and not isinstance(path, URIRef):  # a path through nodes
            path = shapes.value(shape, SH.path)
        results.append(ShapeResult(
            focus=one(SH.focusNode) or "",
            path=path_text(shapes, path) if path is not None else None,
            value=one(SH.value),
            message=one(SH.resultMessage) or "",
            shape=compact(str(named)) if named is not None else "",
            component=compact(one(SH.sourceConstraintComponent) or ""),
        ))
    results.sort(key=lambda r: (r.focus, r.path or "", r.message))
    return bool(conforms), results, text
