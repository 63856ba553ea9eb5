"""The column shapes cannot drift from the data dictionary, the source of their rules.

- ontology/shapes-columns.ttl is exactly what kg/graph/column_shapes.py makes of
  data/datapackage.yaml (as the README's data section is exactly what the dictionary
  gives: tests/test_docs.py);
- for every column, the constraints of the shape of its path are the constraints the
  dictionary states, read here independently of the generator, and nothing more;
- every row check of the dictionary has its hand-written rule in ontology/shapes.ttl,
  and every hand-written rule across fields stands for a row check;
- a path through intermediate nodes is checked alike by both SHACL engines.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib import namespace
from rdflib.namespace import RDF, RDFS, SH, SKOS

from conftest import ROOT
from kg.core.dictionary import TIME_STEP, load_dictionary
from kg.core.errors import UsageError
from kg.core.iris import compact, expand
from kg.graph.build import _column_for
from kg.graph.column_shapes import column_shapes, column_shapes_turtle
from kg.graph.ontology import ONTOLOGY_DIR, ONTOLOGY_FILES, load_ontology
from kg.graph.shape_queries import compile_shapes, validate_store
from kg.graph.shapes import path_text, validate_graph

DICTIONARY = load_dictionary()
GENERATED = ROOT / "ontology" / "shapes-columns.ttl"
HAND_WRITTEN = ROOT / "ontology" / "shapes.ttl"
CODE = "https://w3id.org/aco-kg/code/"
TIME = "http://www.w3.org/2006/time#"
#: What the mapping writes for each column type (kg/graph/mapping.py), read afresh here.
#: (XSD is reached through the module: as a module global it makes pytest warn.)
DATATYPES = {kind: [namespace.XSD[name] for name in names] for kind, names in {
    "string": ["string"], "integer": ["integer"], "number": ["decimal"], "boolean": ["boolean"],
    "year": ["gYear"], "date": ["date", "gYearMonth", "gYear"]}.items()}
TIME_POSITIONS = "(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear)"
#: Constraints that compare a column with another: rules across fields, not of a column.
ACROSS_FIELDS = {SH.lessThanOrEquals}
NOT_CONSTRAINTS = {SH.path, SH.name, SH.description, SH.message, SH.order, RDF.type}


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(GENERATED, format="turtle")
    g.parse(HAND_WRITTEN, format="turtle")
    return g


@pytest.fixture(scope="module")
def hand_written() -> rdflib.Graph:
    return rdflib.Graph().parse(HAND_WRITTEN, format="turtle")


def test_generated_file_is_up_to_date():
    assert GENERATED.read_text(encoding="utf-8") == column_shapes_turtle(DICTIONARY), (
        "ontology/shapes-columns.ttl is stale: regenerate it with `make shapes`")


@pytest.mark.slow  # rdflib's isomorphism over the blank nodes of every shape
def test_generated_file_holds_every_triple_of_the_generated_shapes():
    assert isomorphic(rdflib.Graph().parse(GENERATED, format="turtle"), column_shapes(DICTIONARY))


def test_generation_is_deterministic():
    assert column_shapes_turtle(DICTIONARY) == column_shapes_turtle(load_dictionary())


def expected_path(steps: tuple[str, ...]) -> str:
    return "/".join(TIME_POSITIONS if s == TIME_STEP else compact(expand(s)) for s in steps)


def property_shapes(shapes, cls: str) -> dict[str, list]:
    """Path text -> property shapes of the node shapes that target `cls` directly."""
    out: dict[str, list] = {}
    for node_shape in shapes.subjects(SH.targetClass, URIRef(expand(cls))):
        for prop in shapes.objects(node_shape, SH.property):
            out.setdefault(path_text(shapes, shapes.value(prop, SH.path)), []).append(prop)
    return out


def constraints(shapes, props) -> dict:
    """Constraint -> set of parameters, over several property shapes (a conjunction)."""
    found: dict = {}
    for prop in props:
        for predicate, value in shapes.predicate_objects(prop):
            if predicate in NOT_CONSTRAINTS | ACROSS_FIELDS:
                continue
            found.setdefault(predicate, set()).add(value)
    return found


def scheme_of(shapes, node_shape) -> URIRef | str:
    """The scheme a code shape requires (skos:inScheme sh:hasValue), or "*" for any."""
    (member,) = shapes.objects(node_shape, SH.property)
    assert shapes.value(member, SH.path) == SKOS.inScheme
    scheme = shapes.value(member, SH.hasValue)
    if scheme is not None:
        return scheme
    assert shapes.value(member, SH["class"]) == SKOS.ConceptScheme
    assert shapes.value(member, SH.minCount) == Literal(1)
    return "*"


def datatypes_of(shapes, found: dict) -> list:
    if SH.datatype in found:
        return sorted(found.pop(SH.datatype))
    (alternatives,) = found.pop(SH["or"])
    return sorted(shapes.value(a, SH.datatype) for a in Collection(shapes, alternatives))


def year_bounds(shapes, found: dict) -> tuple[int | None, int | None]:
    """The bounds a year's SPARQL constraint tests, read from its FILTER."""
    (sparql,) = found.pop(SH.sparql)
    select = str(shapes.value(sparql, SH.select))
    low = re.findall(r"xsd:integer\(STR\(\?value\)\) < (-?\d+)", select)
    high = re.findall(r"xsd:integer\(STR\(\?value\)\) > (-?\d+)", select)
    return (int(low[0]) if low else None), (int(high[0]) if high else None)


