"""The two peers aco-kg's build is benchmarked against, on the same CSV files.

``rml``: an RML mapping equivalent to kg/mapping.py, generated from the data dictionary,
and a morph-kgc configuration writing N-Triples (morph-kgc runs in its own virtual
environment, bench/.venv-morph, because it pins older rdflib, pyoxigraph and pandas).

``rdflib``: the naive path: read each CSV with the csv module, make rdflib terms and
``Graph.add`` one triple at a time, write N-Triples, validate with pySHACL (when asked),
and answer the canned queries with rdflib's own SPARQL engine.

Differences the mapping cannot avoid (stated in BENCHMARKS.md): RML has no conditional
datatype, so partial dates are typed by a fixed datatype (xsd:date; synthetic data use
full dates only) and booleans keep their lexical form ("yes"); neither peer checks
types, keys, references or row rules as aco-kg does before mapping. And RML cannot make
an intermediate node (an OWL-Time interval or instant) depend on another column without
functions, so where a path ends in a blank cell (an unknown end date) the RML output still
has the node's link and type triples: morph-kgc writes somewhat more triples than aco-kg
from the same files, which is why the comparison reports triples/s as well as seconds.

Run as a script: ``python bench/peers.py rml DIR [DIR ...] --out mapping.ttl`` or
``python bench/peers.py rdflib DIR [DIR ...] --nt out.nt [--shacl] [--queries DIR]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.core.dictionary import TIME_STEP, load_dictionary  # noqa: E402
from kg.core.iris import INSTANCE, PREFIXES, expand  # noqa: E402

__all__ = ["rml_mapping", "rdflib_build"]

XSD = PREFIXES["xsd"]
CODE = "https://w3id.org/aco-kg/code/"
_DATATYPES = {"integer": "integer", "number": "decimal", "boolean": "boolean", "year": "gYear",
              "date": "date"}


def _local(curie: str) -> str:
    return curie.partition(":")[2]


def rml_mapping(folders: list[Path]) -> str:
    """An RML mapping (Turtle) producing aco-kg's triples from the CSV files in `folders`."""
    dictionary = load_dictionary()
    kinds = {r.name: r.iri_kind for r in dictionary.resources}
    out = ["@prefix rr: <http://www.w3.org/ns/r2rml#> .",
           "@prefix rml: <http://semweb.mmlab.be/ns/rml#> .",
           "@prefix ql: <http://semweb.mmlab.be/ns/ql#> .", ""]
    n = 0
    for folder in folders:
        for r in dictionary.resources:
            path = Path(folder) / r.path
            if not path.is_file() or sum(1 for _ in open(path, encoding="utf-8")) < 2:
                continue
            subject = f"{INSTANCE}{r.iri_kind}/{{{r.primary_key}}}"
            fields = list(r.fields)
            maps = []  # (subject template, predicate IRI, object spec, condition column)
            for f in fields:
                if not f.rdf_path:
                    continue
                node = subject
                for step in f.rdf_path[:-1]:
                    child = node + "/" + _local(step)
                    maps.append((node, expand(step), ("template", child), f.name))
                    t = dictionary.intermediate_types.get(step)
                    if t:
                        maps.append((child, PREFIXES["rdf"] + "type", ("constant", expand(t)), f.name))
                    node = child
                last = f.rdf_path[-1]
                predicate = PREFIXES["time"] + "inXSDDate" if last == TIME_STEP else expand(last)
                if f.reference:
                    obj = ("template", f"{INSTANCE}{kinds[f.reference]}/{{{f.name}}}")
                elif f.code_scheme and f.code_scheme != "*":
                    obj = ("template", f"{CODE}{f.code_scheme}/{{{f.name}}}")
                elif f.code_scheme == "*":
                    obj = ("template", f"{CODE}{{{f.name}}}")
                elif f.type in _DATATYPES:
                    obj = ("literal", f.name, XSD + _DATATYPES[f.type])
                else:
                    obj = ("literal", f.name, None)
                maps.append((node, predicate, obj, f.name))
            # one triples map per (file, subject template); RML skips a triple whose
            # referenced cell is null, but cannot make an intermediate node depend on a
            # cell other than its own template's (see the module docstring)
            groups: dict[str, list] = {subject: [(PREFIXES["rdf"] + "type",
                                                  ("constant", expand(r.rdf_type)))]}
            for s, p, o, _column in maps:
                if (p, o) not in groups.setdefault(s, []):
                    groups[s].append((p, o))
            for s, poms in groups.items():
                n += 1
                out.append(f"<#TM{n}> a rr:TriplesMap ;")
                out.append(f'  rml:logicalSource [ rml:source "{path}" ; '
                           "rml:referenceFormulation ql:CSV ] ;")
                out.append(f'  rr:subjectMap [ rr:template "{s}" ] ;')
                for p, o in poms:
                    if o[0] == "constant":
                        obj = f"[ rr:constant <{o[1]}> ]"
                    elif o[0] == "template":
                        obj = f'[ rr:template "{o[1]}" ]'
                    elif o[2]:
                        obj = f'[ rml:reference "{o[1]}" ; rr:datatype <{o[2]}> ]'
                    else:
                        obj = f'[ rml:reference "{o[1]}" ]'
                    out.append(f"  rr:predicateObjectMap [ rr:predicate <{p}> ; rr:objectMap {obj} ] ;")
                out[-1] = out[-1][:-2] + " ."
                out.append("")
    return "\n".join(out)


