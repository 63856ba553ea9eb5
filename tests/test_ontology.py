"""Checks of the ontology layer: ontology/aco.ttl, codes.ttl, imports.ttl and the shapes
(shapes-columns.ttl, generated from the data dictionary, and the hand-written shapes.ttl).

Lint in the spirit of ROBOT's report and OOPS! (header metadata, one label and a
definition per term, no duplicate labels, no undeclared term), agreement with the data
dictionary and with docs/code-lists.md, and an OWL 2 DL consistency check with HermiT.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import rdflib
import yaml
from rdflib import Literal, URIRef
from rdflib import namespace
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, DCTERMS

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_FILES = ("aco.ttl", "imports.ttl", "codes.ttl", "shapes-columns.ttl", "shapes.ttl")

ONTOLOGY_IRI = URIRef("https://w3id.org/aco-kg/ontology")
IMPORTS_IRI = URIRef("https://w3id.org/aco-kg/ontology/imports")
ACO = rdflib.Namespace("https://w3id.org/aco-kg/ontology#")
CODE = "https://w3id.org/aco-kg/code/"
VANN = rdflib.Namespace("http://purl.org/vocab/vann/")
SCHEMA = rdflib.Namespace("https://schema.org/")
# XSD is reached through the module: as a module global it makes pytest warn while collecting.
BUILTINS = (RDF, RDFS, OWL, namespace.XSD, SH)
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
CHECKED_OBJECTS = (
    RDF.type, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
    SH.targetClass, SH["class"], SH.path, SH.datatype,
)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def graphs() -> dict[str, rdflib.Graph]:
    return {name: rdflib.Graph().parse(ONTOLOGY_DIR / name, format="turtle") for name in ONTOLOGY_FILES}


@pytest.fixture(scope="module")
def aco(graphs):
    return graphs["aco.ttl"]


@pytest.fixture(scope="module")
def codes(graphs):
    return graphs["codes.ttl"]


@pytest.fixture(scope="module")
def shapes(graphs):
    """Both shapes files, as the build validates with them."""
    return graphs["shapes-columns.ttl"] + graphs["shapes.ttl"]


@pytest.fixture(scope="module")
def declared(graphs) -> set[URIRef]:
    """Every IRI given an rdf:type in aco.ttl or imports.ttl."""
    return {
        s
        for name in ("aco.ttl", "imports.ttl")
        for s in graphs[name].subjects(RDF.type, None)
        if isinstance(s, URIRef)
    }


@pytest.fixture(scope="module")
def merged(graphs) -> rdflib.Graph:
    g = rdflib.Graph()
    for name in ("aco.ttl", "imports.ttl", "codes.ttl"):
        g += graphs[name]
    return g


@pytest.fixture(scope="module")
def dictionary() -> dict:
    return yaml.safe_load((ROOT / "data" / "datapackage.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fields(dictionary) -> list[tuple[dict, dict]]:
    """(resource, field) for every field of the dictionary, provenance fields included."""
    out = []
    for resource in dictionary["resources"]:
        for field in resource["schema"]["fields"]:
            out.append((resource, field))
        if resource.get("provenance"):
            out.extend((resource, field) for field in dictionary["provenanceFields"])
    return out


@pytest.fixture(scope="module")
def curie(aco):
    """Expand ``prefix:rest`` with the prefixes bound in aco.ttl (plus schema:)."""
    prefixes = {prefix: str(ns) for prefix, ns in aco.namespaces()}
    prefixes["schema"] = str(SCHEMA)

    def expand(text: str) -> URIRef:
        prefix, sep, rest = text.partition(":")
        assert sep and prefix in prefixes, f"unknown prefix in {text!r}"
        return URIRef(prefixes[prefix] + rest)

    return expand


def is_builtin(term: URIRef) -> bool:
    return any(str(term).startswith(str(ns)) and term in ns for ns in BUILTINS)


def aco_terms(aco: rdflib.Graph) -> set[URIRef]:
    return {s for t in TERM_TYPES for s in aco.subjects(RDF.type, t) if str(s).startswith(str(ACO))}


def english(values) -> list[Literal]:
    return [v for v in values if isinstance(v, Literal) and v.language == "en"]


# --------------------------------------------------------------------------- (a) header


@pytest.mark.parametrize(
    "predicate",
    [
        DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator,
        DCTERMS.created, DCTERMS.modified, OWL.versionIRI, OWL.versionInfo,
        VANN.preferredNamespacePrefix, VANN.preferredNamespaceUri, OWL.imports,
    ],
)
def test_header_has(aco, predicate):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in aco
    assert aco.value(ONTOLOGY_IRI, predicate) is not None, f"ontology header lacks {predicate}"


def test_header_values(aco):
    value = lambda p: aco.value(ONTOLOGY_IRI, p)  # noqa: E731
    assert value(OWL.versionIRI) == URIRef("https://w3id.org/aco-kg/ontology/0.1.0")
    assert str(value(OWL.versionInfo)) == "0.1.0"
    assert value(DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(value(DCTERMS.creator)) == "aco-kg contributors"
    assert value(DCTERMS.created) == Literal("2026-11-25", datatype=XSD_DATE)
    assert value(DCTERMS.modified).datatype == XSD_DATE
    assert str(value(VANN.preferredNamespacePrefix)) == "aco"
    assert str(value(VANN.preferredNamespaceUri)) == str(ACO)
    assert value(OWL.imports) == IMPORTS_IRI
    assert english(aco.objects(ONTOLOGY_IRI, DCTERMS.title))
    assert english(aco.objects(ONTOLOGY_IRI, DCTERMS.description))


def test_import_module_header(graphs):
    g = graphs["imports.ttl"]
    assert (IMPORTS_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(IMPORTS_IRI, DCTERMS.title) is not None


# --------------------------------------------------------------------------- (b) labels


def test_aco_terms_exist(aco):
    assert len(aco_terms(aco)) > 80


def test_aco_terms_have_one_label_and_a_definition(aco):
    problems = []
    for term in sorted(aco_terms(aco)):
        labels = english(aco.objects(term, RDFS.label))
        if len(labels) != 1 or len(list(aco.objects(term, RDFS.label))) != 1:
            problems.append(f"{term}: {len(labels)} English rdfs:label")
        if not english(list(aco.objects(term, SKOS.definition)) + list(aco.objects(term, RDFS.comment))):
            problems.append(f"{term}: no English definition")
        if aco.value(term, RDFS.isDefinedBy) != ONTOLOGY_IRI:
            problems.append(f"{term}: rdfs:isDefinedBy is not the ontology")
        for label in labels:
            if str(label) != str(label).strip() or "  " in str(label):
                problems.append(f"{term}: label whitespace")
    assert not problems, "\n".join(problems)


def test_no_duplicate_labels_among_aco_terms(aco):
    seen: dict[str, URIRef] = {}
    duplicates = []
    for term in sorted(aco_terms(aco)):
        for label in aco.objects(term, RDFS.label):
            key = str(label).casefold()
            if key in seen:
                duplicates.append(f"{label!s}: {seen[key]} and {term}")
            seen[key] = term
    assert not duplicates, "\n".join(duplicates)


def test_external_terms_have_a_label_and_source(graphs):
    g = graphs["imports.ttl"]
    problems = []
    for t in TERM_TYPES:
        for term in g.subjects(RDF.type, t):
            if len(english(g.objects(term, RDFS.label))) != 1:
                problems.append(f"{term}: needs one English rdfs:label")
            if g.value(term, RDFS.isDefinedBy) is None:
                problems.append(f"{term}: needs rdfs:isDefinedBy")
    assert not problems, "\n".join(problems)


def test_codes_have_one_pref_label_and_a_definition(codes):
    nodes = set(codes.subjects(RDF.type, SKOS.Concept)) | set(codes.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(nodes) > 100
    problems = []
    for node in sorted(nodes):
        if len(english(codes.objects(node, SKOS.prefLabel))) != 1 or len(list(codes.objects(node, SKOS.prefLabel))) != 1:
            problems.append(f"{node}: needs exactly one English skos:prefLabel")
        if not english(list(codes.objects(node, SKOS.definition)) + list(codes.objects(node, RDFS.comment))):
            problems.append(f"{node}: needs an English definition")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- code lists


def test_concepts_are_well_formed(codes):
    problems = []
    schemes = set(codes.subjects(RDF.type, SKOS.ConceptScheme))
    for scheme in schemes:
        if not str(scheme).startswith(CODE) or "/" in str(scheme)[len(CODE):]:
            problems.append(f"{scheme}: scheme IRI must be {CODE}{{scheme}}")
    for concept in sorted(codes.subjects(RDF.type, SKOS.Concept)):
        in_schemes = list(codes.objects(concept, SKOS.inScheme))
        notations = list(codes.objects(concept, SKOS.notation))
        if len(in_schemes) != 1 or in_schemes[0] not in schemes:
            problems.append(f"{concept}: must be skos:inScheme exactly one declared scheme")
            continue
        if len(notations) != 1 or notations[0].datatype is not None or notations[0].language is not None:
            problems.append(f"{concept}: must have one plain-string skos:notation")
            continue
        expected = URIRef(f"{in_schemes[0]}/{str(notations[0]).replace('/', '-')}")
        if concept != expected:
            problems.append(f"{concept}: IRI should be {expected}")
        broader = list(codes.objects(concept, SKOS.broader))
        top = list(codes.objects(concept, SKOS.topConceptOf))
        if broader:
            if top:
                problems.append(f"{concept}: a narrower concept is not a top concept")
            for b in broader:
                if codes.value(b, SKOS.inScheme) != in_schemes[0]:
                    problems.append(f"{concept}: broader concept {b} is in another scheme")
        elif top != in_schemes:
            problems.append(f"{concept}: a concept without broader must be skos:topConceptOf its scheme")
    assert not problems, "\n".join(problems)


def test_notations_are_unique_within_each_scheme(codes):
    seen = set()
    for concept in codes.subjects(RDF.type, SKOS.Concept):
        key = (codes.value(concept, SKOS.inScheme), str(codes.value(concept, SKOS.notation)))
        assert key not in seen, f"duplicate notation {key}"
        seen.add(key)


def documented_code_lists() -> dict[str, set[str]]:
    """Parse docs/code-lists.md: `- scheme (...): a, b` and nested `  - parent > a, b`."""
    lists: dict[str, set[str]] = {}
    current = None
    for line in (ROOT / "docs" / "code-lists.md").read_text(encoding="utf-8").splitlines():
        top = re.match(r"^- ([a-z][a-z-]*)(?: \([^)]*\))?:\s*(.*)$", line)
        nested = re.match(r"^\s+- ([A-Za-z/-]+) > (.*)$", line)
        if top:
            current = top.group(1)
            lists[current] = {n.strip() for n in top.group(2).split(",") if n.strip()}
        elif nested and current:
            lists[current].add(nested.group(1))
            lists[current] |= {n.strip() for n in nested.group(2).split(",") if n.strip()}
    return lists


def test_code_lists_match_the_documented_lists(codes):
    documented = documented_code_lists()
    assert len(documented) >= 30
    actual: dict[str, set[str]] = {}
    for concept in codes.subjects(RDF.type, SKOS.Concept):
        scheme = str(codes.value(concept, SKOS.inScheme))[len(CODE):]
        actual.setdefault(scheme, set()).add(str(codes.value(concept, SKOS.notation)))
    assert set(actual) == set(documented)
    for scheme, notations in documented.items():
        assert actual[scheme] == notations, f"{scheme}: {actual[scheme] ^ notations}"


@pytest.mark.parametrize("scheme", ["tension-type", "aclc"])
def test_hierarchical_schemes_have_broader(codes, scheme):
    concepts = set(codes.subjects(SKOS.inScheme, URIRef(CODE + scheme)))
    narrower = {c for c in concepts if codes.value(c, SKOS.broader) is not None}
    assert narrower and len(concepts - narrower) == 4


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        ("aclc", Literal), ("alliance-process-step", Literal), ("tension-type", Literal),
        ("alliance-model", Literal), ("motivation", Literal), ("bods-interest-type", Literal),
        ("fhir-organization-type", URIRef), ("fhir-organization-role", URIRef),
    ],
)
def test_schemes_cite_their_source(codes, scheme, expected):
    sources = list(codes.objects(URIRef(CODE + scheme), DCTERMS.source))
    assert sources and all(isinstance(s, expected) for s in sources)


@pytest.mark.parametrize(
    ("subject", "relation", "target"),
    [
        ("code:profit-status/nonprofit", SKOS.closeMatch, "schema:NonprofitType"),
        ("code:control-basis/articles", SKOS.exactMatch, "code:bods-interest-type/controlViaCompanyRulesOrArticles"),
        ("code:control-basis/contract", SKOS.exactMatch, "code:bods-interest-type/rightsGrantedByContract"),
        ("code:power-kind/veto", SKOS.closeMatch, "code:bods-interest-type/otherInfluenceOrControl"),
        ("code:org-kind/payer", SKOS.exactMatch, "code:fhir-organization-type/pay"),
        ("code:member-role/payer", SKOS.exactMatch, "code:fhir-organization-role/payer"),
        ("aco:BoardSeat", ACO.correspondingInterestType, "code:bods-interest-type/boardMember"),
        ("aco:isVoting", ACO.correspondingInterestType, "code:bods-interest-type/votingRights"),
        ("aco:SavingsShare", ACO.correspondingInterestType, "code:bods-interest-type/rightsToProfitOrIncome"),
    ],
)
def test_mappings(merged, curie, subject, relation, target):
    s, t = curie(subject), curie(target)
    assert (s, relation, t) in merged
    assert (t, RDF.type, None) in merged or str(t).startswith(str(SCHEMA)), f"mapping target {t} is not declared"


@pytest.mark.parametrize("prefix", ["org-kind", "member-role"])
def test_org_kinds_and_roles_are_mapped_to_fhir(codes, prefix):
    for concept in codes.subjects(SKOS.inScheme, URIRef(CODE + prefix)):
        targets = list(codes.objects(concept, SKOS.exactMatch)) + list(codes.objects(concept, SKOS.closeMatch))
        assert any(str(t).startswith(CODE + "fhir-organization-") for t in targets), concept


def test_for_profit_notes_missing_schema_status(codes):
    assert codes.value(URIRef(CODE + "profit-status/for-profit"), SKOS.note) is not None


# --------------------------------------------------------------------------- (c) undeclared


@pytest.mark.parametrize("name", ONTOLOGY_FILES)
def test_no_undeclared_term_in_ontology_files(graphs, declared, name):
    g = graphs[name]
    used = set(g.predicates())
    for p in CHECKED_OBJECTS:
        used |= {o for o in g.objects(None, p) if isinstance(o, URIRef)}
    missing = sorted(t for t in used if not is_builtin(t) and t not in declared)
    assert not missing, f"{name} uses undeclared terms: {missing}"


def project_text_files() -> list[Path]:
    files = [ROOT / "data" / "datapackage.yaml"]
    files += sorted((ROOT / "queries").glob("*.rq"))
    files += sorted((ROOT / "kg").glob("**/*.py"))
    return [f for f in files if f.is_file()]


def test_aco_terms_used_in_dictionary_queries_and_code_are_declared(declared):
    curie = re.compile(r"(?<![\w/#-])aco:([A-Za-z][A-Za-z0-9]*)")
    full = re.compile(re.escape(str(ACO)) + r"([A-Za-z][A-Za-z0-9]*)")
    missing = []
    for path in project_text_files():
        text = path.read_text(encoding="utf-8")
        for local in set(curie.findall(text)) | set(full.findall(text)):
            if ACO[local] not in declared:
                missing.append(f"{path.relative_to(ROOT)}: aco:{local}")
    assert not missing, "undeclared aco: terms:\n" + "\n".join(sorted(missing))


# --------------------------------------------------------------------------- (d) dictionary


def test_dictionary_code_schemes_exist(codes, fields):
    schemes = {f["codeScheme"] for _, f in fields if f.get("codeScheme") not in (None, "*")}
    assert schemes
    missing = sorted(s for s in schemes if (URIRef(CODE + s), RDF.type, SKOS.ConceptScheme) not in codes)
    assert not missing, f"schemes missing from codes.ttl: {missing}"


def test_dictionary_classes_are_declared(merged, dictionary, curie):
    classes = [curie(r["rdfType"]) for r in dictionary["resources"]]
    classes += [curie(c) for c in dictionary.get("intermediateTypes", {}).values()]
    missing = [c for c in classes if (c, RDF.type, OWL.Class) not in merged]
    assert not missing, missing


def path_steps(field) -> list[str]:
    path = field.get("rdfPath")
    steps = path if isinstance(path, list) else [path] if path else []
    return [s for s in steps if s != "@time"]


def test_dictionary_predicates_are_declared(merged, fields, dictionary, curie):
    predicates = {curie(step) for _, f in fields for step in path_steps(f)}
    predicates |= {curie(p) for p in dictionary.get("intermediateTypes", {})}
    predicates |= {URIRef("http://www.w3.org/2006/time#" + p) for p in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear")}
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    missing = sorted(p for p in predicates if not any((p, RDF.type, k) in merged for k in kinds))
    assert not missing, missing


def test_property_kinds_fit_the_dictionary(merged, fields, curie):
    """References and codes hang from object properties, literals never do."""
    problems = []
    for resource, field in fields:
        steps = path_steps(field)
        if not steps:
            continue
        last = curie(steps[-1])
        is_time = isinstance(field["rdfPath"], list) and field["rdfPath"][-1] == "@time"
        object_valued = is_time or "reference" in field or "codeScheme" in field
        if object_valued and (last, RDF.type, OWL.ObjectProperty) not in merged:
            problems.append(f"{resource['name']}.{field['name']}: {last} should be an owl:ObjectProperty")
        if not object_valued and (last, RDF.type, OWL.ObjectProperty) in merged:
            problems.append(f"{resource['name']}.{field['name']}: {last} takes a literal")
        for step in steps[:-1]:
            if (curie(step), RDF.type, OWL.ObjectProperty) not in merged:
                problems.append(f"{resource['name']}.{field['name']}: {step} leads to a node")
    assert not problems, "\n".join(problems)


def test_owl_dl_property_punning_and_functional(merged):
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    for p in set(merged.subjects(RDF.type, None)):
        assert sum((p, RDF.type, k) in merged for k in kinds) <= 1, f"{p} has two property kinds"
    assert not list(merged.subjects(RDF.type, OWL.FunctionalProperty))


def test_every_dictionary_class_has_a_shape(shapes, dictionary, curie):
    for resource in dictionary["resources"]:
        cls = curie(resource["rdfType"])
        targeting = [s for s in shapes.subjects(SH.targetClass, cls) if (s, RDF.type, SH.NodeShape) in shapes]
        assert targeting, f"no shape targets {resource['rdfType']}"


def test_every_field_is_constrained(shapes, dictionary, curie):
    """Each field's first path step is a property shape of a shape targeting its class."""
    problems = []
    for resource in dictionary["resources"]:
        cls = curie(resource["rdfType"])
        fields_ = list(resource["schema"]["fields"])
        if resource.get("provenance"):
            fields_ += dictionary["provenanceFields"]
        props = {}
        for node_shape in shapes.subjects(SH.targetClass, cls):
            for ps in shapes.objects(node_shape, SH.property):
                props.setdefault(shapes.value(ps, SH.path), []).append(ps)
        for field in fields_:
            steps = path_steps(field)
            if not steps:
                continue
            pshapes = props.get(curie(steps[0]))
            if not pshapes:
                problems.append(f"{resource['name']}.{field['name']}: no property shape")
                continue
            if field.get("constraints", {}).get("required"):
                if not any(shapes.value(ps, SH.minCount) == Literal(1) for ps in pshapes):
                    problems.append(f"{resource['name']}.{field['name']}: required but no sh:minCount 1")
            if not any(shapes.value(ps, SH.maxCount) == Literal(1) for ps in pshapes):
                problems.append(f"{resource['name']}.{field['name']}: no sh:maxCount 1")
    assert not problems, "\n".join(problems)


