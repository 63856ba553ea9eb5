"""aco-kg serve in a real browser, cut off from every address but this machine's loopback.

Debian's headless Chromium resolves no host name but 127.0.0.1 and sends every other
request to a proxy that is not there (tests/browser.py, LOOPBACK_ONLY); its performance
log lists every request the pages make. The server runs in this process on the curated
data, with its documentation.
"""

from __future__ import annotations

import threading
import time
import urllib.request

import pytest

from browser import LOOPBACK_ONLY, available, chromium, requests_made
from kg.products.workbench import make_server
from kg.sparql.catalogue import list_queries
from test_query_sandbox import Canary, corpus

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not available(), reason="needs chromium and chromium-driver "
                                 "(make system-deps installs them)")]


@pytest.fixture(scope="module")
def server(curated_out):
    served = make_server(curated_out / "store", 0, timeout=30, docs=True, quiet=True)
    thread = threading.Thread(target=served.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    assert served.examples.ready.wait(120) and served.docs.ready.wait(300)
    assert served.docs.folder is not None, served.docs.problem
    yield served
    served.shutdown()
    served.server_close()


@pytest.fixture(scope="module")
def browser():
    with chromium(1400, 900, flags=LOOPBACK_ONLY) as driver:
        yield driver


def _outside(requests: list[str], server) -> list[str]:
    return [url for url in requests if not url.startswith(f"http://127.0.0.1:{server.port}/")]


def _open_editor(browser, server) -> list[str]:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get("about:blank")
    requests_made(browser)
    browser.get_log("browser")
    browser.get(server.url)
    WebDriverWait(browser, 60, poll_frequency=0.05).until(
        lambda d: d.execute_script("return window.__workbenchReady === true"))
    return requests_made(browser)


def _run(browser) -> dict:
    """Run the current tab's query in YASGUI; what YASR received."""
    return browser.execute_async_script("""
        var done = arguments[arguments.length - 1];
        var tab = window.__workbench.yasgui.getTab();
        tab.query().then(function () {}, function () {}).then(function () {
          var results = tab.getYasr().results;
          var error = results.getError();
          done({status: results.getStatus() || (error && error.status) || null,
                bindings: results.getBindings(), error: error ? String(error.text) : null});
        });""")


def _shows(browser, words: str) -> bool:
    """Whether the results area comes to show `words` (YASR draws after the answer)."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(browser, 20, poll_frequency=0.05).until(
            lambda d: words in d.execute_script(
                "return window.__workbench.yasgui.getTab().getYasr().rootEl.textContent"))
    except TimeoutException:
        return False
    return True


def test_the_page_loads_offline_with_the_catalogue_and_asks_nothing_outside(browser, server):
    requests = _open_editor(browser, server)
    assert not _outside(requests, server)
    assert f"http://127.0.0.1:{server.port}/static/yasgui/yasgui.min.js" in requests
    listed = browser.execute_script(
        "return Array.from(document.querySelectorAll('button.example')).map(b => b.dataset.name)")
    assert sorted(listed) == sorted(q.name for q in list_queries())
    assert listed[0].startswith("cq-")
    completers = browser.execute_script(
        "return window.__workbench.yasgui.getTab().getYasqe().config.autocompleters")
    assert sorted(completers) == ["prefixes", "variables"]  # none that asks a web service
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_typing_in_the_editor_asks_no_web_service(browser, server):
    """Oxigraph's own page fetches http://prefix.cc/popular/all.file.json on load and while a
    PREFIX is typed; YASQE's 'property' and 'class' completers ask the LOV service."""
    _open_editor(browser, server)
    editor = browser.find_element("css selector", ".CodeMirror textarea")
    editor.send_keys("\nPREFIX fo")
    time.sleep(1)
    editor.send_keys("\nSELECT * WHERE { ?s foaf:na")
    time.sleep(1)
    editor.send_keys(" ; a foaf:Pe")
    time.sleep(1.5)
    assert not _outside(requests_made(browser), server)


def test_a_catalogue_query_runs_in_the_editor(browser, server):
    _open_editor(browser, server)
    browser.execute_script(
        "document.querySelector('button.example[data-name=\"cq-08-dissolved-alliances\"]').click()")
    assert browser.find_element("id", "question").text.startswith("Which alliances dissolved")
    answer = _run(browser)
    assert answer["status"] == 200 and answer["error"] is None
    names = [b["allianceName"]["value"] for b in answer["bindings"]]
    assert "Collaborative ACO - management partner alliance" in names
    assert _shows(browser, "Collaborative ACO")  # drawn in the results table
    assert not _outside(requests_made(browser), server)


def test_a_parameter_example_restricts_the_answer(browser, server):
    _open_editor(browser, server)
    browser.execute_script(
        "document.querySelector('button.example[data-name=\"cq-05-partner-vetoes\"]').click()")
    everything = _run(browser)["bindings"]
    browser.execute_script("""
        var tab = window.__workbench.yasgui.getTab();
        tab.setQuery(tab.getQuery().replace("#VALUES ?aco", "VALUES ?aco"));""")
    restricted = _run(browser)["bindings"]
    acos = {b["aco"]["value"] for b in restricted}
    assert len(acos) == 1 and 0 < len(restricted) <= len(everything)


def test_service_is_refused_in_the_editor_and_nothing_goes_out(browser, server):
    canary = Canary()
    try:
        _open_editor(browser, server)
        for variant in ("plain", "comment ended by CR", "variable target from BIND"):
            browser.execute_script("window.__workbench.yasgui.getTab().setQuery(arguments[0])",
                                   corpus(canary.port)[variant])
            answer = _run(browser)
            assert answer["error"] is not None and not answer["bindings"], variant
            assert _shows(browser, "refused"), variant  # the reason is shown to the reader
        time.sleep(0.3)
        assert canary.connections == 0
        assert not _outside(requests_made(browser), server)
    finally:
        canary.close()


def test_the_download_links_give_the_command_line_files(browser, server):
    _open_editor(browser, server)
    browser.execute_script(
        "document.querySelector('button.example[data-name=\"cq-08-dissolved-alliances\"]').click()")
    link = browser.find_element("id", "download-csv").get_attribute("href")
    assert link.startswith(f"http://127.0.0.1:{server.port}/sparql?download=csv&query=")
    request = urllib.request.Request(link, headers={"Host": f"127.0.0.1:{server.port}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read().decode("utf-8")
    assert text.splitlines()[0].startswith("alliance,allianceName,")
    assert "Collaborative ACO - management partner alliance" in text


def test_the_documentation_is_served_beside_the_editor(browser, server):
    browser.get("about:blank")
    requests_made(browser)
    browser.get_log("browser")  # what earlier pages logged
    browser.get(f"{server.url}docs/")
    assert "Ontology reference" in browser.find_element("tag name", "body").text
    browser.find_element("link text", "Query catalogue").click()
    assert "cq-08-dissolved-alliances" in browser.find_element("tag name", "body").text
    browser.get(f"{server.url}docs/ontology.html")
    assert "Alliance" in browser.find_element("tag name", "body").text
    assert not _outside(requests_made(browser), server)
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
