"""aco-kg serve: the read-only SPARQL endpoint and the editor page, over HTTP on 127.0.0.1.

The protocol rules are tested as pure functions; the server runs in this process on a
free port (the tiny fixture's store, no documentation: the browser test serves that), and
is asked as a client would ask it: urllib, raw headers where a browser would send them.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
import time
import urllib.parse

import pandas as pd
import pytest

import kg
from kg.products.workbench import make_server
from kg.products.workbench.page import PLACEHOLDERS, example_text
from kg.products.workbench.protocol import MAX_BODY_BYTES, ProtocolError, negotiate, query_request
from kg.sparql.catalogue import list_queries
from query_support import normalise_csv, normalise_frame
from test_query_sandbox import RUNAWAY, Canary, corpus

FORM = "application/x-www-form-urlencoded"


# --- the protocol, without a server -----------------------------------------------------------

@pytest.mark.parametrize("method,url_query,content_type,body", [
    ("GET", "query=SELECT%20%3Fs%20%7B%7D", None, b""),
    ("POST", "", FORM, b"query=SELECT%20%3Fs%20%7B%7D"),
    ("POST", "", "application/sparql-query; charset=utf-8", b"SELECT ?s {}"),
])
def test_the_three_ways_of_sending_a_query(method, url_query, content_type, body):
    assert query_request(method, url_query, content_type, body, None).text == "SELECT ?s {}"


@pytest.mark.parametrize("method,url_query,content_type,body,status", [
    ("POST", "", "application/sparql-update", b"CLEAR ALL", 403),
    ("POST", "", FORM, b"update=CLEAR%20ALL", 403),
    ("GET", "update=CLEAR%20ALL", None, b"", 403),
    ("GET", "query=SELECT%20*%7B%7D&default-graph-uri=http%3A%2F%2Fx", None, b"", 400),
    ("POST", "named-graph-uri=http%3A%2F%2Fx", FORM, b"query=SELECT%20*%7B%7D", 400),
    ("GET", "", None, b"", 400),
    ("GET", "query=a&query=b", None, b"", 400),
    ("POST", "", "text/plain", b"SELECT * {}", 415),
    ("POST", "", None, b"SELECT * {}", 415),
    ("POST", "query=x", "application/sparql-query", b"SELECT * {}", 400),
    ("POST", "", FORM, b"query=%ff", 400),
    ("GET", "query=SELECT%20*%7B%7D&download=xlsx", None, b"", 400),
])
def test_what_is_not_a_query_is_refused_with_its_status(method, url_query, content_type, body,
                                                         status):
    with pytest.raises(ProtocolError) as refused:
        query_request(method, url_query, content_type, body, None)
    assert refused.value.status == status


@pytest.mark.parametrize("accept,chosen", [
    (None, "application/sparql-results+json"),
    ("application/sparql-results+json,*/*;q=0.9", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values, text/csv;q=0.5", "text/tab-separated-values"),
    ("text/csv;q=0.2, application/sparql-results+json;q=0.1", "text/csv"),
    ("text/*", "text/csv"),
    ("*/*", "application/sparql-results+json"),
])
def test_content_negotiation(accept, chosen):
    assert negotiate(accept) == chosen


@pytest.mark.parametrize("accept", ["application/sparql-results+xml", "text/html",
                                    "text/csv;q=0"])
def test_an_unacceptable_format_is_406(accept):
    with pytest.raises(ProtocolError) as refused:
        negotiate(accept)
    assert refused.value.status == 406


def test_example_text_binds_every_parameter_in_a_commented_values_line():
    canned = next(q for q in list_queries() if q.name == "cq-02-partner-services-promised-delivered")
    text = example_text(canned, {"aco": "<https://w3id.org/aco-kg/id/organization/a>"})
    assert text.startswith(canned.text.rstrip("\n"))
    lines = text.splitlines()
    assert "#VALUES ?aco { <https://w3id.org/aco-kg/id/organization/a> }" in lines
    assert f"#VALUES ?partner {{ {PLACEHOLDERS['IRI']} }}" in lines  # no value found: placeholder
    assert any(line.startswith("#   partner (IRI, optional): ") for line in lines)
    unparameterised = next(q for q in list_queries() if not q.parameters and not q.header.order)
    assert example_text(unparameterised, {}) == unparameterised.text


@pytest.mark.parametrize("name", [q.name for q in list_queries() if q.header.order])
def test_an_example_of_a_query_that_declares_its_order_comes_in_that_order(server, tiny_out, name):
    """The command line sorts these answers itself (kg.sparql.order); the editor's example
    asks the store for the same order, so the two agree row by row, not only as sets."""
    canned = next(q for q in list_queries() if q.name == name)
    text = example_text(canned, {})
    assert "ORDER BY " + " ".join(f"?{c}" for c in canned.header.order) in text
    status, _, body = sparql(server, text + "LIMIT 50\n", "text/csv")  # the server's row cap
    assert status == 200, body
    local = kg.query(name, store=tiny_out / "store").head(50)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))[1:]
    ordered = [["" if pd.isna(v) else str(v) for v in row] for row in
               local[list(canned.header.order)].itertuples(index=False)]
    header = next(csv.reader(io.StringIO(body.decode("utf-8"))))
    got = [[row[header.index(c)] for c in canned.header.order] for row in rows]
    assert len(got) == len(local) and got == ordered


# --- the server --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tiny_out):
    import threading

    served = make_server(tiny_out / "store", 0, timeout=20, max_rows=50, docs=False, quiet=True)
    thread = threading.Thread(target=served.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    assert served.examples.ready.wait(120), "the example values were not found in time"
    yield served
    served.shutdown()
    served.server_close()


def ask(server, method: str, path: str, body: bytes | None = None,
        headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request to the server; (status, headers with lower-case names, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    sent = {"Host": f"127.0.0.1:{server.port}", **(headers or {})}
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, payload


def sparql(server, query: str, accept: str = "application/sparql-results+json", **extra):
    body = urllib.parse.urlencode({"query": query, **extra}).encode("utf-8")
    return ask(server, "POST", "/sparql", body, {"Content-Type": FORM, "Accept": accept})


def test_it_listens_on_the_loopback_address_only(server):
    assert server.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize("name", ["cq-08-dissolved-alliances", "cq-05-partner-vetoes",
                                  "cq-06-savings-shares", "tables/organizations"])
def test_a_canned_query_answers_as_the_command_line_does(server, tiny_out, name):
    canned = next(q for q in list_queries() if q.name == name)
    status, headers, body = sparql(server, canned.text, "text/csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert normalise_csv(body.decode("utf-8")) == normalise_frame(kg.query(name, store=tiny_out / "store"))


def test_json_results_keep_every_term_whole(server):
    query = ('SELECT ?iri ?text ?tagged ?number ?unbound WHERE { BIND(<https://e.org/a> AS ?iri) '
             'BIND("x" AS ?text) BIND("y"@en AS ?tagged) BIND(-2.5 AS ?number) }')
    status, headers, body = sparql(server, query)
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+json")
    results = json.loads(body)
    assert results["head"]["vars"] == ["iri", "text", "tagged", "number", "unbound"]
    assert results["results"]["bindings"] == [{
        "iri": {"type": "uri", "value": "https://e.org/a"},
        "text": {"type": "literal", "value": "x"},
        "tagged": {"type": "literal", "value": "y", "xml:lang": "en"},
        "number": {"type": "literal", "value": "-2.5",
                   "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}}]


def test_tsv_results_write_terms_in_turtle_syntax(server):
    status, _, body = sparql(server, 'SELECT ?a ?b WHERE { BIND(<https://e.org/a> AS ?a) '
                                     'BIND("tab\\there" AS ?b) }', "text/tab-separated-values")
    assert status == 200
    assert body.decode("utf-8").splitlines() == ["?a\t?b", '<https://e.org/a>\t"tab\\there"']


def test_a_get_query_and_the_download_of_the_command_line_format(server, tiny_out, capsys):
    from kg.cli import main

    query = next(q for q in list_queries() if q.name == "cq-06-savings-shares").text
    path = "/sparql?" + urllib.parse.urlencode({"query": query, "download": "csv"})
    status, headers, body = ask(server, "GET", path)
    assert status == 200
    assert headers["content-disposition"] == 'attachment; filename="query.csv"'
    assert main(["query", "--text", query, "--store", str(tiny_out / "store"), "--format",
                 "csv"]) == 0
    assert body.decode("utf-8") == capsys.readouterr().out  # byte for byte the CLI's file


@pytest.mark.parametrize("variant", ["plain", "comment ended by CR", "escaped keyword",
                                     "variable target from BIND", "in a subquery", "FROM", "LOAD"])
def test_service_from_and_updates_are_refused_and_nothing_goes_out(server, variant):
    canary = Canary()
    try:
        status, _, body = sparql(server, corpus(canary.port)[variant])
        time.sleep(0.05)
        assert status in (400, 403)
        assert re.search(r"refused|not a valid", body.decode("utf-8"))
        assert canary.connections == 0
    finally:
        canary.close()


def test_the_row_cap_and_the_time_limit_hold(server):
    status, _, body = sparql(server, "SELECT ?s WHERE { ?s ?p ?o }")  # more than 50 triples
    assert status == 400 and "more than 50 rows" in body.decode("utf-8")
    server.timeout = 1.0
    try:
        started = time.monotonic()
        status, _, body = sparql(server, RUNAWAY)
        assert status == 503 and "time limit of 1 s" in body.decode("utf-8")
        assert time.monotonic() - started < 15
    finally:
        server.timeout = 20
    assert sparql(server, "SELECT ?s WHERE { ?s a ?c } LIMIT 1")[0] == 200  # a new worker


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1",
                                  "localhost.evil.example:{port}", ""])
def test_another_host_header_is_refused(server, host):
    status, _, body = ask(server, "GET", "/", headers={"Host": host.format(port=server.port)})
    assert status == 403 and b"Host header" in body


def test_localhost_by_name_is_served(server):
    assert ask(server, "GET", "/", headers={"Host": f"localhost:{server.port}"})[0] == 200


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"},
                                     {"Sec-Fetch-Site": "cross-site"}])
def test_a_page_of_another_site_is_refused(server, headers):
    status, _, body = ask(server, "POST", "/sparql", b"query=SELECT%20*%20%7B%7D",
                          {"Content-Type": FORM, **headers})
    assert status == 403 and b"another site" in body


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_writes_and_preflights_are_405_without_cors(server, method):
    status, headers, _ = ask(server, method, "/sparql", b"<a> <b> <c> .",
                             {"Content-Type": "application/n-triples",
                              "Origin": f"http://127.0.0.1:{server.port}"})
    assert status == 405
    assert not [h for h in headers if h.startswith("access-control-")]


def test_a_body_over_the_cap_is_refused_before_it_is_read(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.putrequest("POST", "/sparql", skip_host=True)
    connection.putheader("Host", f"127.0.0.1:{server.port}")
    connection.putheader("Content-Type", FORM)
    connection.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    connection.close()


@pytest.mark.parametrize("path", ["/static/../workbench/server.py", "/static/%2e%2e/cli.py",
                                  "/static/yasgui/../../workbench/page.py", "/nothing"])
def test_no_file_outside_the_static_folder(server, path):
    assert ask(server, "GET", path)[0] == 404


def test_the_editor_page_lists_every_canned_query_with_values_that_find_rows(server, tiny_out):
    status, headers, body = ask(server, "GET", "/")
    assert status == 200
    policy = headers["content-security-policy"]
    assert "connect-src 'self'" in policy and "script-src 'self'" in policy
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert not [h for h in headers if h.startswith("access-control-")]
    html = body.decode("utf-8")
    block = re.search(r'<script type="application/json" id="catalogue-data">(.*?)</script>',
                      html, re.S).group(1)
    assert "<" not in block  # no text can close the block
    entries = json.loads(block)
    names = [entry["name"] for entry in entries]
    assert sorted(names) == sorted(q.name for q in list_queries())
    groups = [entry["group"] for entry in entries]
    assert groups == sorted(groups, key=["research", "checks", "tables"].index)
    assert names[0].startswith("cq-")
    vetoes = entries[names.index("cq-05-partner-vetoes")]
    assert vetoes["question"].startswith("Which partners hold a veto")
    assert vetoes["parameters"][0]["name"] == "aco"
    # the example value is the query's own first answer: uncommented, it restricts the answer
    line = next(l for l in vetoes["text"].splitlines() if l.startswith("#VALUES ?aco"))
    assert "<https://w3id.org/aco-kg/id/organization/" in line
    restricted = vetoes["text"].replace(line, line[1:])
    status, _, body = sparql(server, restricted, "text/csv")
    rows = normalise_csv(body.decode("utf-8"))[1:]
    assert status == 200 and rows
    value = line.split("<")[1].split(">")[0]
    assert all(value in row for row in rows)