def test_shapes_are_named_documented_and_outside_the_ontology_namespace(shapes):
    node_shapes = [s for s in shapes.subjects(RDF.type, SH.NodeShape)]
    assert node_shapes
    for s in node_shapes:
        assert str(s).startswith("https://w3id.org/aco-kg/shapes#"), s
        assert english(shapes.objects(s, RDFS.label)), f"{s} lacks rdfs:label"
        assert english(shapes.objects(s, RDFS.comment)), f"{s} lacks rdfs:comment"


# --------------------------------------------------------------------------- (e) HermiT


@pytest.mark.slow
def test_ontology_is_consistent_under_hermit(merged, tmp_path):
    import owlready2

    java = shutil.which(owlready2.JAVA_EXE) or shutil.which("java")
    if java is None:
        pytest.fail("Java is not installed, so HermiT cannot run; `make test` installs it (default-jre-headless).")
    owlready2.JAVA_EXE = java
    g = rdflib.Graph()
    g += merged
    g.remove((None, OWL.imports, None))
    path = tmp_path / "aco-merged.owl"
    g.serialize(destination=path, format="xml")
    world = owlready2.World()
    ontology = world.get_ontology(path.as_uri()).load()
    try:
        with ontology:
            owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as exc:  # pragma: no cover - failure path
        pytest.fail(f"HermiT finds the ontology inconsistent: {exc}")
    assert list(world.inconsistent_classes()) == []


