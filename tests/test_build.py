"""The build: golden graph, ledger, all-or-nothing publication, crashes, no network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from conftest import DATA, ROOT, TINY, copy_release, count_records, run_cli, tree_digest
from kg import InvalidDataError, build, validate
from kg.core.dictionary import load_dictionary
from kg.graph.faults import STAGES

GOLDEN = ROOT / "tests" / "golden" / "tiny.nt"


def test_tiny_fixture_builds_to_the_golden_graph(tiny_out):
    built = Graph().parse(tiny_out / "graph.nt", format="nt")
    expected = Graph().parse(GOLDEN, format="nt")
    if not isomorphic(built, expected):
        _, only_built, only_expected = graph_diff(to_isomorphic(built), to_isomorphic(expected))
        pytest.fail("graph differs from tests/golden/tiny.nt\nonly built:\n"
                    + only_built.serialize(format="nt") + "\nonly expected:\n"
                    + only_expected.serialize(format="nt"))


def test_turtle_and_ntriples_hold_the_same_graph(tiny_out):
    nt = Graph().parse(tiny_out / "graph.nt", format="nt")
    ttl = Graph().parse(tiny_out / "graph.ttl", format="turtle")
    assert len(nt) > 100 and isomorphic(nt, ttl)


def test_store_holds_data_and_ontology(tiny_out, tiny_store):
    rows = list(tiny_store.query(
        "PREFIX aco: <https://w3id.org/aco-kg/ontology#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?label WHERE { ?o a aco:Organization ; aco:organizationKind ?k . "
        "?k skos:prefLabel ?label }"))
    assert len(rows) == 4
    nt_triples = count_nt(tiny_out / "graph.nt")
    assert len(tiny_store) > nt_triples


def count_nt(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def test_ledger_accounts_for_every_row(curated_out):
    published = pd.read_csv(curated_out / "ledger.csv", dtype=str, keep_default_na=False)
    # every file of the dictionary
    total = sum(count_records(DATA / r.path) for r in load_dictionary().resources)
    assert len(published) == total
    assert set(published.status) == {"loaded"}
    assert published.iri.str.startswith("https://w3id.org/aco-kg/id/").all()
    assert published.iri.is_unique
    manifest = json.loads((curated_out / "manifest.json").read_text())
    assert manifest["rows"] == {"read": total, "loaded": total, "rejected": 0}
    assert {Path(i["file"]).name for i in manifest["inputs"]} == {r.path for r in load_dictionary().resources}


def test_validate_publishes_nothing(tmp_path):
    report = validate(TINY)
    assert report.ok and report.published is None
    assert not any(tmp_path.iterdir())


def test_rebuild_replaces_the_release(tmp_path, tiny_release):
    out = copy_release(tiny_release, tmp_path)
    first = Path(os.path.realpath(out))
    second = build(TINY, out).published
    assert first != second and not first.exists() and second.exists()
    assert os.path.realpath(out) == str(second)
    assert (out / "graph.nt").read_bytes() == (second / "graph.nt").read_bytes()


def test_refuses_to_overwrite_a_folder_it_did_not_make(tmp_path):
    from kg import UsageError
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    with pytest.raises(UsageError, match="not made by aco-kg"):
        build(TINY, out)
    assert (out / "thesis.docx").read_text() == "years of work"


def test_failed_build_leaves_no_staging_behind(tmp_path, tiny, tiny_release):
    out = copy_release(tiny_release, tmp_path)
    (tiny / "fees.csv").write_text("")
    with pytest.raises(InvalidDataError):
        build(tiny, out)
    releases = tmp_path / ".out.releases"
    assert [p.name for p in releases.iterdir() if p.name.startswith("staging-")] == []


@pytest.mark.slow
@pytest.mark.parametrize("stage", STAGES)
def test_killed_build_leaves_previous_output_intact(tmp_path, curated, stage, tiny_release):
    out = copy_release(tiny_release, tmp_path)  # the previous output: a different graph
    before = tree_digest(out)
    result = run_cli("build", "--data", str(curated), "--out", str(out), "--quiet",
                     env={"ACO_KG_KILL_AT": stage})
    assert result.returncode == -9, result.stderr  # killed by SIGKILL
    assert tree_digest(out) == before
    if stage != STAGES[-1]:
        return
    # the next build cleans up after the killed one and publishes
    result = run_cli("build", "--data", str(curated), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert tree_digest(out) != before
    leftovers = [p.name for p in (tmp_path / ".out.releases").iterdir()
                 if not p.name.startswith(".")]
    assert len(leftovers) == 1


@pytest.mark.slow
def test_build_makes_no_network_access(tmp_path):
    """Run a build under an audit hook that records every network attempt."""
    log = tmp_path / "network.log"
    code = (
        "import sys\n"
        f"log = open({str(log)!r}, 'w')\n"
        "def hook(event, args):\n"
        "    if event.startswith(('socket.', 'urllib.', 'http.')):\n"
        "        log.write(event + ' ' + repr(args)[:200] + '\\n'); log.flush()\n"
        "sys.addaudithook(hook)\n"
        "from kg.cli import main\n"
        f"sys.exit(main(['build', '--data', {str(DATA)!r}, '--out', {str(tmp_path / 'out')!r}, '-q']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert log.read_text() == ""


def test_network_access_during_build_is_refused(tmp_path, monkeypatch):
    """If a library tried to fetch something mid-build, the guard would stop it."""
    import importlib
    import socket
    from kg.core.offline import NetworkAccessError

    kg_build = importlib.import_module("kg.graph.build")  # the module, not kg.graph.build the function
    real_map = kg_build.map_tables

    def fetching_map(*args, **kwargs):
        socket.getaddrinfo("example.org", 443)
        return real_map(*args, **kwargs)

    monkeypatch.setattr(kg_build, "map_tables", fetching_map)
    with pytest.raises(NetworkAccessError):
        build(TINY, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_products_are_published_in_the_same_release(tmp_path, tiny_release):
    out = copy_release(tiny_release, tmp_path)
    before = tree_digest(out)

    def failing(staging, store):
        (staging / "report.html").write_text("half a report")
        raise RuntimeError("the report could not be drawn")

    with pytest.raises(RuntimeError):
        build(TINY, out, products=(("report", failing),))
    assert tree_digest(out) == before

    def counting(staging, store):
        # the in-memory store a product is given holds what the published store holds
        # (the ontology's blank nodes get other ids in each store)
        import pyoxigraph as ox
        from kg.graph.store import open_store

        def ground(quads):
            return {q for q in quads if not isinstance(q.subject, ox.BlankNode)
                    and not isinstance(q.object, ox.BlankNode)}
        published = open_store(staging / "store")
        same = len(published) == len(store) and ground(published) == ground(store)
        (staging / "count.txt").write_text(f"{len(published)} {same}")

    build(TINY, out, products=(("count", counting),))
    count, same = (out / "count.txt").read_text().split()
    assert int(count) > 300 and same == "True"


# pySHACL is the slower engine; both report the same violations (tests/test_shape_queries.py)
@pytest.mark.parametrize("engine", ["oxigraph", pytest.param("pyshacl", marks=pytest.mark.slow)])
def test_shacl_violation_rejects_the_build_and_keeps_the_previous_output(tmp_path, tiny, engine,
                                                                        tiny_release):
    """A row the CSV checks let through but a shape refuses: nothing is published.

    The build writes the store and the Turtle file while the shapes are checked; a
    violation must still leave the previous release byte-identical and no staging folder,
    and the ledger must name the file and line of the offending row.
    """
    out = copy_release(tiny_release, tmp_path)
    before = tree_digest(out)
    # a dictionary without the range of performance_year, so that only SHACL sees 2005
    text = (ROOT / "data" / "datapackage.yaml").read_text(encoding="utf-8")
    loose = text.replace("name: performance_year, type: year, constraints: {minimum: 2012, maximum: 2100},",
                         "name: performance_year, type: year,")
    assert loose != text
    dictionary = tmp_path / "datapackage.yaml"
    dictionary.write_text(loose, encoding="utf-8")
    savings = tiny / "savings.csv"
    lines = savings.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[1].startswith("res-1,c-1,1,2015,")
    lines[1] = lines[1].replace(",2015,", ",2005,", 1)
    savings.write_text("".join(lines), encoding="utf-8")

    with pytest.raises(InvalidDataError) as caught:
        build(tiny, out, dictionary=dictionary, shacl=engine)
    report = caught.value.report
    assert report.shacl_conforms is False
    rejected = report.ledger[report.ledger.status == "rejected"]
    assert list(zip(rejected.file, rejected.line)) == [(str(savings), 2)]
    assert "performanceYear" in rejected.reason.iloc[0]
    assert tree_digest(out) == before
    releases = tmp_path / ".out.releases"
    assert [p.name for p in releases.iterdir() if p.name.startswith("staging-")] == []
