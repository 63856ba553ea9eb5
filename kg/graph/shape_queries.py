"""The SHACL shapes compiled to SPARQL queries, evaluated by Oxigraph.

pySHACL walks the graph node by node in Python: on a national graph (hundreds of
thousands of triples) it takes minutes. The shapes of aco-kg use a small part of SHACL
Core (targets by class; paths that are a predicate, a sequence or alternatives; counts,
datatypes, classes, node kinds, nested node shapes, ``sh:or``, ``sh:xone``, ranges,
lengths, patterns, ``sh:lessThanOrEquals``, ``sh:hasValue``) plus SPARQL-based
constraints. Each of these has a direct SPARQL form (a SHACL path is a SPARQL property
path), so the shapes
are compiled once into one SELECT query per (shape, property, constraint) that returns
the violating focus nodes and values, and Oxigraph answers them in a few seconds.

pySHACL stays the reference: the tests check that both engines report the same
violations (focus node, path, constraint component, shape) on every SHACL example, on
the fixture and on the curated data. A constraint component this compiler does not
know makes :func:`compile_shapes` fail loudly, never pass silently.

Examples
--------
>>> from kg.graph.ontology import load_shapes
>>> checks = compile_shapes(load_shapes())
>>> len(checks) > 100
True
"""

from __future__ import annotations

import itertools
import multiprocessing
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD

from kg.core.iris import compact, sparql_prefixes
from kg.graph.shapes import ShapeResult, path_text

__all__ = ["CompiledCheck", "UnsupportedShape", "compile_shapes", "validate_store"]

#: SHACL parameters that are not constraints (they label, target or group).
_NON_CONSTRAINTS = {SH.path, SH.name, SH.description, SH.message, SH.targetClass, SH.property,
                    SH.severity, SH.order, SH.group, SH.deactivated, RDF.type, SH.declare,
                    SH.prefixes}
_VALUE_CONSTRAINTS = {SH.datatype, SH["class"], SH.nodeKind, SH.node, SH.minInclusive,
                      SH.maxInclusive, SH.minLength, SH.pattern, SH["or"], SH.xone}
_COUNT_CONSTRAINTS = {SH.minCount, SH.maxCount, SH.hasValue, SH.lessThanOrEquals}
_SUPPORTED = _VALUE_CONSTRAINTS | _COUNT_CONSTRAINTS | {SH.sparql, SH.flags}
_COMPONENT = {
    SH.datatype: "Datatype", SH["class"]: "Class", SH.nodeKind: "NodeKind", SH.node: "Node",
    SH.minInclusive: "MinInclusive", SH.maxInclusive: "MaxInclusive", SH.minLength: "MinLength",
    SH.pattern: "Pattern", SH["or"]: "Or", SH.xone: "Xone", SH.minCount: "MinCount",
    SH.maxCount: "MaxCount", SH.hasValue: "HasValue", SH.lessThanOrEquals: "LessThanOrEquals",
    SH.sparql: "SPARQL",
}
#: Datatypes whose lexical form Oxigraph can check by casting (an ill-typed value fails).
_CASTABLE = {XSD.integer, XSD.decimal, XSD.boolean, XSD.date, XSD.gYear, XSD.gYearMonth,
             XSD.double, XSD.dateTime}
_RDF_TYPE_CLOSURE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/" \
                    "<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"


class UnsupportedShape(ValueError):
    """A shape uses a SHACL feature that the compiler does not translate."""


@dataclass(frozen=True)
class CompiledCheck:
    """One constraint of one shape, as a SPARQL query returning ``?this`` and ``?value``."""

    shape: str
    path: str | None
    component: str
    message: str
    query: str


def _term(node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise UnsupportedShape(f"cannot write {node!r} in a query")


def _sparql_path(shapes: Graph, path) -> str:
    """A SHACL path as a SPARQL property path: a predicate, a sequence or alternatives."""
    if isinstance(path, URIRef):
        return _term(path)
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_sparql_path(shapes, p) for p in Collection(shapes, alternatives)) + ")"
    if shapes.value(path, RDF.first) is not None:
        return "(" + "/".join(_sparql_path(shapes, p) for p in Collection(shapes, path)) + ")"
    raise UnsupportedShape(f"a SHACL path other than a predicate, sequence or alternative: {path!r}")


