"""A real SPARQL 1.1 server (Oxigraph's, from PyPI) on 127.0.0.1: push the graph with
``aco-kg push``, then every canned query must give the embedded store's result."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import kg
from query_support import golden_queries, normalise_frame
from kg.cli import main
from kg.sparql.endpoint import EndpointError

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Start `oxigraph serve` on a free port of 127.0.0.1 with a temporary store; stop it after."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(binary).exists():
        pytest.fail("the oxigraph server is missing: install the test extras (pip install -e '.[test]')")
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph-server")
    process = subprocess.Popen([binary, "serve", "--location", str(location),
                                "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"oxigraph serve exited: {process.stderr.read().decode()}")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="module")
def pushed(server, curated_out):
    out = curated_out  # push only reads the release
    assert main(["push", "--endpoint", f"{server}/store", "--out", str(out)]) == 0
    # push twice: the data replace the graph, so nothing is doubled
    assert main(["push", "--endpoint", f"{server}/store", "--out", str(out)]) == 0
    return out


def test_push_loads_exactly_the_embedded_graph(server, pushed):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    remote = kg.query(text=count, endpoint=f"{server}/query")
    local = kg.query(text=count, store=pushed / "store")
    assert int(remote["n"][0]) == int(local["n"][0]) > 1000


@pytest.mark.parametrize("path", golden_queries(), ids=lambda p: p.stem)
def test_every_canned_query_gives_the_same_result_remotely(path, server, pushed):
    remote = kg.query(path.stem, endpoint=f"{server}/query")
    local = kg.query(path.stem, store=pushed / "store")
    assert normalise_frame(remote) == normalise_frame(local)
    assert list(remote.columns) == list(local.columns)


@pytest.mark.parametrize("name,params", [
    ("cq-05-partner-vetoes", {"aco": "id:organization/access-aco"}),
    ("cq-13-acos-by-payer-contract", {"program": "medicaid-aco"}),
    ("cq-13-acos-by-payer-contract", {"program": 'x" } ?s ?p ?o { "'}),
    ("cq-15-alliance-timeline", {"alliance": "id:alliance/collaborative-aco-alliance"}),
    ("cq-26-management-partners", {"partnerName": "Aledade"}),
])
def test_parameters_bind_the_same_remotely(name, params, server, pushed):
    remote = kg.query(name, params, endpoint=f"{server}/query")
    local = kg.query(name, params, store=pushed / "store")
    assert normalise_frame(remote) == normalise_frame(local)


def test_cli_query_against_the_endpoint(server, pushed, capsys):
    assert main(["query", "cq-08-dissolved-alliances", "--endpoint", f"{server}/query",
                 "--format", "csv"]) == 0
    assert "collaborative-aco-alliance" in capsys.readouterr().out


def test_push_into_a_named_graph(server, pushed):
    graph = "https://w3id.org/aco-kg/graph/test"
    assert main(["push", "--endpoint", f"{server}/store", "--graph", graph, "--out", str(pushed)]) == 0
    frame = kg.query(text="SELECT (COUNT(*) AS ?n) ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                     endpoint=f"{server}/query")
    assert list(frame["g"]) == [graph]


def test_unreachable_endpoint_is_a_clear_usage_error(capsys):
    port = _free_port()
    with pytest.raises(EndpointError, match="cannot reach"):
        kg.query("cq-01-acos-with-management-partner", endpoint=f"http://127.0.0.1:{port}/query")
    assert main(["push", "--endpoint", f"http://127.0.0.1:{port}/store", "--out", "/nonexistent"]) == 2
    assert "no graph.nt" in capsys.readouterr().err
