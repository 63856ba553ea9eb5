"""The SHACL shapes of the columns, generated from the data dictionary.

Each column's rules are written once, in ``data/datapackage.yaml``. This module turns
them into SHACL, which is committed as ``ontology/shapes-columns.ttl`` (``make shapes``
writes it; a test fails when it is stale), so that a researcher reading ``ontology/``
sees every shape, and a build validates against shapes that a changed ``--dictionary``
cannot loosen. Rules that no single column can state (one field against another, the
shapes of interval and instant nodes) are hand-written in ``ontology/shapes.ttl``.

What each resource of the dictionary becomes:

- a node shape ``shape:{Class}Shape`` targeting its ``rdfType``, one property shape per
  column whose ``sh:path`` is the column's ``rdfPath`` as the mapping
  (:mod:`kg.graph.mapping`) writes it: a sequence path through intermediate nodes, the
  last step ``@time`` an alternative path of the three OWL-Time positions;
- ``sh:name`` the column, ``sh:description`` its description, ``sh:message`` the
  column's whole rule in words (both SHACL engines report it);
- ``required`` -> ``sh:minCount 1``; every column ``sh:maxCount 1``;
- the column type -> ``sh:datatype`` (a date: ``sh:or`` of date, month and year);
  ``minimum`` / ``maximum`` -> ``sh:minInclusive`` / ``sh:maxInclusive`` (on a year, a
  SPARQL constraint: pySHACL cannot order ``xsd:gYear``); ``pattern`` -> ``sh:pattern``;
  ``minLength`` -> ``sh:minLength``;
- ``codeScheme`` -> ``sh:class skos:Concept`` and ``sh:node shape:{Scheme}Code`` (the
  concept is ``skos:inScheme`` that list; ``*``: in some list); ``reference`` ->
  ``sh:class`` of the referenced resource's ``rdfType``; both ``sh:nodeKind sh:IRI``;
- each first step into an intermediate node (an interval, an instant) -> a property
  shape of its own: at most one, an IRI, of the type ``intermediateTypes`` gives it.

A column that ends in ``@time`` gets no ``sh:maxCount`` or ``sh:datatype`` on its full
path: the step into the intermediate node allows one node, and the hand-written interval
and instant shapes allow one position of the right datatype, so the same fault would
otherwise be reported twice.

The provenance fields (``provenanceFields``) make one shape, ``shape:ProvenanceShape``,
targeting every resource with ``provenance: true``.

Examples
--------
>>> from kg.core.dictionary import load_dictionary
>>> shapes = column_shapes(load_dictionary())
>>> from rdflib.namespace import SH
>>> shape = shapes.value(predicate=SH.targetClass, object=URIRef(expand("aco:Board")))
>>> compact(str(shape))
'https://w3id.org/aco-kg/shapes#BoardShape'
>>> sorted(str(shapes.value(p, SH.name)) for p in shapes.objects(shape, SH.property))[:3]
['aco_id', 'decision_rule', 'description']
"""

from __future__ import annotations

import re
from decimal import Decimal

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD

from kg.core.dictionary import TIME_STEP, Dictionary, Field, Resource
from kg.core.errors import UsageError
from kg.core.iris import CODE, PREFIXES, SHAPES, compact, expand
from kg.graph.mapping import LITERAL_DATATYPES, TIME_POSITIONS

__all__ = ["COLUMN_SHAPES_IRI", "column_shapes", "column_shapes_turtle", "code_shape",
           "rdf_path_text"]

SHAPE = Namespace(SHAPES)
#: The IRI of the generated shapes file (its ``owl:Ontology`` header).
COLUMN_SHAPES_IRI = URIRef("https://w3id.org/aco-kg/shapes/columns")
_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")

HEADER = """\
# GENERATED FILE: do not edit. Written by kg/graph/column_shapes.py from the data
# dictionary data/datapackage.yaml; `make shapes` writes it again, and
# tests/test_column_shapes.py fails when it is out of date.
#
# The SHACL shapes of the columns: one node shape per resource of the dictionary
# (shape:{Class}Shape, targeting its rdfType), one property shape per column (sh:name is
# the column, sh:path its rdfPath), one for the provenance columns every fact file has
# (shape:ProvenanceShape), and one per code list (shape:{Scheme}Code). What becomes what
# is told in the docstring of kg/graph/column_shapes.py and in the README ("SHACL shapes").
# Rules across fields, and the shapes of interval and instant nodes, are hand-written in
# ontology/shapes.ttl.

"""


