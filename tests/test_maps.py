"""The maps without a browser: what the graph holds, the filters, the layout, the escaping."""

from __future__ import annotations

import csv
import html
import json
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from kg.core.errors import UsageError
from kg.core.iris import mint
from kg.products.maps.layout import layout, sfdp_positions, spring_positions
from kg.products.maps import (PARTICIPANTS_NOTE, Fact, MapEdge, MapGraph, MapNode, Source,
                             aggregate_participants, cap, load_map_graph, restrict, write_map)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from map_fixtures import HOSTILE, hostile_store, synthetic_store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# curated_store and tiny_store: the session's builds of data/ and the tiny fixture (conftest)


def test_every_curated_organization_and_alliance_is_on_the_map(curated_store):
    graph = load_map_graph(curated_store)
    organizations = _csv(ROOT / "data" / "organizations.csv")
    assert set(graph.nodes) == {mint("organization", r["org_id"]) for r in organizations}
    alliance_facts = " ".join(f.text for e in graph.edges if e.kind == "alliance" for f in e.facts)
    for alliance in _csv(ROOT / "data" / "alliances.csv"):
        assert alliance["name"] in alliance_facts
    # every participation row is behind a participation edge
    participants = {(mint("organization", r["org_id"]), mint("organization", r["aco_id"]))
                    for r in _csv(ROOT / "data" / "aco_participants.csv")}
    assert participants == {(e.source, e.target) for e in graph.edges if e.kind == "participation"}


def test_edges_carry_facts_with_sources(curated_store):
    graph = load_map_graph(curated_store)
    partner = mint("organization", "access-aco-management-partner")
    aco = mint("organization", "access-aco")
    kinds = {e.kind: e for e in graph.edges if {e.source, e.target} == {partner, aco}}
    assert set(kinds) == {"alliance", "board-seat", "reserved-power", "service", "savings-share"}
    veto = kinds["reserved-power"]
    assert any(f.text.startswith("veto over all board decisions") for f in veto.facts)
    assert all("Murray" in f.source.citation and f.source.locator for f in veto.facts)
    seats = kinds["board-seat"]
    assert seats.short == "2 seats" and (seats.source, seats.target) == (partner, aco)
    share = kinds["savings-share"]
    # only an upper bound is known: no dollar figure is made up, the bound is shown
    assert share.savings_usd is None and "under 30%" in share.facts[0].text
    assert len(kinds["service"].facts) == 9
    collaborative_partner = graph.nodes[mint("organization", "collaborative-aco-management-partner")]
    assert ("Board", "not represented on the Collaborative ACO board") in collaborative_partner.facts


def test_focus_keeps_what_lies_within_depth(curated_store):
    graph = load_map_graph(curated_store)
    aco = mint("organization", "access-aco")
    one = restrict(graph, focus="access-aco", depth=1)
    neighbours = {e.target if e.source == aco else e.source for e in graph.edges
                  if aco in (e.source, e.target)}
    assert set(one.nodes) == neighbours | {aco}
    assert len(restrict(graph, focus="access-aco", depth=0).nodes) == 1
    two = restrict(graph, focus="access-aco", depth=2)
    assert set(one.nodes) <= set(two.nodes) < set(graph.nodes)
    assert mint("organization", "collaborative-aco") not in two.nodes
    assert all(e.source in one.nodes and e.target in one.nodes for e in one.edges)


def test_partner_filter_keeps_its_acos_and_their_participants(curated_store):
    graph = load_map_graph(curated_store)
    kept = restrict(graph, partner="access-aco-management-partner")
    names = {n.name for n in kept.nodes.values()}
    assert "Access ACO" in names and "Access ACO participating physician group" in names
    assert not any(name.startswith("Collaborative") for name in names)


def test_year_filter_uses_membership_periods_and_keeps_undated_links(tiny_store):
    graph = load_map_graph(tiny_store)
    aco, partner = mint("organization", "aco-1"), mint("organization", "partner-1")

    def alliance(g):
        return [e for e in g.edges if e.kind == "alliance" and {e.source, e.target} == {aco, partner}]

    assert alliance(restrict(graph, year=2015))          # membership 2014-03 .. 2016
    assert not alliance(restrict(graph, year=2013))      # before it began
    assert not alliance(restrict(graph, year=2017))      # after it ended
    before = restrict(graph, year=2013)
    # the participant joined in 2015: in 2013 it has no link left and is not drawn
    assert mint("organization", "00123") not in before.nodes
    assert any("no start or end date" in note for note in before.notes)
    # an undated veto is kept in every year, not assumed ended
    assert any(e.kind == "reserved-power" for e in restrict(graph, year=1990).edges)


