"""The maps in a real browser: Debian's headless Chromium (make system-deps installs it).

Each test loads a written map from disk and reads back what the page holds (vis-network's
DataSets), which requests it made, and whether any injected script ran.
"""

from __future__ import annotations

import json
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
from browser import LOOPBACK_ONLY, available, chromium, requests_made  # noqa: E402
from map_fixtures import HOSTILE, hostile_store, synthetic_store  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not available(), reason="needs chromium and chromium-driver "
                                 "(make system-deps installs them)")]

VISIBLE = "return window.__map.nodes.get({filter: function (n) { return !n.hidden; }}).length"
VISIBLE_EDGES = "return window.__map.edges.get({filter: function (e) { return !e.hidden; }}).length"


@pytest.fixture(scope="module")
def browser():
    with chromium(1400, 900, LOOPBACK_ONLY) as driver:  # no network: only this machine
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
    # the cap counts organizations; the summaries of the lone ACOs come on top
    folded = sum(1 for n in json.loads(page.read_text().split('id="map-data">')[1].split("</script>")[0])["nodes"]
                 if n["group"] == "summary")
    assert summary.nodes - folded == 400 < summary.total_nodes
    _open(browser, page)
    assert browser.execute_script(
        "return window.__map.nodes.get({filter: function (n) { return n.group !== 'summary'; }}).length") == 400
    notes = browser.find_element("id", "panel").text
    assert "Only 400 of" in notes and "participant(s) linked to nothing but their ACO" in notes


# --- the controls of the national map, on synthetic data with dated operator links -----------
import xml.etree.ElementTree as ET  # noqa: E402

from kg.analysis.read import read_table  # noqa: E402
from kg.products.maps import aggregate_participants  # noqa: E402
from map_fixtures import varied_operator_links  # noqa: E402

SHOWN = """var m = window.__map; return m.nodes.get({filter: function (n) { return !n.hidden; }})
           .map(function (n) { return m.data.nodes[n.id].k; });"""
SHOWN_EDGES = """var m = window.__map; return m.edges.get({filter: function (e) { return !e.hidden; }})
                 .map(function (e) { var d = m.data.edges[e.id]; return [d.k, d.ev, d.rv]; });"""


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """A synthetic national-like map: dated operator links of every kind, evidence and review."""
    folder = tmp_path_factory.mktemp("national")
    store = synthetic_store(folder / "synth", 1500, seed=1, dated_partners=True)
    with pytest.MonkeyPatch.context() as patch:
        varied_operator_links(patch)
        write_map(store, folder / "national.html")
        graph = load_map_graph(store)
    return {"store": store, "page": folder / "national.html", "graph": graph}


def _open_national(driver, national, fragment: str = "") -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")
    requests_made(driver)
    driver.get(national["page"].as_uri() + fragment)
    WebDriverWait(driver, 60, poll_frequency=0.05).until(
        lambda d: d.execute_script("return window.__mapReady === true"))
    assert requests_made(driver) == [national["page"].as_uri() + fragment]  # nothing fetched