def code_shape(scheme: str) -> URIRef:
    """The node shape that checks a concept is in the code list `scheme` (``*``: in any).

    >>> code_shape("org-kind")
    rdflib.term.URIRef('https://w3id.org/aco-kg/shapes#OrgKindCode')
    """
    if scheme == "*":
        return SHAPE.CodeInAnyScheme
    return SHAPE["".join(part.capitalize() for part in scheme.split("-")) + "Code"]


def _node_shape(resource: Resource) -> URIRef:
    return SHAPE[resource.rdf_type.partition(":")[2] + "Shape"]


def rdf_path_text(steps: tuple[str, ...]) -> str:
    """An rdfPath in SPARQL property-path syntax, as SHACL results name the path.

    >>> rdf_path_text(("aco:during", "time:hasEnd", "@time"))
    'aco:during/time:hasEnd/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear)'
    """
    words = [("(" + "|".join(compact(p) for p in TIME_POSITIONS) + ")") if step == TIME_STEP
             else compact(expand(step)) for step in steps]
    return "/".join(words)


def _path(graph: Graph, steps: tuple[str, ...]):
    """The SHACL path node of an rdfPath: an IRI, or a list (a sequence path)."""
    nodes = []
    for step in steps:
        if step == TIME_STEP:
            alternatives = BNode()
            Collection(graph, alternatives, [URIRef(p) for p in TIME_POSITIONS])
            node = BNode()
            graph.add((node, SH.alternativePath, alternatives))
            nodes.append(node)
        else:
            nodes.append(URIRef(expand(step)))
    if len(nodes) == 1:
        return nodes[0]
    head = BNode()
    Collection(graph, head, nodes)
    return head


def _number(value: float, datatype: str) -> Literal:
    """A bound as a literal of the column's datatype, in the lexical form Turtle gives it.

    >>> [str(_number(bound, str(XSD.decimal))) for bound in (0, -100, 2.5)]
    ['0.0', '-100.0', '2.5']
    """
    if datatype == str(XSD.integer):
        return Literal(int(value))
    text = format(Decimal(str(value)), "f")
    return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)


def _bounds_words(f: Field) -> str:
    if f.minimum is not None and f.maximum is not None:
        return f" from {f.minimum:g} to {f.maximum:g}"
    if f.minimum is not None:
        return f" of at least {f.minimum:g}"
    if f.maximum is not None:
        return f" of at most {f.maximum:g}"
    return ""


def _rule_words(f: Field, dictionary: Dictionary) -> str:
    """The column's rule in words, for its sh:message."""
    count = "exactly one" if f.required else "at most one"
    if f.reference:
        target = dictionary.resource(f.reference)
        kind = f"{target.rdf_type} (an id of {target.path})"
    elif f.code_scheme == "*":
        kind = "concept of any code list (SCHEME/NOTATION)"
    elif f.code_scheme:
        kind = f"concept of the {f.code_scheme} code list"
    else:
        kind = {"string": "text", "integer": "integer", "number": "decimal",
                "boolean": "boolean", "year": "year", "date": "date, month or year"}[f.type]
        if f.min_length == 1:
            kind = f"non-empty {kind}"
        elif f.min_length:
            kind = f"{kind} of at least {f.min_length} characters"
        kind += _bounds_words(f)
        if f.unit:
            kind += f" ({f.unit})"
        if f.pattern:
            kind += f" matching {f.pattern}"
    return f"{count} {kind}"


def _year_bounds(graph: Graph, f: Field, where: str):
    """A SPARQL constraint for the bounds of a year (pySHACL cannot order xsd:gYear)."""
    tests = []
    if f.minimum is not None:
        tests.append(f"xsd:integer(STR(?value)) < {int(f.minimum)}")
    if f.maximum is not None:
        tests.append(f"xsd:integer(STR(?value)) > {int(f.maximum)}")
    low = "" if f.minimum is None else f"{int(f.minimum)}"
    high = "" if f.maximum is None else f"{int(f.maximum)}"
    constraint = BNode()
    graph.add((constraint, RDF.type, SH.SPARQLConstraint))
    graph.add((constraint, SH.message, Literal(
        f"{f.name} ({where}): the year {{?value}} lies outside {low}..{high}.", lang="en")))
    graph.add((constraint, SH.prefixes, COLUMN_SHAPES_IRI))
    graph.add((constraint, SH.select, Literal(
        "\n            SELECT $this ?value\n            WHERE {\n"
        "                $this $PATH ?value .\n"
        f"                FILTER ({' || '.join(tests)})\n"
        "            }\n            ")))
    return constraint