def test_state_filter(tiny_store):
    graph = load_map_graph(tiny_store)
    kept = restrict(graph, state="NM")
    assert mint("organization", "aco-1") in kept.nodes          # in NM
    assert mint("organization", "partner-1") in kept.nodes      # linked to it
    assert mint("organization", "holding-1") not in kept.nodes  # two links away
    assert not restrict(graph, state="TX").nodes


@pytest.mark.parametrize("options, argument, message", [
    ({"focus": "nobody"}, "focus", "no organization with id 'nobody'"),
    ({"focus": "aco-1", "depth": -1}, "depth", "must be 0 or more, got -1"),
    ({"year": 12}, "year", "outside 1900-2100"),
    ({"state": "new mexico"}, "state", "two-letter"),
    ({"partner": "nobody"}, "partner", "no organization with id 'nobody'"),
])
def test_bad_options_say_what_is_wrong(tiny_store, options, argument, message):
    with pytest.raises(UsageError, match=re.escape(message)) as raised:
        restrict(load_map_graph(tiny_store), **options)
    assert raised.value.argument == argument


def test_participants_are_aggregated_only_when_linked_to_nothing_else(tmp_path):
    graph = load_map_graph(synthetic_store(tmp_path, 400, seed=3))
    assert len(graph.nodes) == 400
    folded = aggregate_participants(graph)
    groups = [n for n in folded.nodes.values() if n.kind == "participant-group"]
    assert groups and len(folded.nodes) < len(graph.nodes)
    assert sum(g.members for g in groups) == len(graph.nodes) - len(folded.nodes) + len(groups)
    # participants with another link (a second ACO, a board seat) keep their own node
    participants = {e.source for e in graph.edges if e.kind == "participation"}
    links = {p: sum(1 for e in graph.edges if p in (e.source, e.target)) for p in participants}
    assert any(c > 1 for c in links.values()) and any(c == 1 for c in links.values())
    assert all(p in folded.nodes for p, c in links.items() if c > 1)
    assert not any(p in folded.nodes for p, c in links.items() if c == 1)
    # no link other than participation is lost
    for kind in ("alliance", "board-seat", "reserved-power", "service", "savings-share"):
        assert sum(1 for e in folded.edges if e.kind == kind) == sum(1 for e in graph.edges if e.kind == kind)
    capped = cap(folded, 50, {n: 1.0 for n in folded.nodes})
    assert len(capped.nodes) == 50 and any("the cap" in note for note in capped.notes)


def _star_graph(order: int = 1) -> MapGraph:
    """Two partners, six ACOs, four participants per ACO that outscore every ACO."""
    fact = [Fact("x", Source(None, None, None))]
    nodes = [MapNode(f"partner{i}", f"Partner {i}", "management-partner") for i in range(2)]
    nodes += [MapNode(f"aco{i}", f"ACO {i}", "aco") for i in range(6)]
    nodes += [MapNode(f"p{a}-{j}", f"P {a}-{j}", "physician-group") for a in range(6) for j in range(4)]
    edges = [MapEdge("alliance", f"aco{a}", f"partner{a % 2}", fact) for a in range(6)]
    edges += [MapEdge("participation", f"p{a}-{j}", f"aco{a}", fact) for a in range(6) for j in range(4)]
    return MapGraph({n.iri: n for n in nodes[::order]}, edges[::order])


def test_cap_keeps_links_where_the_highest_scores_alone_keep_none():
    graph = _star_graph()
    scores = {n: (10.0 if n.startswith("p") and not n.startswith("partner") else 1.0)
              for n in graph.nodes}
    # the old rule, the 12 highest scores, would keep 12 participants and no link
    assert not graph.keep(sorted(graph.nodes, key=lambda n: (-scores[n], n))[:12]).edges
    for max_nodes in (1, 3, 8, 12, 20, 31):
        kept = cap(graph, max_nodes, scores)
        assert len(kept.nodes) == max_nodes  # filled up to the cap, never beyond
        assert all(e.source in kept.nodes and e.target in kept.nodes for e in kept.edges)
        reversed_input = cap(_star_graph(order=-1), max_nodes, scores)  # same graph, other order
        assert sorted(kept.nodes) == sorted(reversed_input.nodes)
        assert ({(e.source, e.target) for e in kept.edges}
                == {(e.source, e.target) for e in reversed_input.edges})
    kept = cap(graph, 12, scores)
    # partners and ACOs first, then each ACO's best participant in turn (ties by IRI)
    assert sorted(kept.nodes) == sorted([f"partner{i}" for i in range(2)] +
                                        [f"aco{a}" for a in range(6)] +
                                        ["p0-0", "p1-0", "p2-0", "p3-0"])
    assert len(kept.edges) == 6 + 4
    note = kept.notes[-1]
    assert "Only 12 of 32 nodes are drawn (the cap" in note and "with 10 of 30 links" in note
    assert "all 2 management partner(s), all 6 ACO(s) and 4 other node(s)" in note
    # a cap below the partners and ACOs keeps the links among them first
    small = cap(graph, 3, scores)
    assert len(small.edges) == 2 and set(small.nodes) == {"partner0", "aco0", "aco2"}