def columns():
    for r in DICTIONARY.resources:
        for f in r.fields:
            if f.rdf_path:
                yield r, f


@pytest.mark.parametrize("resource, field", list(columns()),
                         ids=lambda x: getattr(x, "name", None))
def test_each_column_has_exactly_the_constraints_of_the_dictionary(shapes, resource, field):
    f = field
    props = property_shapes(shapes, resource.rdf_type).get(expected_path(f.rdf_path))
    assert props, f"{resource.name}.{f.name}: no property shape on {expected_path(f.rdf_path)}"
    named = [p for p in props if shapes.value(p, SH.name) is not None]
    assert [str(shapes.value(p, SH.name)) for p in named] == [f.name]
    assert str(shapes.value(named[0], SH.description)) == f.description
    found = constraints(shapes, props)
    through_time = f.rdf_path[-1] == TIME_STEP
    # a column holds one value at most; through @time the interval and instant shapes
    # hold that (and the datatype), the step into the node is checked below
    if not through_time:
        assert found.pop(SH.maxCount) == {Literal(1)}
    assert found.pop(SH.minCount, set()) == ({Literal(1)} if f.required else set())
    if f.reference:
        target = DICTIONARY.resource(f.reference)
        assert found.pop(SH["class"]) == {URIRef(expand(target.rdf_type))}
        assert found.pop(SH.nodeKind) == {SH.IRI}
    elif f.code_scheme:
        assert found.pop(SH["class"]) == {SKOS.Concept}
        assert found.pop(SH.nodeKind) == {SH.IRI}
        (code_shape,) = found.pop(SH.node)
        expected = "*" if f.code_scheme == "*" else URIRef(CODE + f.code_scheme)
        assert scheme_of(shapes, code_shape) == expected
    elif not through_time:
        assert datatypes_of(shapes, found) == sorted(DATATYPES[f.type])
    if f.type == "year" and (f.minimum is not None or f.maximum is not None):
        assert year_bounds(shapes, found) == (f.minimum, f.maximum)
    else:
        for key, bound in ((SH.minInclusive, f.minimum), (SH.maxInclusive, f.maximum)):
            values = found.pop(key, set())
            assert {Decimal(str(v.toPython())) for v in values} == (
                set() if bound is None else {Decimal(str(bound))})
            assert all(v.datatype == DATATYPES[f.type][0] for v in values)
    assert found.pop(SH.pattern, set()) == ({Literal(f.pattern)} if f.pattern else set())
    assert found.pop(SH.minLength, set()) == (
        {Literal(f.min_length)} if f.min_length is not None else set())
    if resource.statement_of and f.code_scheme == "evidence":
        # statementOf: a statement's value is inferred (kg.ingest.statements)
        assert found.pop(SH.hasValue) == {URIRef(CODE + "evidence/inferred")}
    assert found == {}, f"{resource.name}.{f.name}: constraints the dictionary does not state"