def _column(graph: Graph, node, f: Field, where: str, dictionary: Dictionary) -> None:
    """Add the property shape of column `f` to the blank node `node`."""
    through_time = f.rdf_path[-1] == TIME_STEP
    graph.add((node, SH.path, _path(graph, f.rdf_path)))
    graph.add((node, SH.name, Literal(f.name)))
    if f.description:
        graph.add((node, SH.description, Literal(f.description, lang="en")))
    graph.add((node, SH.message, Literal(f"{f.name} ({where}): {_rule_words(f, dictionary)}.",
                                         lang="en")))
    if f.required:
        graph.add((node, SH.minCount, Literal(1)))
    if not through_time:  # see the module docstring
        graph.add((node, SH.maxCount, Literal(1)))
    if (f.reference or f.code_scheme) and (f.pattern or f.min_length):
        raise UsageError(f"{where} column {f.name}: a pattern or length applies to the "
                         "text of a cell, which this column turns into an IRI")
    if f.reference:
        target = dictionary.resource(f.reference)
        graph.add((node, SH["class"], URIRef(expand(target.rdf_type))))
        graph.add((node, SH.nodeKind, SH.IRI))
        return
    if f.code_scheme:
        graph.add((node, SH["class"], SKOS.Concept))
        graph.add((node, SH.nodeKind, SH.IRI))
        graph.add((node, SH.node, code_shape(f.code_scheme)))
        return
    datatypes = LITERAL_DATATYPES[f.type]
    if not through_time:
        if len(datatypes) == 1:
            graph.add((node, SH.datatype, URIRef(datatypes[0])))
        else:
            alternatives = []
            for datatype in datatypes:
                alternative = BNode()
                graph.add((alternative, SH.datatype, URIRef(datatype)))
                alternatives.append(alternative)
            head = BNode()
            Collection(graph, head, alternatives)
            graph.add((node, SH["or"], head))
    if f.type == "year" and (f.minimum is not None or f.maximum is not None):
        graph.add((node, SH.sparql, _year_bounds(graph, f, where)))
    else:
        if f.minimum is not None:
            graph.add((node, SH.minInclusive, _number(f.minimum, datatypes[0])))
        if f.maximum is not None:
            graph.add((node, SH.maxInclusive, _number(f.maximum, datatypes[0])))
    if f.min_length is not None:
        graph.add((node, SH.minLength, Literal(int(f.min_length))))
    if f.pattern:
        graph.add((node, SH.pattern, Literal(f.pattern)))


def _link(graph: Graph, node, step: str, columns: list[str], where: str,
          dictionary: Dictionary) -> None:
    """Add the property shape of a step into an intermediate node (not a column)."""
    graph.add((node, SH.path, URIRef(expand(step))))
    node_type = dictionary.intermediate_types.get(step)
    words = f"the {node_type} node" if node_type else "the node"
    verb = "hangs" if len(columns) == 1 else "hang"
    graph.add((node, SH.description, Literal(
        f"{words[0].upper()}{words[1:]} that {' and '.join(columns)} {verb} from "
        "(not a column).", lang="en")))
    graph.add((node, SH.message, Literal(
        f"{', '.join(columns)} ({where}): at most one {node_type or 'node'}, "
        f"reached by {step}.", lang="en")))
    graph.add((node, SH.maxCount, Literal(1)))
    if node_type:
        graph.add((node, SH["class"], URIRef(expand(node_type))))
    graph.add((node, SH.nodeKind, SH.IRI))


def _property_shapes(graph: Graph, shape: URIRef, fields: tuple[Field, ...], where: str,
                     dictionary: Dictionary) -> None:
    """One property shape per column, plus one per first step into an intermediate node,
    numbered in the order of the columns (the Turtle file lists them in that order)."""
    items: list[tuple] = []
    linked: dict[str, list[str]] = {}
    for f in fields:
        if not f.rdf_path:
            continue  # the primary key: the IRI of the row's node
        if len(f.rdf_path) > 1:
            first = f.rdf_path[0]
            if first not in linked:
                linked[first] = []
                items.append(("link", first))
            linked[first].append(f.name)
        items.append(("column", f))
    local = str(shape)[len(SHAPES):]
    for number, (kind, item) in enumerate(items, start=1):
        node = BNode(f"{local}-{number:02d}")
        graph.add((shape, SH.property, node))
        if kind == "link":
            _link(graph, node, item, linked[item], where, dictionary)
        else:
            _column(graph, node, item, where, dictionary)


_STATEMENT_PARTS = (RDF.subject, RDF.predicate, RDF.object)