def test_lone_nodes_and_tiny_components_bypass_sfdp(monkeypatch):
    import kg.products.maps.layout

    given = []
    real = kg.products.maps.layout.sfdp_positions

    def recording(nodes, edges, **options):
        given.append(list(nodes))
        return real(nodes, edges, **options)

    monkeypatch.setattr(kg.products.maps.layout, "sfdp_positions", recording)
    ring = [f"r{i:03d}" for i in range(450)]
    nodes = ring + [f"lone{i}" for i in range(300)] + ["a", "b", "c"]
    edges = [(ring[i], ring[(i + 1) % 450]) for i in range(450)] + [("a", "b"), ("b", "c")]
    first = layout(nodes, edges, seed=2)
    assert given == [ring]  # only the large component went to sfdp
    assert first == layout(nodes, edges, seed=2) and set(first) == set(nodes)
    assert len(set(first.values())) == len(nodes)  # no two nodes on the same spot
    # the small pieces lie below the main picture
    assert min(first[n][1] for n in nodes if n not in ring) > max(first[n][1] for n in ring)
    # a map of lone nodes only never calls sfdp
    given.clear()
    assert len(layout([f"m{i}" for i in range(500)], [], seed=0)) == 500 and given == []


def test_same_seed_same_layout_and_other_seed_other_layout():
    nodes = [f"n{i}" for i in range(60)]
    edges = [(f"n{i}", f"n{(i * 7 + 3) % 60}") for i in range(60)]
    for method in (spring_positions, sfdp_positions):
        first = method(nodes, edges, seed=4)
        assert first == method(nodes, edges, seed=4)
        assert first != method(nodes, edges, seed=5)
        assert set(first) == set(nodes)
    assert len(layout(nodes * 0 + [f"m{i}" for i in range(500)], [], seed=0)) == 500


@pytest.mark.slow
def test_same_seed_same_layout_in_another_process():
    # string hashing differs between processes: a layout that followed the order of a
    # set (a networkx subgraph view of a small component iterates over one) moved the
    # nodes of the curated map from one run to the next
    import subprocess

    script = ("import json; from kg.products.maps.layout import layout; "
              "nodes = [f'n{i:02d}' for i in range(30)]; "
              "edges = [(f'n{i:02d}', f'n{i + 1:02d}') for i in range(29) if i % 10 != 9]; "
              "print(json.dumps(sorted(layout(nodes, edges, seed=1).items())))")
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, env={**__import__("os").environ, "PYTHONHASHSEED": str(h)})
            for h in (1, 2, 3)]
    assert len(json.loads(runs[0].stdout)) == 30
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout


def test_same_seed_same_page(curated_store, tmp_path):
    # the curated graph: the tiny one is all operator hubs, whose rings take no seed
    write_map(curated_store, tmp_path / "a.html", seed=7)
    write_map(curated_store, tmp_path / "b.html", seed=7)
    write_map(curated_store, tmp_path / "c.html", seed=8)
    a, b, c = ((tmp_path / f"{x}.html").read_bytes() for x in "abc")
    assert a == b and a != c


def _script_elements(page: str) -> list[dict]:
    """The attributes of each script element (an HTML parser skips the scripts' text)."""
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "script":
                found.append(dict(attrs))

    Parser().feed(page)
    return found


def _payload(page: str) -> tuple[dict, str]:
    match = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1)), page[:match.start()] + page[match.end():]