def rdflib_build(folders: list[Path]):
    """Build an rdflib Graph from the CSV files, one ``Graph.add`` per triple."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF
    from kg.core.iris import mint
    from kg.graph.ontology import code_lists
    dictionary = load_dictionary()
    codes = code_lists()
    qualified = {f"{s}/{n}": iri for s, notes in codes.items() for n, iri in notes.items()}
    kinds = {r.name: r.iri_kind for r in dictionary.resources}
    graph = Graph()
    date_types = {4: "inXSDgYear", 7: "inXSDgYearMonth", 10: "inXSDDate"}
    literal_types = {4: XSD + "gYear", 7: XSD + "gYearMonth", 10: XSD + "date"}
    rows = 0
    for folder in folders:
        for r in dictionary.resources:
            path = Path(folder) / r.path
            if not path.is_file():
                continue
            cls = URIRef(expand(r.rdf_type))
            with open(path, newline="", encoding="utf-8-sig") as handle:
                for row in csv.DictReader(handle):
                    rows += 1
                    subject = URIRef(mint(r.iri_kind, row[r.primary_key]))
                    graph.add((subject, RDF.type, cls))
                    for f in r.fields:
                        value = row.get(f.name) or ""
                        if not f.rdf_path or value == "":
                            continue
                        node = subject
                        for step in f.rdf_path[:-1]:
                            child = URIRef(str(node) + "/" + _local(step))
                            graph.add((node, URIRef(expand(step)), child))
                            t = dictionary.intermediate_types.get(step)
                            if t:
                                graph.add((child, RDF.type, URIRef(expand(t))))
                            node = child
                        last = f.rdf_path[-1]
                        if last == TIME_STEP:
                            predicate = URIRef(PREFIXES["time"] + date_types[len(value)])
                        else:
                            predicate = URIRef(expand(last))
                        if f.reference:
                            obj = URIRef(mint(kinds[f.reference], value))
                        elif f.code_scheme == "*":
                            obj = URIRef(qualified[value])
                        elif f.code_scheme:
                            obj = URIRef(codes[f.code_scheme][value])
                        elif f.type == "boolean":
                            obj = Literal(value in dictionary.true_values)
                        elif f.type == "date":
                            obj = Literal(value, datatype=URIRef(literal_types[len(value)]))
                        elif f.type in _DATATYPES:
                            obj = Literal(value, datatype=URIRef(XSD + _DATATYPES[f.type]))
                        else:
                            obj = Literal(value)
                        graph.add((node, predicate, obj))
    return graph, rows


def _rdflib_main(args) -> None:
    """Build, write, optionally validate and query with rdflib; print timings as JSON."""
    result = {}
    started = time.perf_counter()

    def save():  # after every stage, so a run stopped at its time limit still reports
        if args.json:
            Path(args.json).write_text(json.dumps(result))
    graph, rows = rdflib_build([Path(d) for d in args.folders])
    result["build_s"] = time.perf_counter() - started
    result["rows"], result["triples"] = rows, len(graph)
    t = time.perf_counter()
    graph.serialize(args.nt, format="nt", encoding="utf-8")
    result["write_nt_s"] = time.perf_counter() - t
    save()
    if args.shacl:
        from kg.graph.ontology import load_ontology, load_shapes
        from kg.graph.shapes import validate_graph
        t = time.perf_counter()
        conforms, _results, _text = validate_graph(graph, load_shapes(), load_ontology())
        result["shacl_s"], result["shacl_conforms"] = time.perf_counter() - t, bool(conforms)
        save()
    if args.queries:
        from kg.graph.ontology import load_ontology
        graph += load_ontology()  # the store holds data and ontology: so does this graph
        latencies = {}
        for query in sorted(Path(args.queries).glob("cq-*.rq")):
            t = time.perf_counter()
            list(graph.query(query.read_text(encoding="utf-8")))
            latencies[query.name] = time.perf_counter() - t
            result["query_s"] = latencies
            save()
            print(json.dumps({"query": query.name, "s": latencies[query.name]}), file=sys.stderr,
                  flush=True)
        result["query_s"] = latencies
    result["total_s"] = time.perf_counter() - started
    print(json.dumps(result))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="peer", required=True)
    p = sub.add_parser("rml", help="write the RML mapping and a morph-kgc configuration")
    p.add_argument("folders", nargs="+")
    p.add_argument("--out", required=True, help="folder for mapping.rml.ttl and morph.ini")
    p = sub.add_parser("rdflib", help="build (and validate, query) with rdflib only")
    p.add_argument("folders", nargs="+")
    p.add_argument("--nt", required=True)
    p.add_argument("--shacl", action="store_true")
    p.add_argument("--queries", default=None)
    p.add_argument("--json", default=None, help="also write the results here after each stage")
    args = parser.parse_args(argv)
    if args.peer == "rml":
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "mapping.rml.ttl").write_text(rml_mapping([Path(d) for d in args.folders]))
        (out / "morph.ini").write_text(
            "[CONFIGURATION]\noutput_format=N-TRIPLES\n"
            f"output_file={out / 'morph.nt'}\nna_values=\nnumber_of_processes=1\n\n"
            f"[DataSource1]\nmappings={out / 'mapping.rml.ttl'}\n")
    else:
        _rdflib_main(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