def _choose(driver, element_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select
    Select(driver.find_element("id", element_id)).select_by_value(value)


def test_default_map_draws_few_isolated_nodes_and_folds_the_lone_acos(browser, national):
    _open_national(browser, national)
    counts = browser.execute_script("return window.__map.apply()")
    assert counts["nodes"] > 100
    assert counts["lone"] / counts["nodes"] <= 0.05, counts
    # the lone ACOs are folded, not lost: a summary expands on click into its ACOs
    summaries = browser.execute_script(
        "return window.__map.data.nodes.filter(function (n) { return n.group === 'summary' && n.par === undefined; })"
        ".map(function (n) { return n.id; })")
    assert summaries
    before = browser.execute_script("return window.__map.apply().nodes")
    browser.execute_script("window.__map.toggle(arguments[0])", summaries[0])
    assert browser.execute_script("return window.__map.apply().nodes") > before
    # operators are hubs: each drawn operator link goes from an operator to an ACO
    kinds = browser.execute_script(SHOWN_EDGES)
    assert any(k == "operator" for k, _, _ in kinds)


def test_year_filter_lists_every_year_and_draws_only_what_is_valid(browser, national):
    _open_national(browser, national)
    store = national["store"]
    links = read_table(store, "operator_links")
    results = read_table(store, "savings_results")
    expected = {int(y) for y in results["performance_year"].dropna()}
    for first, last in zip(links["first_year"], links["last_year"]):
        expected.update(range(int(first), int(last) + 1))
    options = browser.execute_script(
        "return Array.from(document.getElementById('year').options).map(function (o) { return o.value; })")
    assert options[0] == "" and {int(y) for y in options[1:]} >= expected
    assert [int(y) for y in options[1:]] == sorted(int(y) for y in options[1:])
    everything = set(browser.execute_script(SHOWN))
    graph = aggregate_participants(national["graph"])
    drawn = {}
    for year in (2014, 2022, 2026):
        _choose(browser, "year", str(year))
        # open every summary, so that each organization valid in that year is drawn
        browser.execute_script("""var m = window.__map;
            m.data.nodes.forEach(function (n) { if (n.group === 'summary') { m.state.expanded[n.id] = true; } });
            m.apply();""")
        shown = {k for k in browser.execute_script(SHOWN) if not k.startswith("summary:")}
        valid = {n.rsplit("/", 1)[-1] for n in restrict(graph, year=year).nodes}
        assert shown == valid, year
        drawn[year] = shown
        # an ACO this year leaves with no link is folded into its summary, not a lone dot
        alone = browser.execute_script("""var m = window.__map; m.state.expanded = {}; m.apply();
            var linked = {};
            m.edges.get({filter: function (e) { return !e.hidden; }}).forEach(function (e) { linked[e.from] = linked[e.to] = 1; });
            return m.nodes.get({filter: function (n) { return !n.hidden && !linked[n.id]; }})
                .map(function (n) { return m.data.nodes[n.id]; })
                .filter(function (n) { return n.group === 'aco' && n.par !== undefined; }).length;""")
        assert alone == 0, year
        live = [k for k, _, _ in browser.execute_script(SHOWN_EDGES) if k == "operator"]
        active = [e for e in graph.edges if e.kind == "operator" and e.active_in(year)]
        assert len(live) == len(active)
    assert drawn[2014] != drawn[2022] and drawn[2014] != everything


def test_links_filter_by_kind_and_by_evidence_and_review(browser, national):
    _open_national(browser, national)
    edges = browser.execute_script(SHOWN_EDGES)
    assert {"reported", "inferred"} <= {ev for _, ev, _ in edges}
    assert {"confirmed", "unreviewed"} <= {rv for _, _, rv in edges if rv}
    browser.find_element("css selector", "input.edge-kind[value='operator']").click()
    after = browser.execute_script(SHOWN_EDGES)
    assert not [k for k, _, _ in after if k == "operator"]
    assert len(after) == len([k for k, _, _ in edges if k != "operator"])
    browser.find_element("css selector", "input.edge-kind[value='operator']").click()
    browser.find_element("css selector", "input.evidence[value='inferred']").click()
    after = browser.execute_script(SHOWN_EDGES)
    assert after and all(ev == "reported" for _, ev, _ in after)
    assert len(after) == sum(1 for _, ev, _ in edges if ev == "reported")
    browser.find_element("css selector", "input.evidence[value='inferred']").click()
    browser.find_element("css selector", "input.review[value='unreviewed']").click()
    after = browser.execute_script(SHOWN_EDGES)
    assert not [rv for _, _, rv in after if rv == "unreviewed"]
    assert [rv for _, _, rv in after if rv == "confirmed"]


def test_search_lands_on_the_node_and_highlights_it(browser, national):
    _open_national(browser, national)
    name = "Synthetic Partner 002"
    found = browser.execute_script("return window.__map.find(arguments[0])", name)
    assert len(found) == 1
    assert browser.execute_script("return window.__map.network.getSelectedNodes()") == found
    centre = browser.execute_script("return window.__map.network.getViewPosition()")
    where = browser.execute_script("return window.__map.network.getPositions([arguments[0]])[arguments[0]]", found[0])
    assert abs(centre["x"] - where["x"]) < 1 and abs(centre["y"] - where["y"]) < 1
    assert name in browser.find_element("id", "details").text
    # an ACO folded into a summary: the search opens the summaries above it
    folded = browser.execute_script(
        "return window.__map.data.nodes.filter(function (n) { return n.group === 'aco' && n.lone === 1; })[0].name")
    found = browser.execute_script("return window.__map.find(arguments[0])", folded)
    assert browser.execute_script("return window.__map.nodes.get(arguments[0]).hidden", found[0]) is False
    assert browser.execute_script("return window.__map.network.getSelectedNodes()") == found[:1]


def test_tooltip_height_is_capped_and_says_there_is_more(browser, national):
    _open_national(browser, national)
    # the operator with the most ACOs has the longest tooltip: its facts and many links
    browser.execute_script("""var m = window.__map, most = null, n = 0, counts = {};
        m.data.edges.forEach(function (e) { if (e.k === 'operator') { counts[e.from] = (counts[e.from] || 0) + 1; } });
        Object.keys(counts).forEach(function (k) { if (counts[k] > n) { n = counts[k]; most = Number(k); } });
        m.data.nodes[most].f = m.data.nodes[most].f.concat(Array.from({length: 60}, function (_, i) { return ['Fact ' + i, 'x'.repeat(200)]; }));
        m.network.emit('hoverNode', {node: most, pointer: {DOM: {x: 300, y: 800}}});""")
    tip = browser.find_element("id", "tooltip")
    height = browser.execute_script("return arguments[0].getBoundingClientRect()", tip)
    inner = browser.execute_script("return window.innerHeight")
    assert height["height"] <= 0.45 * inner + 1
    assert height["bottom"] <= inner and height["top"] >= 0  # kept on the screen
    assert "more: click for every fact" in tip.text


def test_export_writes_png_csv_and_gexf_of_what_is_drawn(national, tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with chromium(1200, 800, LOOPBACK_ONLY) as driver:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(downloads)})
        _open_national(driver, national)
        _choose(driver, "year", "2022")
        shown = driver.execute_script(SHOWN)
        edges = driver.execute_script(SHOWN_EDGES)
        for kind in ("png", "nodes.csv", "links.csv", "gexf"):
            driver.find_element("css selector", f"button[data-export='{kind}']").click()
        deadline = time.time() + 20
        names = {"aco-kg-map-2022.png", "aco-kg-map-2022-nodes.csv", "aco-kg-map-2022-links.csv",
                 "aco-kg-map-2022.gexf"}
        while time.time() < deadline and {p.name for p in downloads.iterdir()} != names:
            time.sleep(0.2)
    assert {p.name for p in downloads.iterdir()} == names
    assert (downloads / "aco-kg-map-2022.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import csv as csv_module
    with open(downloads / "aco-kg-map-2022-nodes.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv_module.DictReader(handle))
    assert sorted(r["id"] for r in rows) == sorted(shown) and {r["year"] for r in rows} == {"2022"}
    with open(downloads / "aco-kg-map-2022-links.csv", newline="", encoding="utf-8") as handle:
        links = list(csv_module.DictReader(handle))
    assert len(links) == len(edges) and {r["kind"] for r in links} == {k for k, _, _ in edges}
    gexf = ET.parse(downloads / "aco-kg-map-2022.gexf").getroot()
    ns = {"g": "http://gexf.net/1.3"}
    assert len(gexf.findall(".//g:node", ns)) == len(shown)
    assert len(gexf.findall(".//g:edge", ns)) == len(edges)


def test_page_state_round_trips_through_the_address(browser, national):
    _open_national(browser, national)
    _choose(browser, "year", "2023")
    browser.find_element("css selector", "input.evidence[value='reported']").click()
    browser.find_element("css selector", "input.edge-kind[value='participation']").click()
    summary = browser.execute_script(
        "return window.__map.data.nodes.filter(function (n) { return n.group === 'summary' && n.par === undefined; })[0].id")
    browser.execute_script("window.__map.toggle(arguments[0])", summary)
    browser.execute_script("window.__map.find('Synthetic Partner 001')")
    address = browser.current_url
    shown, edges = browser.execute_script(SHOWN), browser.execute_script(SHOWN_EDGES)
    state = browser.execute_script("return JSON.stringify(window.__map.state)")
    assert "year=2023" in address and "sel=" in address
    browser.get("about:blank")
    browser.get(address)
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, 60, poll_frequency=0.05).until(
        lambda d: d.execute_script("return window.__mapReady === true"))
    assert browser.execute_script("return JSON.stringify(window.__map.state)") == state
    assert browser.execute_script(SHOWN) == shown and browser.execute_script(SHOWN_EDGES) == edges
    assert browser.find_element("id", "year").get_attribute("value") == "2023"
    assert not browser.find_element("css selector", "input.evidence[value='reported']").is_selected()
    assert browser.find_element("id", "search").get_attribute("value") == "Synthetic Partner 001"
    assert len(browser.execute_script("return window.__map.network.getSelectedNodes()")) == 1


# --- the view follows the filters ------------------------------------------------------------
FRAME = """var m = window.__map, net = m.network, c = document.querySelector('#map canvas');
    var ids = m.nodes.getIds({filter: function (n) { return !n.hidden; }}), pos = net.getPositions(ids);
    var xs = ids.map(function (i) { return net.canvasToDOM(pos[i]).x; });
    var ys = ids.map(function (i) { return net.canvasToDOM(pos[i]).y; });
    return {w: c.clientWidth, h: c.clientHeight, n: ids.length, scale: net.getScale(),
            x0: Math.min.apply(null, xs), x1: Math.max.apply(null, xs),
            y0: Math.min.apply(null, ys), y1: Math.max.apply(null, ys)};"""
# for each value of a filter (arguments[0]: "year" or "partner"), with 10 nodes drawn or more:
# the part of the whole drawing (canvas coordinates) that the nodes drawn then cover
COVER = """var m = window.__map, net = m.network, all = net.getPositions(), out = {}, key = arguments[0];
    function box(ids) {
      var xs = ids.map(function (i) { return all[i].x; }), ys = ids.map(function (i) { return all[i].y; });
      return (Math.max.apply(null, xs) - Math.min.apply(null, xs) + 1) * (Math.max.apply(null, ys) - Math.min.apply(null, ys) + 1);
    }
    var whole = box(m.nodes.getIds({filter: function (n) { return !n.hidden; }}));
    var values = key === "year" ? m.data.years : m.data.partners.map(function (p) { return p[0]; });
    values.forEach(function (v) {
      m.state[key] = String(v); m.apply();
      var ids = m.nodes.getIds({filter: function (n) { return !n.hidden; }});
      if (ids.length >= 10) { out[v] = box(ids) / whole; }
    });
    m.state[key] = ""; m.apply();
    return out;"""
AWAY = "window.__map.network.moveTo({position: {x: 1e5, y: -1e5}, scale: 2.5, animation: false})"
VIEW = "var n = window.__map.network; return [n.getViewPosition(), n.getScale()];"


def _fitted(driver) -> dict:
    """Where the drawn nodes lie on the canvas: all inside it, and the view tight around them
    (they span most of its width or height, or the fit has reached its largest zoom)."""
    f = driver.execute_script(FRAME)
    f["inside"] = 0 <= f["x0"] and f["x1"] <= f["w"] and 0 <= f["y0"] and f["y1"] <= f["h"]
    f["tight"] = (f["x1"] - f["x0"] >= 0.7 * f["w"] or f["y1"] - f["y0"] >= 0.7 * f["h"]
                  or f["scale"] >= 0.9)
    return f


def _open_address(driver, national, address: str) -> None:
    """Load the page at `address` (with its state after #), as a shared link opens it."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")
    requests_made(driver)
    driver.get(address)
    WebDriverWait(driver, 60, poll_frequency=0.05).until(
        lambda d: d.execute_script("return window.__mapReady === true"))
    assert {url.split("#")[0] for url in requests_made(driver)} == {national["page"].as_uri()}


def test_a_filter_change_fits_the_view_to_what_is_drawn(browser, national):
    _open_national(browser, national)
    whole = _fitted(browser)
    assert whole["inside"] and whole["tight"], whole
    # a partner whose organizations sit in a small part of the layout: the view closes in
    cover = browser.execute_script(COVER, "partner")
    partner = min(cover, key=cover.get)
    assert cover[partner] < 0.2, cover
    _choose(browser, "partner", partner)
    after = _fitted(browser)
    assert after["inside"] and after["tight"] and after["scale"] > whole["scale"], after
    _choose(browser, "partner", "")
    # a year (each covers most of the layout here), after the analyst zoomed into a corner
    years = browser.execute_script(COVER, "year")
    for year in (min(years, key=years.get), max(years)):
        browser.execute_script(AWAY)
        _choose(browser, "year", year)
        after = _fitted(browser)
        assert after["n"] >= 10 and after["inside"] and after["tight"], (year, after)
    # the other filters too: a kind of organization, an evidence, a review
    for selector in ("input.kind[value='aco']", "input.evidence[value='inferred']",
                     "input.review[value='unreviewed']"):
        browser.execute_script(AWAY)
        browser.find_element("css selector", selector).click()
        after = _fitted(browser)
        assert after["inside"] and after["tight"], (selector, after)
        browser.find_element("css selector", selector).click()


def test_the_view_of_an_address_is_the_view_its_filters_gave(browser, national):
    _open_national(browser, national)
    cover = browser.execute_script(COVER, "partner")
    partner = min(cover, key=cover.get)
    _choose(browser, "partner", partner)
    live, address = browser.execute_script(VIEW), browser.current_url
    assert "partner=" in address
    _open_address(browser, national, address)
    assert _fitted(browser)["tight"]
    assert browser.execute_script(VIEW)[0] == pytest.approx(live[0])
    assert browser.execute_script(VIEW)[1] == pytest.approx(live[1])
    # a selected organization that the year draws: the view centres on it, live and loaded
    _choose(browser, "partner", "")
    found = browser.execute_script("return window.__map.find(arguments[0])", "Synthetic Partner 002")
    browser.execute_script(AWAY)
    year = next(str(y) for y in browser.execute_script("return window.__map.data.years")
                if browser.execute_script("var m = window.__map; m.state.year = arguments[0];"
                                          "m.apply(); return !m.nodes.get(arguments[1]).hidden",
                                          str(y), found[0]))
    _choose(browser, "year", year)
    centre = browser.execute_script("return window.__map.network.getViewPosition()")
    where = browser.execute_script(
        "return window.__map.network.getPositions([arguments[0]])[arguments[0]]", found[0])
    assert abs(centre["x"] - where["x"]) < 1 and abs(centre["y"] - where["y"]) < 1
    live, address = browser.execute_script(VIEW), browser.current_url
    assert f"year={year}" in address and "sel=" in address
    _open_address(browser, national, address)
    assert browser.execute_script(VIEW)[0] == pytest.approx(live[0])
    assert browser.execute_script(VIEW)[1] == pytest.approx(live[1])
    # a focus: all within N links of the selection, as the Focus button showed it
    depth = browser.find_element("id", "depth")
    depth.clear()
    depth.send_keys("1")
    browser.find_element("id", "focus").click()
    assert _fitted(browser)["tight"]
    live, address = browser.execute_script(VIEW), browser.current_url
    assert "focus=" in address and "sel=" in address
    _open_address(browser, national, address)
    assert browser.execute_script(VIEW)[0] == pytest.approx(live[0])
    assert browser.execute_script(VIEW)[1] == pytest.approx(live[1])
    # Show all: everything, without the selection or the search (else the address would
    # open on them)
    browser.find_element("id", "reset").click()
    live, address = browser.execute_script(VIEW), browser.current_url
    assert "sel=" not in address and "q=" not in address and _fitted(browser)["tight"]
    _open_address(browser, national, address)
    assert browser.execute_script(VIEW)[0] == pytest.approx(live[0])
    assert browser.execute_script(VIEW)[1] == pytest.approx(live[1])


# --- the notes of a year ---------------------------------------------------------------------
from kg.products.maps import PARTICIPANTS_NOTE, SUMMARIES_NOTE  # noqa: E402
from map_fixtures import dated_participants_graph  # noqa: E402

def _note(driver, phrase: str) -> str:
    [note] = [t for t in driver.execute_script(
        "return Array.from(document.querySelectorAll('p.note')).map(function (p) { return p.textContent; })")
        if phrase in t]
    return note


def test_a_year_on_the_page_counts_the_participants_of_that_year(browser, tmp_path, monkeypatch):
    import pyoxigraph as ox

    import kg.products.maps.write as map_write
    monkeypatch.setattr(map_write, "load_map_graph", lambda store: dated_participants_graph())
    page = tmp_path / "participants.html"
    write_map(ox.Store(), page, participants="aggregate")
    _open(browser, page)
    phrase = "linked to nothing but their ACO"
    everything = _note(browser, phrase)
    assert everything == PARTICIPANTS_NOTE.format(members="4", groups="2", when="")
    labels = "return window.__map.nodes.get().map(function (n) { return n.label; }).sort()"
    for year, members, groups, label in (("2016", 2, 1, "2 participants of ACO A"),
                                         ("2020", 3, 2, "1 participant of ACO B")):
        _choose(browser, "year", year)
        assert _note(browser, phrase) == PARTICIPANTS_NOTE.format(
            members=members, groups=groups, when=f" in {year}")
        assert label in browser.execute_script(labels)
    _choose(browser, "year", "")
    assert _note(browser, phrase) == everything
    assert "3 participants of ACO A" in browser.execute_script(labels)


def test_a_year_on_the_page_counts_the_acos_its_summaries_fold(browser, national):
    _open_national(browser, national)
    phrase = "with no operator and no participant shared"
    everything = _note(browser, phrase)
    _choose(browser, "year", "2014")
    tops = browser.execute_script("""var m = window.__map;
        return m.data.nodes.filter(function (n) { return n.group === 'summary' && n.par === undefined
                                                      && !m.nodes.get(n.id).hidden; })
          .map(function (n) { return m.nodes.get(n.id).label; });""")
    acos = sum(int(label.split(": ")[1].split(" ")[0].replace(",", "")) for label in tops)
    assert _note(browser, phrase) == SUMMARIES_NOTE.format(acos=f"{acos:,}", nodes=len(tops),
                                                           when=" in 2014")
    assert _note(browser, phrase) != everything
    _choose(browser, "year", "")
    assert _note(browser, phrase) == everything


UNFOLDED = """var m = window.__map, net = m.network, c = document.querySelector('#map canvas'), cur = m.view();
    var s = m.data.nodes[arguments[0]];
    var ids = [s.id].concat(s.ch.filter(function (k) { return cur.nodes[k] && (m.data.nodes[k].group === 'summary' || cur.folded[k]); }));
    var pos = net.getPositions(ids);
    var xs = ids.map(function (i) { return net.canvasToDOM(pos[i]).x; });
    var ys = ids.map(function (i) { return net.canvasToDOM(pos[i]).y; });
    return {w: c.clientWidth, h: c.clientHeight, n: ids.length, scale: net.getScale(),
            x0: Math.min.apply(null, xs), x1: Math.max.apply(null, xs),
            y0: Math.min.apply(null, ys), y1: Math.max.apply(null, ys)};"""


def test_expanding_a_summary_fits_what_it_unfolds(browser, national):
    _open_national(browser, national)
    _choose(browser, "year", "2022")
    # a state whose summary holds ACOs that this year folds and ACOs it draws elsewhere,
    # with their links (those stay in their places, away from the summary)
    state = browser.execute_script("""var m = window.__map, cur = m.view(), best = null, most = 1;
        m.data.nodes.forEach(function (n) {
          if (n.group !== 'summary' || n.par === undefined) { return; }
          var acos = n.ch.filter(function (k) { return m.data.nodes[k].group === 'aco'; });
          var folded = acos.filter(function (k) { return cur.folded[k]; }).length;
          if (folded > most && acos.some(function (k) { return cur.nodes[k] && !cur.folded[k]; })) {
            best = n.id; most = folded;
          }
        });
        return best;""")
    assert state is not None
    division = browser.execute_script("return window.__map.data.nodes[arguments[0]].par", state)
    browser.execute_script("window.__map.toggle(arguments[0]); window.__map.toggle(arguments[1]);",
                           division, state)
    f = browser.execute_script(UNFOLDED, state)
    assert f["n"] >= 3
    assert 0 <= f["x0"] and f["x1"] <= f["w"] and 0 <= f["y0"] and f["y1"] <= f["h"], f
    assert f["x1"] - f["x0"] >= 0.6 * f["w"] or f["y1"] - f["y0"] >= 0.6 * f["h"] or f["scale"] >= 0.9, f


def test_a_map_drawn_for_one_year_shows_that_year(browser, national, tmp_path):
    import math

    page = tmp_path / "2022.html"
    write_map(national["store"], page, year=2022)
    _open(browser, page)
    options = browser.execute_script(
        "return Array.from(document.getElementById('year').options).map(function (o) { return o.value; })")
    assert options == ["2022"] and browser.find_element("id", "year").get_attribute("value") == "2022"
    assert browser.find_element("id", "status").text.endswith("as in 2022")
    # each node is sized by its figure of 2022, not by its latest one
    data = browser.execute_script("return window.__map.data")
    sized = [n for n in data["nodes"] if n["group"] == "aco" and "2022" in n["b"]]
    assert any(n["b"]["2022"] != n["b"]["all"] for n in sized)

    def radius(v):
        return round(max(6.0, min(70.0, data["sizeK"] * math.sqrt(v))) * 10) / 10

    drawn = browser.execute_script("return window.__map.nodes.get().map(function (n) { return n.size; })")
    assert all(drawn[n["id"]] == pytest.approx(radius(n["b"]["2022"])) for n in sized)
    browser.find_element("id", "reset").click()  # "Show all" shows all of that year
    assert browser.find_element("id", "status").text.endswith("as in 2022")


def test_a_year_without_results_says_that_acos_are_missing(browser, national):
    from kg.products.maps import NO_RESULTS_NOTE

    _open_national(browser, national)
    years = browser.execute_script("return window.__map.data.years")
    results = set(browser.execute_script(
        "var s = {}; window.__map.data.nodes.forEach(function (n) { (n.ry || []).forEach(function (y) { s[y] = 1; }); });"
        "return Object.keys(s).map(Number);"))
    gaps = [y for y in years if y not in results]
    assert results and gaps
    _choose(browser, "year", str(gaps[0]))
    assert NO_RESULTS_NOTE.format(year=gaps[0]) in browser.find_element("id", "year-note").text
    _choose(browser, "year", str(min(results)))
    assert "No results" not in browser.find_element("id", "year-note").text