def test_page_is_self_contained(tiny_store, tmp_path):
    write_map(tiny_store, tmp_path / "map.html")
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page, re.I)
    assert "bootstrap" not in page.lower() and "cdnjs" not in page and "jsdelivr" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert _script_elements(page) == [{"type": "application/json", "id": "map-data"}, {}, {}]


def test_hostile_text_is_never_written_as_html(tmp_path):
    write_map(hostile_store(), tmp_path / "map.html", title=HOSTILE[0])
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    payload, rest = _payload(page)
    # the data are all there, as data
    names = {n["name"] for n in payload["nodes"]}
    assert names == set(HOSTILE)
    texts = json.dumps(payload)
    assert all(json.dumps(h)[1:-1] in texts for h in HOSTILE)
    # the JSON block cannot close its element: no raw < > & in it at all
    block = re.search(r'id="map-data">(.*?)</script>', page, re.S).group(1)
    assert not set(block) & set("<>&")
    # outside it, each hostile text appears only escaped (the title, in the heading)
    for text in HOSTILE:
        assert text not in rest
    assert html.escape(HOSTILE[0]) in rest
    # the page's own script never assigns HTML
    script = (Path(__file__).resolve().parent.parent / "kg" / "products" / "templates" / "map.js").read_text()
    assert not re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write", script)


def test_write_map_refuses_a_missing_store(tmp_path):
    with pytest.raises(UsageError, match="no Oxigraph store"):
        write_map(tmp_path / "nothing", tmp_path / "map.html")


def test_cli_map_writes_the_page_and_reports_bad_options(tiny_out, tmp_path, capsys):
    from kg.cli import main

    store = tiny_out / "store"
    assert main(["map", "--store", str(store), "--out", str(tmp_path / "m.html")]) == 0
    assert "4 organizations" in capsys.readouterr().out and (tmp_path / "m.html").exists()
    assert main(["map", "--store", str(store), "--out", str(tmp_path / "x.html"),
                 "--focus", "nobody"]) == 2
    assert "no organization with id 'nobody'" in capsys.readouterr().err
    assert main(["map", "--store", str(tmp_path / "none"), "--out", str(tmp_path / "y.html")]) == 2
    assert not (tmp_path / "x.html").exists() and not (tmp_path / "y.html").exists()


# --- the national map: operators, dated links, summaries, sizes ---------------------------------

from kg.analysis.read import read_table  # noqa: E402
from kg.products.maps import node_beneficiaries, summarise  # noqa: E402
from kg.products.maps.select import folded  # noqa: E402
from map_fixtures import OPERATOR_KINDS, varied_operator_links  # noqa: E402


@pytest.fixture(scope="module")
def dated_store(tmp_path_factory):
    return synthetic_store(tmp_path_factory.mktemp("dated") / "synth", 1000, seed=2,
                           dated_partners=True)


def test_operator_links_become_dated_edges_from_operator_to_aco(dated_store, monkeypatch):
    varied_operator_links(monkeypatch)
    import kg.products.maps.load as map_load
    links = map_load.read_table(dated_store, "operator_links")  # the varied rows the map reads
    graph = load_map_graph(dated_store)
    edges = {(e.source, e.target): e for e in graph.edges if e.kind == "operator"}
    assert len(links) > 5 and set(edges) == set(zip(links["operator"], links["aco"]))
    for row in links.itertuples():
        edge = edges[(row.operator, row.aco)]
        assert any(f.start == row.first_year and f.end == row.last_year for f in edge.facts)
        assert graph.nodes[row.operator].operator_kind == row.operator_kind.rsplit("/", 1)[-1]
        assert graph.nodes[row.aco].kind == "aco"
    assert {e.review for e in edges.values()} == {"confirmed", "unreviewed"}
    assert {e.inferred for e in edges.values()} == {True, False}
    assert {n.operator_kind for n in graph.nodes.values() if n.operator_kind} <= set(OPERATOR_KINDS)
    # an inferred alliance that says what an operator link says is not drawn a second time;
    # the reported alliances of the same ACOs and partners are facts of their own and are
    assert not [e for e in graph.edges if e.kind == "alliance" and e.inferred
                and ((e.source, e.target) in edges or (e.target, e.source) in edges)]
    assert [e for e in graph.edges if e.kind == "alliance" and not e.inferred
            and ((e.source, e.target) in edges or (e.target, e.source) in edges)]


