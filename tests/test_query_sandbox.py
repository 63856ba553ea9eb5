"""The query sandbox: no query reaches the network, by any spelling, through any entry
point; and the query worker never outlives the command that started it.

A canary listener on 127.0.0.1 counts every TCP connection it accepts. Each query of the
corpus aims SERVICE (or a variable SERVICE target) at it; the expected count is 0. Two
layers are tested apart: the check that refuses the text (kg.sparql.check), and the
kernel seal of the worker process (kg.core.offline), by sending a SERVICE query to the
sealed worker without the check.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import kg
from conftest import ROOT
from kg.cli import main
from kg.core.errors import UsageError
from kg.sparql.check import QuerySyntaxError, UnsafeQueryError, canonical_text, check_query


class Canary:
    """A TCP listener on 127.0.0.1 that counts the connections made to it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        self.server.settimeout(0.2)
        while not self._stop:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self):
        self._stop = True
        try:  # wakes a waiting accept() at once (on Linux; closing alone does not)
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(2)
        self.server.close()


@pytest.fixture
def canary():
    listener = Canary()
    yield listener
    listener.close()


def corpus(port: int) -> dict[str, str]:
    """SERVICE hidden in every way the reviewers found, aimed at the canary."""
    url = f"http://127.0.0.1:{port}/x"
    body = "{ ?a ?b ?c }"
    escaped_url = "".join(f"\\u{ord(c):04x}" if c in "h1:/" else c for c in url)
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {body} }}",
        "lower case": f"select * where {{ service <{url}> {body} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {body} }}",
        "comment ended by CR": f"SELECT * WHERE {{ ?s ?p ?o . # c\rSERVICE <{url}> {body}\n}} LIMIT 1",
        "comment ended by CRLF": f"SELECT * WHERE {{ ?s ?p ?o . # c\r\nSERVICE <{url}> {body} }}",
        "comment between keyword and IRI": f"SELECT * WHERE {{ SERVICE# c\n<{url}> {body} }}",
        "comment between IRI and group": f"SELECT * WHERE {{ SERVICE <{url}> # c\n {body} }}",
        "comment before SELECT": f"# SERVICE\nSELECT * WHERE {{ SERVICE <{url}> {body} }}",
        "escaped keyword": f"SELECT * WHERE {{ SERV\\u0049CE <{url}> {body} }}",
        "escaped keyword, long form": f"SELECT * WHERE {{ \\U00000053ERVICE <{url}> {body} }}",
        "escaped IRI": f"SELECT * WHERE {{ SERVICE <{escaped_url}> {body} }}",
        "escaped escape": f"SELECT * WHERE {{ SERVICE <{url}> {body} FILTER(?a = '\\u005Cu0041') }}",
        "in FILTER NOT EXISTS": f"SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE <{url}> {body} }} }}",
        "in FILTER EXISTS": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}> {body} }} }}",
        "in OPTIONAL": f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}> {body} }} }}",
        "in MINUS": f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{url}> {body} }} }}",
        "in UNION": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {body} }} }}",
        "in GRAPH": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{url}> {body} }} }}",
        "in a subquery": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {body} }} }} }}",
        "variable target from BIND": (
            "SELECT * WHERE { ?s ?p ?o "
            f"BIND(IRI(CONCAT('http://127.0.0.1:{port}/', ENCODE_FOR_URI(STR(?o)))) AS ?ep) "
            f"FILTER NOT EXISTS {{ SERVICE ?ep {body} }} }} LIMIT 3"),
        "variable target from VALUES": (
            f"SELECT * WHERE {{ VALUES ?ep {{ <{url}> }} SERVICE ?ep {body} }}"),
        "CR comment, variable target in EXISTS": (
            "SELECT * WHERE { ?s ?p ?o # c\r"
            f"BIND(IRI('{url}') AS ?ep) FILTER NOT EXISTS {{ SERVICE ?ep {body} }}\n}} LIMIT 1"),
        "LOAD": f"LOAD <{url}>",
        "FROM": f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "FROM NAMED": f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    }


