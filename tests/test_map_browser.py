"""The maps in a real browser: Debian's headless Chromium (make system-deps installs it).

Each test loads a written map from disk and reads back what the page holds (vis-network's
DataSets), which requests it made, and whether any injected script ran.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from kg.graph.build import build
from kg.core.iris import mint
from kg.products.maps import load_map_graph, restrict, write_map
from kg.graph.store import open_store

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from browser import available, chromium, requests_made  # noqa: E402
from map_fixtures import HOSTILE, hostile_store, synthetic_store  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not available(), reason="needs chromium and chromium-driver "
                                 "(make system-deps installs them)")]

VISIBLE = "return window.__map.nodes.get({filter: function (n) { return !n.hidden; }}).length"
VISIBLE_EDGES = "return window.__map.edges.get({filter: function (e) { return !e.hidden; }}).length"


@pytest.fixture(scope="module")
def browser():
    with chromium(1400, 900) as driver:
        yield driver


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    base = tmp_path_factory.mktemp("stores")
    build(ROOT / "data", base / "curated")
    build(ROOT / "tests" / "fixtures" / "tiny", base / "tiny")
    return {"curated": open_store(base / "curated" / "store"),
            "tiny": open_store(base / "tiny" / "store")}


def _open(driver, page: Path) -> list[str]:
    """Load `page`, wait for the first complete drawing, return the requests it made."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")
    requests_made(driver)
    driver.get(page.as_uri())
    WebDriverWait(driver, 60, poll_frequency=0.05).until(
        lambda d: d.execute_script("return window.__mapReady === true"))
    return requests_made(driver)


def test_curated_map_shows_everything_with_a_legend_and_makes_no_request(browser, stores, tmp_path):
    page = tmp_path / "map.html"
    summary = write_map(stores["curated"], page)
    graph = load_map_graph(stores["curated"])
    requests = _open(browser, page)
    assert requests == [page.as_uri()]
    import csv
    from conftest import DATA
    with open(DATA / "organizations.csv", newline="", encoding="utf-8") as handle:
        organizations = sum(1 for _ in csv.DictReader(handle))  # every one is on the map
    assert browser.execute_script("return window.__map.nodes.length") == len(graph.nodes) == organizations
    assert browser.execute_script("return window.__map.edges.length") == len(graph.edges) == summary.edges
    assert browser.execute_script(VISIBLE) == organizations
    labels = set(browser.execute_script("return window.__map.nodes.map(function (n) { return n.label; })"))
    assert "Access ACO" in labels and "Collaborative ACO" in labels
    legend = browser.find_element("id", "panel").text
    for words in ("Legend: organizations", "ACO", "Management partner", "Alliance membership",
                  "Veto or other reserved power", "inferred"):
        assert words.lower() in legend.lower()
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe


def test_map_works_with_the_network_off(browser, stores, tmp_path):
    page = tmp_path / "offline.html"
    write_map(stores["tiny"], page)
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
    try:
        assert _open(browser, page) == [page.as_uri()]
        assert browser.execute_script("return window.__map.nodes.length") == 4
    finally:
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def test_hostile_names_stay_inert(browser, tmp_path):
    page = tmp_path / "hostile.html"
    write_map(hostile_store(), page, title=HOSTILE[1])
    assert _open(browser, page) == [page.as_uri()]
    names = browser.execute_script("return window.__map.nodes.map(function (n) { return n.label; })")
    assert set(names) == {h if len(h) <= 48 else h[:47] + "…" for h in HOSTILE}
    # search, select, show the details of every node and edge: each path that shows text
    for text in ("img", "script", "svg", "href"):
        assert browser.execute_script("return window.__map.find(arguments[0]).length", text) >= 1
    browser.execute_script("""
        var m = window.__map;
        m.nodes.getIds().forEach(function (id) { m.select(id); });
        m.network.emit("hoverNode", {node: 0, pointer: {DOM: {x: 10, y: 10}}});
        m.network.emit("hoverEdge", {edge: 0, pointer: {DOM: {x: 10, y: 10}}});
        m.network.emit("click", {nodes: [], edges: [0], pointer: {DOM: {x: 10, y: 10}}});""")
    time.sleep(0.3)
    assert browser.execute_script("return window.__xss") is None
    assert browser.execute_script("return document.querySelectorAll('img, svg[onload], a[href]').length") == 0
    tooltip = browser.find_element("id", "tooltip").get_attribute("textContent")
    assert HOSTILE[0] in tooltip or HOSTILE[1] in tooltip  # shown, literally, as text
    assert browser.find_element("tag name", "h1").text == HOSTILE[1]
    assert HOSTILE[3] in browser.find_element("id", "details").get_attribute("textContent")


