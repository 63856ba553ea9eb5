"""Limits and safety: time limit, row cap, refusal of SERVICE/FROM/updates, no network."""

from __future__ import annotations

import http.server
import threading
import time

import pytest

import kg
from kg.cli import main
from kg.sparql.limits import QueryTimeout
from kg.sparql.check import QuerySyntaxError, UnsafeQueryError, check_query
from kg.sparql.select import RowLimitExceeded


@pytest.fixture(scope="module")
def store(tiny_out):
    return tiny_out / "store"


@pytest.fixture
def canary():
    """An HTTP server on 127.0.0.1 that counts the requests it receives."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's naming)
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[]}}')

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    server.shutdown()
    server.server_close()


def refused_variants(url):
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE#comment\n<{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { BIND(<" + url + "> AS ?e) SERVICE ?e { ?s ?p ?o } }",
        f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        f"select * from named <{url}> where {{ graph ?g {{ ?s ?p ?o }} }}",
        f"SELECT * FR\\u004FM <{url}> WHERE {{ ?s ?p ?o }}",
        f"LOAD <{url}>",
        f"load silent <{url}> into graph <http://example.org/g>",
        "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
        "CLEAR ALL",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


def test_refused_queries_never_reach_the_network(canary, store, capsys):
    url, hits = canary
    for text in refused_variants(url):
        with pytest.raises(UnsafeQueryError):
            check_query(text)
        with pytest.raises(UnsafeQueryError):
            kg.query(text=text, store=store)
        with pytest.raises(UnsafeQueryError):  # the same check guards remote endpoints
            kg.query(text=text, endpoint=url)
        assert main(["query", "--text", text, "--store", str(store)]) == 2
        err = capsys.readouterr().err
        assert "refused" in err or "only SELECT" in err, err
        assert "Traceback" not in err
    time.sleep(0.2)
    assert hits == []


def test_canned_query_files_are_checked_too(tmp_path, canary, store):
    url, hits = canary
    query = tmp_path / "sneaky.rq"
    query.write_text(f"# question: q\n# returns: s\nSELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}\n")
    with pytest.raises(UnsafeQueryError):
        kg.query(query, store=store)
    assert hits == []


def test_syntax_errors_are_usage_errors(store, capsys):
    with pytest.raises(QuerySyntaxError, match="line 1"):
        check_query("SELECT ?s WHERE { ?s ?p }")
    assert main(["query", "--text", "SELEC nonsense", "--store", str(store)]) == 2
    assert "not a valid SPARQL query" in capsys.readouterr().err


CROSS_PRODUCT = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")


@pytest.mark.slow  # waits for two time limits and a killed worker
def test_runaway_query_is_stopped_and_the_next_query_works(store, capsys):
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit of 2 s"):
        kg.query(text=CROSS_PRODUCT, store=store, timeout=2)
    assert time.monotonic() - started < 30
    frame = kg.query("cq-05-partner-vetoes", store=store)
    assert len(frame) == 1
    assert main(["query", "--text", CROSS_PRODUCT, "--timeout", "1", "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert "stopped after the time limit" in err and "Traceback" not in err
    assert main(["query", "cq-05-partner-vetoes", "--store", str(store), "--format", "csv"]) == 0


def test_row_cap_stops_a_query_with_a_message(store, capsys):
    with pytest.raises(RowLimitExceeded, match="more than 10 rows"):
        kg.query(text="SELECT * WHERE { ?s ?p ?o }", store=store, max_rows=10)
    assert len(kg.query(text="SELECT * WHERE { ?s ?p ?o } LIMIT 10", store=store, max_rows=10)) == 10
    assert main(["query", "--text", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "--max-rows", "5",
                 "--store", str(store)]) == 2
    assert "row cap" in capsys.readouterr().err


def test_embedded_queries_run_with_the_network_refused(store):
    from kg.sparql.solutions import run_embedded
    from kg.core.offline import NetworkAccessError, no_network
    import socket

    with no_network():  # the guard run_embedded runs under, shown to bite in this process
        with pytest.raises(NetworkAccessError):
            socket.create_connection(("127.0.0.1", 9), timeout=1)
    found = run_embedded(str(store), "SELECT ?s WHERE { ?s a ?c } LIMIT 1", {}, 10)
    assert len(found) == 1