CORPUS_NAMES = list(corpus(1))


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_the_check_refuses_every_variant(name):
    with pytest.raises((UnsafeQueryError, QuerySyntaxError)):
        check_query(corpus(9)[name])


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_no_variant_reaches_the_network_through_kg_query(tiny_release, canary, name):
    with pytest.raises(UsageError):
        kg.query(text=corpus(canary.port)[name], store=tiny_release / "out" / "store", timeout=30)
    time.sleep(0.05)  # a connection would have been accepted while the query waited on it
    assert canary.connections == 0


@pytest.mark.slow
def test_no_variant_reaches_the_network_through_the_command_line(tiny_release, canary):
    for name, text in corpus(canary.port).items():
        result = subprocess.run(
            [sys.executable, "-m", "kg", "query", "--text", text, "--store",
             str(tiny_release / "out" / "store"), "--timeout", "30"],
            capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert result.returncode == 2, (name, result.stdout, result.stderr)
        assert "(0 rows)" not in result.stdout, name
    time.sleep(0.3)
    assert canary.connections == 0


@pytest.mark.slow
def test_no_variant_reaches_the_network_through_an_endpoint(canary, tmp_path):
    """With --endpoint the text goes to another store, which would run SERVICE itself:
    the check must stop it before it is sent. The endpoint here is the canary too, so
    even a refused query that were sent would show up as a connection."""
    endpoint = f"http://127.0.0.1:{canary.port}/query"
    for name, text in corpus(canary.port).items():
        with pytest.raises(UsageError):
            kg.query(text=text, endpoint=endpoint, timeout=30)
    time.sleep(0.3)
    assert canary.connections == 0


def _unchecked_service(store: str, port: int):
    """Run a SERVICE query on the store with no check at all (in the sealed worker)."""
    import pyoxigraph as ox
    return list(ox.Store.read_only(store).query(
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?a ?b ?c }} }}"))


def test_the_sealed_worker_cannot_connect_even_without_the_check(tiny_release, canary):
    """The second layer: were the check bypassed, the kernel still refuses the socket."""
    from kg.sparql.limits import run_limited
    with pytest.raises(OSError, match="Permission denied"):
        run_limited(_unchecked_service, (str(tiny_release / "out" / "store"), canary.port),
                    timeout=30)
    time.sleep(0.3)
    assert canary.connections == 0


def test_the_unsealed_remote_worker_is_another_process(canary):
    """Queries for an endpoint run in a worker that may use the network; it is never the
    sealed one (this call would fail with EACCES in the sealed worker)."""
    from kg.sparql.limits import run_limited
    run_limited(socket.create_connection, (("127.0.0.1", canary.port), 5), timeout=30,
                network=True)
    time.sleep(0.3)
    assert canary.connections == 1


def test_the_engine_runs_exactly_the_checked_text():
    text = "SELECT ?s WHERE { ?s ?p ?o . # c\r?x ?y ?z }\n}"
    with pytest.raises(QuerySyntaxError):  # read as Oxigraph reads it: the comment ends at CR
        check_query(text)
    checked = check_query("SELECT ?s WHERE { # c\r\n ?s ?p \\u003Fo }")
    assert checked.text == "SELECT ?s WHERE { # c\n ?s ?p ?o }"
    assert checked.variables == ("s",)
    assert canonical_text(checked.text) == checked.text


def test_negative_decimals_run(tiny_release):
    frame = kg.query(text="SELECT ?n WHERE { VALUES ?n { -250000.5 } FILTER(?n < -0.5) }",
                     store=tiny_release / "out" / "store")
    assert frame["n"].tolist() == [-250000.5]