class _Compiler:
    def __init__(self, shapes: Graph):
        self.g = shapes
        self._fresh = itertools.count()

    def var(self) -> str:
        return f"?v{next(self._fresh)}"

    def check_supported(self, shape) -> None:
        for p in set(self.g.predicates(shape)):
            if p.startswith(str(SH)) and p not in _SUPPORTED | _NON_CONSTRAINTS:
                raise UnsupportedShape(f"{compact(str(p))} on {shape} is not compiled to SPARQL")

    # -- a value node V breaks one value-level constraint -------------------------------
    def value_violation(self, constraint, param, v: str) -> str:
        if constraint == SH.datatype:
            test = f"!isLiteral({v}) || DATATYPE({v}) != {_term(param)}"
            if param in _CASTABLE:  # an ill-typed literal is not of its datatype
                test += f' || COALESCE(STR({_term(param)}(STR({v}))), "") = ""'
            return f"FILTER({test})"
        if constraint == SH["class"]:
            return f"FILTER NOT EXISTS {{ {v} {_RDF_TYPE_CLOSURE} {_term(param)} }}"
        if constraint == SH.nodeKind:
            if param != SH.IRI:
                raise UnsupportedShape(f"sh:nodeKind {param}")
            return f"FILTER(!isIRI({v}))"
        if constraint == SH.node:
            return f"FILTER EXISTS {{ {self.node_violation(param, v)} }}"
        if constraint == SH.minInclusive:
            return f"FILTER(!COALESCE({v} >= {_term(param)}, false))"
        if constraint == SH.maxInclusive:
            return f"FILTER(!COALESCE({v} <= {_term(param)}, false))"
        if constraint == SH.minLength:
            return f"FILTER(isBlank({v}) || STRLEN(STR({v})) < {int(param)})"
        if constraint == SH.pattern:
            return f"FILTER(isBlank({v}) || !REGEX(STR({v}), {Literal(str(param)).n3()}))"
        if constraint in (SH["or"], SH.xone):
            shapes = list(Collection(self.g, param))
            broken = [f"EXISTS {{ {self.node_violation(s, v)} }}" for s in shapes]
            if constraint == SH["or"]:
                return "FILTER(" + " && ".join(broken) + ")"
            conforming = " + ".join(f"IF({b}, 0, 1)" for b in broken)
            return f"FILTER(({conforming}) != 1)"
        raise UnsupportedShape(f"{compact(str(constraint))} as a value constraint")

    # -- a focus node X breaks one constraint of a property shape -----------------------
    def property_violation(self, path, constraint, param, x: str) -> tuple[str, str | None]:
        """Return (pattern, value variable or None)."""
        p = _sparql_path(self.g, path)
        if constraint == SH.minCount:
            if int(param) != 1:
                raise UnsupportedShape("sh:minCount other than 1")
            return f"FILTER NOT EXISTS {{ {x} {p} {self.var()} }}", None
        if constraint == SH.maxCount:
            a, b = self.var(), self.var()
            if int(param) == 0:
                return f"{x} {p} {a} .", a
            if int(param) == 1:
                return f"{x} {p} {a} . {x} {p} {b} . FILTER({a} != {b})", a
            raise UnsupportedShape("sh:maxCount above 1")
        if constraint == SH.hasValue:
            return f"FILTER NOT EXISTS {{ {x} {p} {_term(param)} }}", None
        if constraint == SH.lessThanOrEquals:
            a, b = self.var(), self.var()
            return (f"{x} {p} {a} . {x} {_term(param)} {b} . "
                    f"FILTER(!COALESCE({a} <= {b}, false))"), a
        v = self.var()
        return f"{x} {p} {v} . {self.value_violation(constraint, param, v)}", v

    def constraints(self, shape):
        for constraint, param in sorted(self.g.predicate_objects(shape)):
            if constraint in _VALUE_CONSTRAINTS | _COUNT_CONSTRAINTS:
                yield constraint, param

    # -- X breaks a (node or property) shape: a pattern that matches iff it does --------
    def node_violation(self, shape, x: str) -> str:
        self.check_supported(shape)
        if self.g.value(shape, SH.sparql) is not None:
            raise UnsupportedShape("sh:sparql inside a nested shape")
        path = self.g.value(shape, SH.path)
        branches = []
        for constraint, param in self.constraints(shape):
            if path is not None:
                branches.append(self.property_violation(path, constraint, param, x)[0])
            elif constraint in _VALUE_CONSTRAINTS:
                branches.append(self.value_violation(constraint, param, x))
            else:
                raise UnsupportedShape(f"{compact(str(constraint))} on a node shape")
        for prop in self.g.objects(shape, SH.property):
            branches.append(self.node_violation(prop, x))
        if not branches:
            return "FILTER(false)"
        return " UNION ".join("{ " + b + " }" for b in branches)