def _statement_shapes(graph: Graph, shape: URIRef, resource: Resource) -> None:
    """The shape of a reified statement (``statementOf``): one subject, predicate and
    object, a triple the graph holds, and the evidence kind inferred."""
    file, row, column = resource.statement_of
    where = resource.path
    for number, part in enumerate(_STATEMENT_PARTS, start=1):
        node = BNode(f"{str(shape)[len(SHAPES):]}-statement-{number}")
        graph.add((shape, SH.property, node))
        graph.add((node, SH.path, part))
        graph.add((node, SH.description, Literal(
            f"The {compact(str(part)).partition(':')[2]} of the triple of the cell that "
            f"{file}, {row} and {column} name (not a column).", lang="en")))
        graph.add((node, SH.message, Literal(
            f"{file}, {row}, {column} ({where}): a statement names exactly one "
            f"{compact(str(part)).partition(':')[2]}.", lang="en")))
        graph.add((node, SH.minCount, Literal(1)))
        graph.add((node, SH.maxCount, Literal(1)))
        if part != RDF.object:
            graph.add((node, SH.nodeKind, SH.IRI))
    inferred = BNode(f"{str(shape)[len(SHAPES):]}-statement-evidence")
    graph.add((shape, SH.property, inferred))
    graph.add((inferred, SH.path, URIRef(expand("aco:evidenceKind"))))
    graph.add((inferred, SH.hasValue, URIRef(CODE + "evidence/inferred")))
    graph.add((inferred, SH.message, Literal(
        f"evidence ({where}): a statement marks its value inferred (a row's own evidence "
        "covers the values the source reports).", lang="en")))
    exists = BNode(f"{str(shape)[len(SHAPES):]}-statement-triple")
    graph.add((shape, SH.sparql, exists))
    graph.add((exists, RDF.type, SH.SPARQLConstraint))
    graph.add((exists, SH.message, Literal(
        f"{file}, {row}, {column} ({where}): the graph holds no such value: the statement "
        "reifies a triple that is not there.", lang="en")))
    graph.add((exists, SH.select, Literal(
        "\n            SELECT $this\n            WHERE {\n"
        "                $this <" + str(RDF.subject) + "> ?s ; <" + str(RDF.predicate) + "> ?p ; <"
        + str(RDF.object) + "> ?o .\n"
        "                FILTER NOT EXISTS { ?s ?p ?o }\n"
        "            }\n            ")))


def _words(local_name: str) -> str:
    """``PerformanceYearResult`` -> ``Performance year result``."""
    return re.sub(r"(?<=[a-z])([A-Z])", lambda m: " " + m.group(1).lower(), local_name)