def test_integers_beyond_64_bits(tiny_release, tmp_path):
    frame = kg.query(text="SELECT ?n WHERE { VALUES ?n { 99999999999999999999999 } }",
                     store=tiny_release / "out" / "store")
    assert frame["n"].tolist() == [99999999999999999999999]  # exact, never rounded
    query = tmp_path / "count.rq"
    query.write_text("# question: Which values are at least n?\n"
                     "# param: n (integer) required — the threshold\n"
                     "# returns: n\n"
                     "SELECT ?n WHERE { VALUES ?n { 1 } }\n", encoding="utf-8")
    with pytest.raises(UsageError, match="beyond the 64-bit integers"):
        kg.query(query, {"n": str(2 ** 63)}, store=tiny_release / "out" / "store")
    assert kg.query(query, {"n": "1"}, store=tiny_release / "out" / "store")["n"].tolist() == [1]


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0", "1e9"])
def test_odd_time_limits_are_usage_errors(tiny_release, capsys, value):
    code = main(["query", "cq-08-dissolved-alliances", "--store",
                 str(tiny_release / "out" / "store"), "--timeout", value])
    err = capsys.readouterr().err
    assert code == 2
    assert "aco-kg: error: --timeout: must be a number of seconds" in err
    assert "internal error" not in err


def test_terminal_escapes_are_shown_inert(tiny_release, capsys):
    code = main(["query", "--store", str(tiny_release / "out" / "store"), "--text",
                 'SELECT ?n WHERE { BIND("\\u001b]0;owned\\u0007\\u001b[31mred" AS ?n) }'])
    out = capsys.readouterr().out
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;owned\\x07\\x1b[31mred" in out


RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
           "?m ?o ?q }")


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_worker_started_from_a_thread_outlives_that_thread(tiny_release):
    """The workbench starts the worker from a request thread, which ends after its answer;
    the worker must keep serving the other threads (it ends with the process only)."""
    from kg.sparql import limits

    store = tiny_release / "out" / "store"
    limits.stop_worker()
    started = threading.Thread(target=kg.query, args=("cq-01-acos-with-management-partner",),
                               kwargs={"store": store})
    started.start()
    started.join()
    worker = limits._workers[True]  # the sealed worker that thread started
    time.sleep(3 * limits.PARENT_WATCH_INTERVAL)
    assert worker.alive(), "the worker ended with the thread that started it"
    assert len(kg.query("cq-01-acos-with-management-partner", store=store)) > 0
    assert limits._workers[True] is worker  # the same worker answered


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_the_worker_dies_with_the_command(tiny_release, how):
    command = subprocess.Popen(
        [sys.executable, "-m", "kg", "query", "--text", RUNAWAY, "--store",
         str(tiny_release / "out" / "store"), "--timeout", "600"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and not workers:
            # the spawn start method runs a resource tracker too; the worker is the child
            # that burns CPU, but both must go
            workers = _children(command.pid)
            time.sleep(0.2)
        assert workers, "the query worker did not start"
        time.sleep(1.0)  # the query is running now
        os.kill(command.pid, how)
        command.wait(30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)]
    finally:
        if command.poll() is None:
            command.kill()


def test_the_time_limit_travels_to_the_endpoint_when_asked(tmp_path):
    """A recording endpoint sees the server time-limit parameter in the request."""
    import http.server
    import json as json_module
    import urllib.parse

    seen = []

    class Endpoint(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
            seen.append(urllib.parse.parse_qs(body))
            payload = json_module.dumps({"head": {"vars": ["n"]}, "results": {"bindings": []}})
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(payload.encode("utf-8"))

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    try:
        kg.query(text="SELECT ?n WHERE { ?n ?p ?o }", endpoint=endpoint, timeout=7.5,
                 endpoint_time_parameter="timeout:ms")
        kg.query(text="SELECT ?n WHERE { ?n ?p ?o }", endpoint=endpoint, timeout=7.5)
        with pytest.raises(UsageError, match="NAME:s or NAME:ms"):
            kg.query(text="SELECT ?n WHERE { ?n ?p ?o }", endpoint=endpoint,
                     endpoint_time_parameter="timeout")
    finally:
        server.shutdown()
    assert seen[0]["timeout"] == ["7500"]
    assert "timeout" not in seen[1]
    assert len(seen) == 2  # the bad parameter was refused before anything was sent