def _message(shapes: Graph, shape, constraint, param) -> str:
    given = shapes.value(shape, SH.message)
    if given is not None:
        return str(given)
    words = {
        SH.minCount: "a required value is missing",
        SH.maxCount: f"more than {param} value(s)",
        SH.hasValue: f"does not have the value {compact(str(param))}",
        SH.datatype: f"value is not a well-formed {compact(str(param))}",
        SH["class"]: f"value is not an instance of {compact(str(param))}",
        SH.nodeKind: "value is not an IRI",
        SH.node: f"value does not conform to {compact(str(param))}",
        SH.minInclusive: f"value is below {param}",
        SH.maxInclusive: f"value is above {param}",
        SH.minLength: f"value is shorter than {param}",
        SH.pattern: f"value does not match {param}",
        SH["or"]: "conforms to none of the alternatives",
        SH.xone: "does not conform to exactly one of the alternatives",
        SH.lessThanOrEquals: f"value is greater than {compact(str(param))}",
    }
    return words.get(constraint, "constraint violated")


def compile_shapes(shapes: Graph) -> list[CompiledCheck]:
    """Compile every constraint of every targeted shape to a SPARQL query.

    Parameters
    ----------
    shapes : rdflib.Graph
        The shapes graph (both shapes files: :func:`kg.graph.ontology.load_shapes`).

    Returns
    -------
    list of CompiledCheck

    Raises
    ------
    UnsupportedShape
        If a shape uses a SHACL feature the compiler does not translate.
    """
    compiler = _Compiler(shapes)
    prefixes = sparql_prefixes()
    checks = []
    for shape in sorted(set(shapes.subjects(SH.targetClass, None))):
        compiler.check_supported(shape)
        classes = " ".join(_term(c) for c in sorted(shapes.objects(shape, SH.targetClass)))
        target = f"VALUES ?target {{ {classes} }} ?this {_RDF_TYPE_CLOSURE} ?target ."
        name = compact(str(shape))

        def emit(path, component, message, body, value):
            projected = "?value" if value == "?value" else f"({value or '?this'} AS ?value)"
            if "?path" in body:  # a SPARQL constraint may name the path of its result
                projected += " ?path"
            query = (f"{prefixes}SELECT DISTINCT ?this {projected} "
                     f"WHERE {{ {target} {body} }}")
            checks.append(CompiledCheck(name, path_text(shapes, path) if path is not None else None,
                                        f"sh:{component}ConstraintComponent", message, query))

        for constraint, param in compiler.constraints(shape):  # on the focus node itself
            if constraint not in _VALUE_CONSTRAINTS:
                raise UnsupportedShape(f"{compact(str(constraint))} on node shape {name}")
            emit(None, _COMPONENT[constraint], _message(shapes, shape, constraint, param),
                 compiler.value_violation(constraint, param, "?this"), None)
        for sparql in shapes.objects(shape, SH.sparql):
            emit(None, "SPARQL", str(shapes.value(sparql, SH.message) or "SPARQL constraint"),
                 _sparql_body(shapes, sparql, None), "?value")
        for prop in sorted(shapes.objects(shape, SH.property), key=str):
            compiler.check_supported(prop)
            path = shapes.value(prop, SH.path)
            for constraint, param in compiler.constraints(prop):
                body, value = compiler.property_violation(path, constraint, param, "?this")
                emit(path, _COMPONENT[constraint], _message(shapes, prop, constraint, param),
                     body, value)
            for sparql in shapes.objects(prop, SH.sparql):
                emit(path, "SPARQL", str(shapes.value(sparql, SH.message) or "SPARQL constraint"),
                     _sparql_body(shapes, sparql, path), "?value")
        if isinstance(shape, BNode):
            raise UnsupportedShape("a targeted shape must have an IRI")
    return checks