# --------------------------------------------------------------------------- names

# integer properties that are positions, not counts
ORDINALS = {ACO.sequence, ACO.position, ACO.contractYear, ACO.fromContractYear, ACO.toContractYear}
# integer properties that are neither positions nor counts
SCORES = {ACO.ratingPoints}
# integer properties that are calendar (performance) years, compared as numbers
YEARS = {ACO.firstPerformanceYear, ACO.lastPerformanceYear}


def test_every_count_ends_in_count(aco):
    integers = {p for p in aco.subjects(RDFS.range, namespace.XSD.integer)
                if (p, OWL.deprecated, Literal(True)) not in aco}
    assert integers & ORDINALS == ORDINALS  # the exceptions still exist
    assert integers & YEARS == YEARS
    bad = sorted(str(p) for p in integers - ORDINALS - SCORES - YEARS
                 if not str(p).endswith("Count"))
    assert bad == []
    assert ACO.usState in set(aco.subjects(RDF.type, OWL.DatatypeProperty))


def test_deprecated_names_are_equivalents_of_their_replacements(aco):
    deprecated = set(aco.subjects(OWL.deprecated, Literal(True)))
    assert {ACO.state, ACO.votes} <= deprecated
    for old in deprecated:
        (new,) = aco.objects(old, OWL.equivalentProperty)
        assert (new, OWL.deprecated, Literal(True)) not in aco
        assert (old, DCTERMS.isReplacedBy, new) in aco
        assert (new, RDF.type, OWL.DatatypeProperty) in aco


def test_nothing_uses_a_deprecated_name(aco):
    deprecated = {str(p).removeprefix(str(ACO)) for p in aco.subjects(OWL.deprecated, Literal(True))}
    pattern = re.compile(r"aco:(" + "|".join(sorted(deprecated)) + r")\b(?!-)|ontology#("
                         + "|".join(sorted(deprecated)) + r")>")
    files = [*sorted((ROOT / "queries").rglob("*.rq")), ROOT / "data" / "datapackage.yaml",
             ONTOLOGY_DIR / "shapes-columns.ttl", ONTOLOGY_DIR / "shapes.ttl",
             ONTOLOGY_DIR / "codes.ttl"]
    users = [str(f.relative_to(ROOT)) for f in files if pattern.search(f.read_text(encoding="utf-8"))]
    assert users == []