def test_a_year_keeps_only_the_links_and_organizations_valid_then(dated_store):
    graph = load_map_graph(dated_store)
    operator_edges = [e for e in graph.edges if e.kind == "operator"]
    years = {f.start for e in operator_edges for f in e.facts} | {f.end for e in operator_edges for f in e.facts}
    for year in sorted(years):
        kept = restrict(graph, year=year)
        assert all(e.active_in(year) for e in kept.edges)
        linked = {n for e in kept.edges for n in (e.source, e.target)}
        for n, node in kept.nodes.items():  # a link valid then, a result then, or nothing dated
            assert n in linked or year in node.years or not node.years
    # an ACO whose results and links all fall in other years is not drawn
    active = {n for e in graph.edges if e.active_in(2000) for n in (e.source, e.target)}
    gone = [n for n, node in graph.nodes.items() if node.years and n not in active]
    assert gone and not set(gone) & set(restrict(graph, year=2000).nodes)


def test_a_participation_read_from_one_years_file_is_dated_to_that_year():
    from kg.products.maps.load import _file_year
    assert _file_year("mssp_participants_2026.csv, line 10906 (PY2026, ACO_ID A1001)") == 2026
    assert _file_year("roster (PY2023), line 3; participants (PY2026), line 9") is None
    graph = MapGraph({"a": MapNode("a", "A", "aco", years={2016}),
                      "p": MapNode("p", "P", "physician-group")},
                     [MapEdge("participation", "p", "a",
                              [Fact("participant", Source(None, "f (PY2026, x)", None), 2026, 2026)])])
    assert set(restrict(graph, year=2016).nodes) == {"a"}       # the 2026 participant is not drawn
    assert set(restrict(graph, year=2026).nodes) == {"a", "p"}


def test_lone_acos_fold_into_states_and_divisions():
    fact = [Fact("x", Source(None, None, None))]
    nodes = {"op": MapNode("op", "Op", "management-partner"),
             "a1": MapNode("a1", "A1", "aco", state="NM", beneficiaries={2023: 100}),
             "a2": MapNode("a2", "A2", "aco", state="AZ", beneficiaries={2023: 300}),
             "a3": MapNode("a3", "A3", "aco"),
             "a4": MapNode("a4", "A4", "aco", state="NM"),
             "a5": MapNode("a5", "A5", "aco", state="NM"),
             "g1": MapNode("g1", "G1", "participant-group"),
             "shared": MapNode("shared", "S", "physician-group")}
    edges = [MapEdge("operator", "op", "a4", fact), MapEdge("participation", "g1", "a1", fact),
             MapEdge("participation", "shared", "a5", fact),
             MapEdge("participation", "shared", "a4", fact)]
    out = summarise(MapGraph(nodes, edges))
    parent = folded(out)
    # a4 has an operator and a5 shares a participant with it: neither is folded by default,
    # but both have a place in a summary (a view that leaves them no link folds them there)
    assert {n for n, node in out.nodes.items() if node.lone} == {"a1", "g1", "a2", "a3"}
    assert {"a1", "g1", "a2", "a3", "a5"} <= set(parent) and "op" not in parent
    assert out.nodes["g1"].hangs_on == "a1" and out.nodes["shared"].hangs_on is None
    tops = [out.nodes[s].name for s in out.summaries]
    assert tops == ["Mountain: 2 ACOs", "State not recorded: 1 ACO"]
    states = sorted(out.nodes[c].name for c in out.nodes[out.summaries[0]].children)
    assert states == ["AZ: 1 ACO", "NM: 1 ACO"]
    sizes = node_beneficiaries(out)
    assert sizes[out.summaries[0]] == {"2023": 400, "all": 400}
    assert "op" not in sizes  # its ACO has no figure


def test_national_map_page_is_sized_and_summarised(dated_store, tmp_path):
    page = tmp_path / "national.html"
    write_map(dated_store, page)
    text = page.read_text(encoding="utf-8")
    data = json.loads(html.unescape(re.search(r'id="map-data">(.*?)</script>', text, re.S).group(1)))
    assert data["sizeBy"] == "Assigned beneficiaries"
    sized = [n["b"]["all"] for n in data["nodes"] if "all" in n["b"] and n["group"] != "summary"]
    assert len(set(sized)) > len(sized) / 2  # a spread, not one size for all
    assert any(n["group"] == "summary" for n in data["nodes"])
    assert {e["k"] for e in data["edges"]} >= {"operator", "participation"}
    results = read_table(dated_store, "savings_results")
    assert set(data["years"]) >= {int(y) for y in results["performance_year"].dropna()}