def test_filters_on_the_page_match_the_library(browser, stores, tmp_path):
    page = tmp_path / "curated.html"
    write_map(stores["curated"], page)
    graph = load_map_graph(stores["curated"])
    _open(browser, page)
    from selenium.webdriver.support.ui import Select

    # partner menu
    menu = Select(browser.find_element("id", "partner"))
    menu.select_by_visible_text("Access ACO's management partner")
    expected = restrict(graph, partner="access-aco-management-partner")
    assert browser.execute_script(VISIBLE) == len(expected.nodes) < len(graph.nodes)
    assert browser.execute_script(VISIBLE_EDGES) == len(expected.edges)
    menu.select_by_index(0)
    assert browser.execute_script(VISIBLE) == len(graph.nodes)
    # focus: find by name, then focus one link deep
    browser.execute_script("window.__map.find('Collaborative ACO')")
    depth = browser.find_element("id", "depth")
    depth.clear()
    depth.send_keys("1")
    browser.find_element("id", "focus").click()
    expected = restrict(graph, focus="collaborative-aco", depth=1)
    assert browser.execute_script(VISIBLE) == len(expected.nodes) < len(graph.nodes)
    assert browser.execute_script(VISIBLE_EDGES) == len(expected.edges)
    browser.find_element("id", "reset").click()
    assert browser.execute_script(VISIBLE) == len(graph.nodes)
    # kind check box
    browser.find_element("css selector", "input.kind[value='management-partner']").click()
    partners = sum(1 for n in graph.nodes.values() if n.kind == "management-partner")
    assert browser.execute_script(VISIBLE) == len(graph.nodes) - partners


def test_year_and_state_on_the_page_match_the_library(browser, stores, tmp_path):
    page = tmp_path / "tiny.html"
    write_map(stores["tiny"], page)
    graph = load_map_graph(stores["tiny"])
    _open(browser, page)
    from selenium.webdriver.support.ui import Select

    years = Select(browser.find_element("id", "year"))
    for year in (2014, 2016):
        years.select_by_value(str(year))
        expected = restrict(graph, year=year)
        assert browser.execute_script(VISIBLE) == len(expected.nodes)
        assert browser.execute_script(VISIBLE_EDGES) == len(expected.edges)
    assert "no start or end date" in browser.find_element("id", "year-note").text
    years.select_by_value("")
    Select(browser.find_element("id", "state")).select_by_value("NM")
    assert browser.execute_script(VISIBLE) == len(restrict(graph, state="NM").nodes) == 3


def test_cli_focus_writes_a_smaller_map(browser, stores, tmp_path):
    page = tmp_path / "focus.html"
    write_map(stores["curated"], page, focus="access-aco", depth=1)
    _open(browser, page)
    aco = mint("organization", "access-aco")
    expected = restrict(load_map_graph(stores["curated"]), focus="access-aco", depth=1)
    assert aco in expected.nodes
    assert browser.execute_script("return window.__map.nodes.length") == len(expected.nodes) == 7


def test_layout_stays_where_python_put_it(browser, stores, tmp_path):
    page = tmp_path / "still.html"
    write_map(stores["curated"], page, seed=3)
    _open(browser, page)
    script = "return JSON.stringify(window.__map.network.getPositions())"
    first = browser.execute_script(script)
    time.sleep(1.0)
    assert browser.execute_script(script) == first
    placed = browser.execute_script(
        "return window.__map.nodes.map(function (n) { return [n.id, n.x, n.y]; })")
    positions = browser.execute_script("return window.__map.network.getPositions()")
    assert all(positions[str(i)] == {"x": x, "y": y} for i, x, y in placed)


def test_large_generated_map_opens_with_a_cap_message(browser, tmp_path):
    page = tmp_path / "large.html"
    summary = write_map(synthetic_store(tmp_path / "synth", 1500, seed=1), page, max_nodes=400)
    assert summary.nodes == 400 < summary.total_nodes
    _open(browser, page)
    assert browser.execute_script("return window.__map.nodes.length") == 400
    notes = browser.find_element("id", "panel").text
    assert "Only 400 of" in notes and "participant(s) linked to nothing but their ACO" in notes