STATEMENT_PARTS = ("rdf:subject", "rdf:predicate", "rdf:object")


@pytest.mark.parametrize("resource", [r for r in DICTIONARY.resources if r.statement_of],
                         ids=lambda r: r.name)
def test_a_statement_names_one_triple_that_the_graph_holds(shapes, resource):
    by_path = property_shapes(shapes, resource.rdf_type)
    for part in STATEMENT_PARTS:
        found = constraints(shapes, by_path[part])
        assert found.pop(SH.minCount) == found.pop(SH.maxCount) == {Literal(1)}, part
        assert found == ({} if part == "rdf:object" else {SH.nodeKind: {SH.IRI}}), part
    (node_shape,) = [s for s in shapes.subjects(SH.targetClass, URIRef(expand(resource.rdf_type)))
                     if shapes.value(s, SH.sparql) is not None]
    select = str(shapes.value(shapes.value(node_shape, SH.sparql), SH.select))
    assert "FILTER NOT EXISTS { ?s ?p ?o }" in select


def test_each_step_into_an_intermediate_node_is_one_node_of_its_type(shapes):
    problems = []
    for r in DICTIONARY.resources:
        by_path = property_shapes(shapes, r.rdf_type)
        for step in {f.rdf_path[0] for f in r.fields if len(f.rdf_path) > 1}:
            found = constraints(shapes, by_path.get(compact(expand(step)), []))
            expected = {SH.maxCount: {Literal(1)}, SH.nodeKind: {SH.IRI},
                        SH["class"]: {URIRef(expand(DICTIONARY.intermediate_types[step]))}}
            if found != expected:
                problems.append(f"{r.name} {step}: {found}")
    assert not problems, "\n".join(problems)