def column_shapes(dictionary: Dictionary) -> Graph:
    """The SHACL shapes of every column of `dictionary`.

    Parameters
    ----------
    dictionary : Dictionary

    Returns
    -------
    rdflib.Graph
        Node shapes per resource, ``shape:ProvenanceShape`` and one shape per code list
        (see the module docstring for what becomes what).

    Raises
    ------
    UsageError
        If a column carries a rule that cannot be checked on the graph (a pattern on a
        column that becomes an IRI).
    """
    graph = Graph()
    for prefix in ("rdf", "rdfs", "owl", "xsd", "sh", "dcterms", "skos", "org", "prov", "time",
                   "aco", "code"):
        graph.bind(prefix, PREFIXES[prefix])
    graph.bind("shape", SHAPES)
    header = COLUMN_SHAPES_IRI
    graph.add((header, RDF.type, OWL.Ontology))
    graph.add((header, DCTERMS.title, Literal("aco-kg SHACL shapes of the columns", lang="en")))
    graph.add((header, DCTERMS.description, Literal(
        "The rules of each column of the aco-kg data dictionary (data/datapackage.yaml) as "
        "SHACL, generated from it. Rules across fields are in <https://w3id.org/aco-kg/shapes>.",
        lang="en")))
    graph.add((header, DCTERMS.license, _LICENSE))
    declaration = BNode("declare-xsd")
    graph.add((header, SH.declare, declaration))
    graph.add((declaration, SH.prefix, Literal("xsd")))
    graph.add((declaration, SH.namespace, Literal(PREFIXES["xsd"], datatype=XSD.anyURI)))

    for r in dictionary.resources:
        shape = _node_shape(r)
        name = r.rdf_type.partition(":")[2]
        graph.add((shape, RDF.type, SH.NodeShape))
        graph.add((shape, RDFS.label, Literal(f"{_words(name)} shape", lang="en")))
        description = r.description.rstrip(".")
        graph.add((shape, RDFS.comment, Literal(
            f"Checks each {r.rdf_type} node, made from one row of data/{r.path} "
            f"({description[:1].lower()}{description[1:]}). One property shape per column, "
            "named by sh:name (the provenance columns are checked by shape:ProvenanceShape).",
            lang="en")))
        graph.add((shape, SH.targetClass, URIRef(expand(r.rdf_type))))
        own = tuple(f for f in r.fields
                    if not (r.provenance and f in dictionary.provenance_fields))
        _property_shapes(graph, shape, own, r.path, dictionary)
        if r.statement_of:
            _statement_shapes(graph, shape, r)

    with_provenance = [r for r in dictionary.resources if r.provenance]
    if with_provenance:
        shape = SHAPE.ProvenanceShape
        graph.add((shape, RDF.type, SH.NodeShape))
        graph.add((shape, RDFS.label, Literal("Provenance shape", lang="en")))
        graph.add((shape, RDFS.comment, Literal(
            "Every curated fact node (a row of a file with provenance: true) names exactly one "
            "primary source, where in it the fact is, and the kind of evidence: the "
            "provenanceFields of the data dictionary.", lang="en")))
        for r in with_provenance:
            graph.add((shape, SH.targetClass, URIRef(expand(r.rdf_type))))
        _property_shapes(graph, shape, dictionary.provenance_fields, "every fact file",
                         dictionary)

    schemes = sorted({f.code_scheme for r in dictionary.resources for f in r.fields
                      if f.code_scheme})
    for scheme in schemes:
        shape = code_shape(scheme)
        graph.add((shape, RDF.type, SH.NodeShape))
        member = BNode(f"{str(shape)[len(SHAPES):]}-inScheme")
        graph.add((shape, SH.property, member))
        graph.add((member, SH.path, SKOS.inScheme))
        if scheme == "*":
            graph.add((shape, RDFS.label, Literal("Code in any scheme", lang="en")))
            graph.add((shape, RDFS.comment, Literal(
                "A concept of some aco-kg code list: it is in a skos:ConceptScheme (for a "
                "column that holds SCHEME/NOTATION).", lang="en")))
            graph.add((member, SH["class"], SKOS.ConceptScheme))
            graph.add((member, SH.minCount, Literal(1)))
        else:
            graph.add((shape, RDFS.label, Literal(f"{scheme} code", lang="en")))
            graph.add((shape, RDFS.comment, Literal(
                f"A concept of the {scheme} code list (narrower concepts included).", lang="en")))
            graph.add((member, SH.hasValue, URIRef(CODE + scheme)))
    return graph


def _described(graph: Graph, subject) -> Graph:
    """`subject` with everything it says, through the blank nodes it leads to."""
    part = Graph()
    for prefix, namespace in graph.namespaces():
        part.bind(prefix, namespace)
    todo = [subject]
    while todo:
        node = todo.pop()
        for triple in graph.triples((node, None, None)):
            part.add(triple)
            if isinstance(triple[2], BNode):
                todo.append(triple[2])
    return part


def _turtle_body(graph: Graph) -> str:
    """rdflib's Turtle of `graph` without its prefix lines."""
    lines = graph.serialize(format="turtle").splitlines()
    return "\n".join(line for line in lines if not line.startswith("@prefix")).strip() + "\n"


def column_shapes_turtle(dictionary: Dictionary) -> str:
    """The text of ``ontology/shapes-columns.ttl``: a header comment, then Turtle.

    The shapes come in the order of the dictionary, each written by rdflib (which sorts
    predicates; the property shapes are blank nodes named in column order), so the same
    dictionary always gives the same bytes.
    """
    graph = column_shapes(dictionary)
    prefixes = [line for line in graph.serialize(format="turtle").splitlines()
                if line.startswith("@prefix")]
    sections = [("", [COLUMN_SHAPES_IRI])]
    sections += [(f"data/{r.path}", [_node_shape(r)]) for r in dictionary.resources]
    if any(r.provenance for r in dictionary.resources):
        sections.append(("The provenance columns of every fact file (provenanceFields)",
                         [SHAPE.ProvenanceShape]))
    schemes = sorted({f.code_scheme for r in dictionary.resources for f in r.fields
                      if f.code_scheme}, key=lambda s: str(code_shape(s)))
    sections.append(("Code lists: a concept is in the list its column names",
                     [code_shape(s) for s in schemes]))
    text = HEADER + "\n".join(prefixes) + "\n"
    for title, subjects in sections:
        text += f"\n# {title}\n\n" if title else "\n"
        text += "\n".join(_turtle_body(_described(graph, s)) for s in subjects)
    return text