def _sparql_body(shapes: Graph, sparql, path) -> str:
    select = str(shapes.value(sparql, SH.select))
    select = select.replace("$this", "?this")
    if path is not None:
        select = select.replace("$PATH", _sparql_path(shapes, path))
    if "$" in select:
        raise UnsupportedShape("a SPARQL constraint with pre-bound variables other than $this, $PATH")
    return "{ " + select + " }"


def _filled(message: str, focus: str, value: str | None) -> str:
    """The message with ``{?value}`` and ``{$this}`` replaced, as pySHACL fills them.

    >>> _filled("The year {?value} lies outside 2012..2100.", "x", "2005")
    'The year 2005 lies outside 2012..2100.'
    """
    for name, text in (("value", value), ("this", focus)):
        if text is not None:
            message = message.replace("{?" + name + "}", text).replace("{$" + name + "}", text)
    return message


def _violations(store, check: CompiledCheck) -> list[ShapeResult]:
    results = []
    for solution in store.query(check.query):
        value = solution["value"]
        named = solution["path"] if "?path" in check.query else None
        focus = solution["this"].value
        results.append(ShapeResult(
            focus=focus,
            path=compact(named.value) if named is not None else check.path,
            value=None if value is None else value.value,
            message=_filled(check.message, focus, None if value is None else value.value),
            shape=check.shape,
            component=check.component,
        ))
    return results


#: The store and checks that forked workers query (set just before the workers fork).
_SHARED: tuple = ()


def _violations_of(index: int) -> list[ShapeResult]:
    store, checks = _SHARED
    return _violations(store, checks[index])


def validate_store(store, checks: list[CompiledCheck], workers: int = 1
                   ) -> tuple[bool, list[ShapeResult]]:
    """Run the compiled checks on an Oxigraph store holding the data and the ontology.

    Parameters
    ----------
    store : pyoxigraph.Store
    checks : list of CompiledCheck
    workers : int
        Checks run at the same time, each in a worker process forked from this one, which
        sees the store as it is (copy-on-write: nothing is loaded again). Threads would not
        do: two threads querying one in-memory store took as long as one after the
        other (pyoxigraph 0.5). The results do not depend on it; where the platform
        cannot fork, the checks run one by one.

    Returns
    -------
    conforms : bool
    results : list of ShapeResult
        One per violation, sorted by focus node, in the same form as
        :func:`kg.graph.shapes.validate_graph` gives.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> from kg.graph.ontology import load_shapes
    >>> store = ox.Store()
    >>> store.load(input='<https://w3id.org/aco-kg/id/organization/x> '
    ...            '<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
    ...            '<https://w3id.org/aco-kg/ontology#Organization> .',
    ...            format=ox.RdfFormat.N_TRIPLES)
    >>> checks = compile_shapes(load_shapes())
    >>> one = validate_store(store, checks)
    >>> one == validate_store(store, checks, workers=2), one[0]
    (True, False)
    """
    global _SHARED
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        _SHARED = (store, checks)
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                # in the order of the checks, whatever order they finish in
                per_check = pool.map(_violations_of, range(len(checks)), chunksize=1)
        finally:
            _SHARED = ()
    else:
        per_check = [_violations(store, check) for check in checks]
    results = [result for found in per_check for result in found]
    results.sort(key=lambda r: (r.focus, r.path or "", r.message))
    return not results, results