def test_no_property_shape_on_a_dictionary_class_outside_the_dictionary(shapes):
    """Every path checked on a row's node is a column, a step into an intermediate node or
    (hand-written) one side of a comparison across fields."""
    problems = []
    for r in DICTIONARY.resources:
        known = {expected_path(f.rdf_path) for f in r.fields if f.rdf_path}
        known |= {compact(expand(f.rdf_path[0])) for f in r.fields if len(f.rdf_path) > 1}
        if r.statement_of:  # the reified triple of the cell the row names
            known |= set(STATEMENT_PARTS)
        for path, props in property_shapes(shapes, r.rdf_type).items():
            across_only = all(set(constraints(shapes, [p])) == set() for p in props)
            if path not in known and not across_only:
                problems.append(f"{r.name}: {path}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- row checks


def field_path(resource, name: str) -> tuple[str, ...]:
    return resource.field(name).rdf_path


def or_branches(shapes, node_shape) -> list[set]:
    """Each sh:or of a node shape, as a set of (path, constraint, value) per branch."""
    out = []
    for alternatives in shapes.objects(node_shape, SH["or"]):
        out.append({(path_text(shapes, shapes.value(b, SH.path)),
                     compact(str(p)), v.toPython())
                    for b in Collection(shapes, alternatives)
                    for p, v in shapes.predicate_objects(b) if p != SH.path})
    return out


def hand_written_rules(hand_written, cls: URIRef) -> list[tuple]:
    """The rules across fields of the hand-written shapes targeting `cls`."""
    rules = []
    for node_shape in hand_written.subjects(SH.targetClass, cls):
        for prop in hand_written.objects(node_shape, SH.property):
            other = hand_written.value(prop, SH.lessThanOrEquals)
            if other is not None:
                path = path_text(hand_written, hand_written.value(prop, SH.path))
                rules.append(("notAfter", path, compact(str(other))))
        for branches in or_branches(hand_written, node_shape):
            rules.append(("or", frozenset(branches)))
    return rules


def expected_rule(resource, check) -> tuple | None:
    paths = [field_path(resource, name) for name in check.fields]
    if check.rule == "notAfter":
        a, b = paths
        if a[-1] == TIME_STEP or b[-1] == TIME_STEP:
            return None  # dates on an interval: the interval shape's order check
        return ("notAfter", expected_path(a), expected_path(b))
    if check.rule == "requires":
        a, b = paths
        return ("or", frozenset({(expected_path(a), "sh:maxCount", 0),
                                 (expected_path(b), "sh:minCount", 1)}))
    return ("or", frozenset((expected_path(p), "sh:minCount", 1) for p in paths))


def test_each_row_check_has_its_rule_and_each_rule_a_row_check(hand_written):
    ontology = load_ontology()
    interval = URIRef(TIME + "ProperInterval")
    problems = []
    classes = {r.rdf_type for r in DICTIONARY.resources}
    for cls in sorted(classes):
        resources = [r for r in DICTIONARY.resources if r.rdf_type == cls]
        rules = hand_written_rules(hand_written, URIRef(expand(cls)))
        wanted = []
        for r in resources:
            for check in r.row_checks:
                rule = expected_rule(r, check)
                if rule is not None:
                    wanted.append(rule)
                    continue
                # start and end on one interval: the begin and end of the same node
                a, b = (field_path(r, name) for name in check.fields)
                node = a[:-2]
                same_node = a[-2:] == ("time:hasBeginning", TIME_STEP) and \
                    b[-2:] == ("time:hasEnd", TIME_STEP) and b[:-2] == node
                node_is_interval = (DICTIONARY.intermediate_types.get(node[-1]) == "time:ProperInterval"
                                    if node else
                                    interval in ontology.transitive_objects(URIRef(expand(cls)),
                                                                            RDFS.subClassOf))
                if not (same_node and node_is_interval):
                    problems.append(f"{r.name}: {check} is not on one interval")
        for rule in wanted:
            if rule not in rules:
                problems.append(f"{cls}: no hand-written rule for {rule}")
        for rule in rules:
            if rule not in wanted:
                problems.append(f"{cls}: hand-written rule {rule} is no row check of the dictionary")
    assert not problems, "\n".join(problems)
    # the order of an interval's ends is checked on every interval node
    interval_shape = URIRef("https://w3id.org/aco-kg/shapes#IntervalShape")
    assert (interval_shape, SH.targetClass, interval) in hand_written
    assert hand_written.value(interval_shape, SH.sparql) is not None


# --------------------------------------------------------------------------- paths


def test_generator_refuses_a_rule_it_cannot_state_on_the_graph(tmp_path):
    text = (ROOT / "data" / "datapackage.yaml").read_text(encoding="utf-8")
    changed = text.replace(
        "{name: parent_org, type: string, reference: organizations,",
        "{name: parent_org, type: string, constraints: {pattern: '^o'}, reference: organizations,")
    assert changed != text
    path = tmp_path / "datapackage.yaml"
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(UsageError, match="parent_org: a pattern or length"):
        column_shapes(load_dictionary(path))


MEMBERSHIP = """
@prefix org: <http://www.w3.org/ns/org#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix aco: <https://w3id.org/aco-kg/ontology#> .
<https://w3id.org/aco-kg/id/membership/m1> a aco:AllianceMembership ;
    org:memberDuring <https://w3id.org/aco-kg/id/membership/m1/memberDuring> .
<https://w3id.org/aco-kg/id/membership/m1/memberDuring> a time:ProperInterval ;
    time:hasBeginning <https://w3id.org/aco-kg/id/membership/m1/memberDuring/hasBeginning> .
<https://w3id.org/aco-kg/id/membership/m1/memberDuring/hasBeginning> a time:Instant ;
    time:inXSDgYearMonth "2015-03"^^xsd:gYearMonth .
"""


@pytest.mark.parametrize("end", ["", "2016"])
def test_a_required_date_through_an_interval_is_checked_alike_by_both_engines(tmp_path, end):
    """A path through intermediate nodes to an OWL-Time position (the dictionary has no
    required date today: this one is made required for the test)."""
    text = (ROOT / "data" / "datapackage.yaml").read_text(encoding="utf-8")
    old = ('{name: end, type: date, format: partial, rdfPath: [org:memberDuring, time:hasEnd, '
           '"@time"], description: "End of the membership."}')
    assert text.count(old) == 1
    path = tmp_path / "datapackage.yaml"
    path.write_text(text.replace(old, old.replace("format: partial,",
                                                  "format: partial, constraints: {required: true},")),
                    encoding="utf-8")
    dictionary = load_dictionary(path)
    membership = dictionary.resource("alliance_members")
    shape_graph = column_shapes(dictionary)
    wanted = {URIRef(expand("org:memberDuring")), URIRef(expand("time:hasEnd"))}
    # only the membership shape's own columns: the other shapes are not under test here
    for node_shape in list(shape_graph.subjects(SH.targetClass, None)):
        if node_shape != URIRef("https://w3id.org/aco-kg/shapes#AllianceMembershipShape"):
            shape_graph.remove((node_shape, SH.targetClass, None))
    for prop in list(shape_graph.objects(None, SH.property)):
        path_node = shape_graph.value(prop, SH.path)
        steps = set(Collection(shape_graph, path_node)) if isinstance(path_node, rdflib.BNode) else set()
        if not wanted <= steps:
            shape_graph.remove((None, SH.property, prop))
    data = MEMBERSHIP
    if end:
        data += ("<https://w3id.org/aco-kg/id/membership/m1/memberDuring> time:hasEnd "
                 "<https://w3id.org/aco-kg/id/membership/m1/memberDuring/hasEnd> .\n"
                 "<https://w3id.org/aco-kg/id/membership/m1/memberDuring/hasEnd> a time:Instant ; "
                 f'time:inXSDgYear "{end}"^^xsd:gYear .\n')
    conforms, reference, _ = validate_graph(rdflib.Graph().parse(data=data, format="turtle"),
                                            shape_graph, load_ontology())
    store = ox.Store()
    store.load(input=data, format=ox.RdfFormat.TURTLE)
    for name in ONTOLOGY_FILES:
        store.load(path=str(ONTOLOGY_DIR / name), format=ox.RdfFormat.TURTLE)
    compiled_conforms, compiled = validate_store(store, compile_shapes(shape_graph))
    key = lambda results: sorted((r.focus, r.path, r.component, r.shape) for r in results)  # noqa: E731
    assert (conforms, key(reference)) == (compiled_conforms, key(compiled))
    if end:
        assert conforms
    else:
        full_path = "org:memberDuring/time:hasEnd/" + TIME_POSITIONS
        assert [(r.path, r.component) for r in reference] == [
            (full_path, "sh:MinCountConstraintComponent")]
        assert reference[0].message == ("end (alliance_members.csv): exactly one date, "
                                        "month or year.")
        # the build rejects the row for that column
        assert _column_for(membership, reference[0].path) == "end"


def test_a_result_on_the_step_into_an_interval_names_the_first_column_through_it():
    membership = DICTIONARY.resource("alliance_members")
    assert _column_for(membership, "org:memberDuring") == "start"
    assert _column_for(membership, "org:role") == "role"
    assert _column_for(membership, None) is None


def test_make_shapes_command_writes_the_committed_file(tmp_path, capsys):
    from kg.cli import main
    target = tmp_path / "shapes-columns.ttl"
    assert main(["dictionary", "--shapes", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == GENERATED.read_text(encoding="utf-8")
    assert "wrote the SHACL shapes of the columns" in capsys.readouterr().out