def test_operators_are_hubs_with_their_acos_on_a_ring():
    acos = [f"aco-{i:02d}" for i in range(40)]
    nodes = ["op", "op2", "lone", "x", "y"] + acos + [f"g-{a}" for a in acos]
    edges = ([("op", a) for a in acos[:30]] + [("op2", a) for a in acos[30:]]
             + [(f"g-{a}", a) for a in acos] + [("op", "op2"), ("x", "y")])
    positions = layout(nodes, edges, seed=0, hubs={"op", "op2"})
    other_seed = layout(nodes, edges, seed=5, hubs={"op", "op2"})
    assert all(positions[n] == other_seed[n] for n in nodes if n not in ("x", "y"))  # no randomness

    def distance(a, b):
        return ((positions[a][0] - positions[b][0]) ** 2 + (positions[a][1] - positions[b][1]) ** 2) ** 0.5

    radii = {round(distance("op", a)) for a in acos[:30]}
    assert max(radii) - min(radii) <= 2  # on one ring
    ring = sorted(acos[:30], key=lambda a: distance(acos[0], a))
    assert distance(ring[0], ring[1]) >= 60  # the ACOs of a hub do not overlap
    # what hangs on an ACO lies outside the ring
    assert all(distance("op", f"g-{a}") > distance("op", a) for a in acos[:30])
    # the rest is drawn below the hubs' components
    assert positions["x"][1] > max(positions[a][1] for a in acos)


def test_the_participants_note_of_a_year_counts_that_years_participants(monkeypatch, tmp_path):
    import pyoxigraph as ox

    import kg.products.maps.write as map_write
    from map_fixtures import dated_participants_graph

    monkeypatch.setattr(map_write, "load_map_graph", lambda store: dated_participants_graph())

    def participants_note(year):
        summary = write_map(ox.Store(), tmp_path / f"{year}.html", year=year, participants="aggregate")
        [note] = [n for n in summary.notes if "linked to nothing but their ACO" in n]
        return note, _payload((tmp_path / f"{year}.html").read_text(encoding="utf-8"))[0]

    note, data = participants_note(None)
    assert note.startswith("4 participant(s) linked to nothing but their ACO are drawn as one "
                           "node per ACO (2 node(s))")
    note, data = participants_note(2016)
    assert note.startswith("3 participant(s) linked to nothing but their ACO are drawn as one "
                           "node per ACO (1 node(s))")
    groups = [n for n in data["nodes"] if n["group"] == "participant-group"]
    assert [g["name"] for g in groups] == ["3 participants of ACO A"]
    # the page of a year draws only that year's organizations and links
    assert {n["name"] for n in data["nodes"] if n["group"] != "summary"} == {
        "OP", "ACO A", "ACO B", "3 participants of ACO A"}
    # the map of all years gives the page, for each group, its members' periods: the page
    # counts those of the year it shows (A: p1 and p3 in 2016, B: none)
    _, data = participants_note(None)
    periods = {n["name"]: sorted((count, [tuple(p) for p in spans]) for count, spans in n["mp"])
               for n in data["nodes"] if n["group"] == "participant-group"}
    assert periods == {"3 participants of ACO A": [(1, [(2016, 2016)]), (1, [(2016, 2020)]),
                                                    (1, [(2020, 2020)])],
                       "1 participant of ACO B": [(1, [(2020, 2020)])]}
    assert data["yearNotes"]["participants"][1] == PARTICIPANTS_NOTE


def test_a_year_without_results_says_that_acos_are_missing_not_absent():
    from kg.products.maps import NO_RESULTS_NOTE

    runs = [Fact("runs", Source("test", None, "reported"), 2019, 2019)]
    graph = MapGraph({"a": MapNode("a", "A", "aco", years={2018, 2020}),
                      "b": MapNode("b", "B", "aco", years={2018}),
                      "op": MapNode("op", "Op", "management-partner")},
                     [MapEdge("operator", "op", "a", runs)])
    gap = restrict(graph, year=2019)
    assert set(gap.nodes) == {"a", "op"}  # b, with results in 2018 only, is not known in 2019
    assert NO_RESULTS_NOTE.format(year=2019) in gap.notes
    covered = restrict(graph, year=2018)
    assert set(covered.nodes) == {"a", "b"} and not any("No results" in n for n in covered.notes)
    # with no results at all, nothing dates the ACOs by results and nothing is said
    bare = MapGraph({k: replace(v, years=set()) for k, v in graph.nodes.items()}, graph.edges)
    assert not any("No results" in n for n in restrict(bare, year=2019).notes)
