"""Benchmark of the maps: layout in Python, drawing in headless Chromium, at three sizes.

For each size, a synthetic graph of that many organizations
(``kg.ingest.synth.synthesize(organizations=N)``, the national size's proportions) is built,
loaded into an in-memory store and drawn with every participant as its own node
(``participants="all"``), so the number of nodes drawn is the number of organizations.
Measured, as medians of ``--runs`` runs:

- query: reading the organizations and links from the store (kg.products.maps.load_map_graph);
- layout: positions in Python (kg.products.maps.layout; Graphviz sfdp above 400 nodes);
- render: writing the HTML page;
- drawn: from navigation start to the first complete drawing in headless Chromium
  (``window.__mapReadyAt``, set on vis-network's first ``afterDrawing`` event), which
  includes parsing the page, the inline vis-network and the JSON data;
- filter: one filter change (hide the ACOs, then show them again) and the redraw,
  timed in the page - how responsive the map is once drawn.

And on the national graph of ``make demo`` (``--national out``, its ``graph.nt`` loaded with
the ontology into an in-memory store, as the build's SHACL step loads it and hands it to
the products), against the targets of issue 14:

- map step: ``write_map`` with the power scores, as ``make demo`` runs it once the analysis
  is done (the report's analysis is shared, so it is not counted), target 5 s;
- drawn: the default national map, navigation start to the first complete drawing, 3 s;
- filters: every control applied and the network redrawn, timed in the page (each year
  of the Year menu, each link kind, each evidence value, each review state, expanding
  each summary, a search), the slowest of them, 0.5 s;
- what is drawn by default: nodes, links, nodes without a link drawn (isolated), and the
  spread of the node sizes (radii in pixels: distinct values, smallest, median, largest,
  and the share of the nodes that have the most common radius).

Run with ``make bench``; results go to BENCHMARKS.md. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from benchmarks_md import replace_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium, requests_made  # noqa: E402
from map_fixtures import synthetic_store  # noqa: E402

SIZES = (1000, 2500, 5000)


def _draw(driver, page: Path) -> tuple[float, float]:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")
    requests_made(driver)
    driver.get(page.as_uri())
    WebDriverWait(driver, 120, poll_frequency=0.05).until(
        lambda d: d.execute_script("return window.__mapReady === true"))
    drawn = driver.execute_script("return window.__mapReadyAt") / 1000.0
    filtered = driver.execute_script("""
        var m = window.__map, t0 = performance.now();
        m.state.kinds.aco = false; m.apply(); m.network.redraw();
        m.state.kinds.aco = true; m.apply(); m.network.redraw();
        return (performance.now() - t0) / 2;""") / 1000.0
    extra = [u for u in requests_made(driver) if u != page.as_uri()]
    if extra:
        raise RuntimeError(f"the map made requests: {extra[:3]}")
    return drawn, filtered


def run(sizes, runs: int, workdir: Path) -> list[dict]:
    from kg.products.maps import load_map_graph, node_scores, render_map
    from kg.products.maps.layout import layout

    results = []
    with chromium(1400, 900) as driver:
        for size in sizes:
            store = synthetic_store(workdir / f"synth-{size}", size, seed=0, in_memory=True)
            times: dict[str, list[float]] = {k: [] for k in ("query", "layout", "render", "drawn", "filter")}
            for attempt in range(runs):
                t = time.perf_counter()
                graph = load_map_graph(store)
                times["query"].append(time.perf_counter() - t)
                scores = node_scores(graph, None)
                t = time.perf_counter()
                positions = layout(sorted(graph.nodes), [(e.source, e.target) for e in graph.edges],
                                   seed=attempt)
                times["layout"].append(time.perf_counter() - t)
                t = time.perf_counter()
                page = workdir / f"map-{size}.html"
                page.write_text(render_map(graph, positions, scores=scores, size_by="Links"),
                                encoding="utf-8")
                times["render"].append(time.perf_counter() - t)
                drawn, filtered = _draw(driver, page)
                times["drawn"].append(drawn)
                times["filter"].append(filtered)
            results.append({"nodes": len(graph.nodes), "edges": len(graph.edges),
                            "mb": page.stat().st_size / 1e6,
                            **{k: statistics.median(v) for k, v in times.items()}})
            print(results[-1], file=sys.stderr, flush=True)
    return results


_CONTROLS = """
var m = window.__map, times = [], t0;
function timed(what, act) {
  t0 = performance.now(); act(); m.network.redraw(); times.push([what, performance.now() - t0]);
}
var year = document.getElementById('year');
Array.from(year.options).forEach(function (o) {
  timed('year ' + (o.value || 'all'), function () { year.value = o.value; year.dispatchEvent(new Event('change')); });
});
year.value = ''; year.dispatchEvent(new Event('change'));
Array.from(document.querySelectorAll('input.edge-kind, input.evidence, input.review')).forEach(function (box) {
  if (box.closest('[style*="display: none"]')) { return; }
  timed(box.className + ' ' + box.value, function () { box.click(); });
  box.click();
});
m.data.nodes.filter(function (n) { return n.group === 'summary' && n.par === undefined; }).forEach(function (n) {
  timed('expand ' + n.sn, function () { m.toggle(n.id); });
  m.toggle(n.id);
});
timed('search', function () { m.find('a'); });
return times;
"""

_SIZES = """
var m = window.__map;
var shown = m.nodes.get({filter: function (n) { return !n.hidden; }});
return shown.map(function (n) { return n.size; });
"""


def national(release: Path, workdir: Path, runs: int) -> dict:
    """The national map of ``make demo``'s release: map step, drawing, every control."""
    from kg.analysis.analyze import analyze
    from kg.graph.ontology import ONTOLOGY_DIR, ONTOLOGY_FILES
    from kg.graph.store import memory_store
    from kg.products.bundle import map_power
    from kg.products.maps import write_map

    store = memory_store(release / "graph.nt", [ONTOLOGY_DIR / name for name in ONTOLOGY_FILES])
    power = map_power(analyze(store))
    page = workdir / "national.html"
    steps, drawn, slowest, slow_name = [], [], [], []
    with chromium(1400, 900) as driver:
        for _ in range(runs):
            t = time.perf_counter()
            summary = write_map(store, page, power=power)
            steps.append(time.perf_counter() - t)
            seconds, _ = _draw(driver, page)
            drawn.append(seconds)
            counts = driver.execute_script("return window.__map.apply()")
            radii = sorted(driver.execute_script(_SIZES))
            sized = [r for r in radii if r > 4]  # 4 px: no figure
            times = driver.execute_script(_CONTROLS)
            name, worst = max(times, key=lambda t: t[1])
            slowest.append(worst / 1000.0)
            slow_name.append(name)
    mode = max(set(radii), key=radii.count)
    return {"organizations": summary.total_nodes, "payload_nodes": summary.nodes,
            "edges": summary.edges, "shown": counts["nodes"], "shown_edges": counts["edges"],
            "isolated": counts["lone"], "controls": len(times),
            "step": statistics.median(steps), "drawn": statistics.median(drawn),
            "filter": statistics.median(slowest), "filter_name": slow_name[-1],
            "radii": (len(set(radii)), radii[0], radii[len(radii) // 2], radii[-1],
                      radii.count(mode) / len(radii), mode),
            "sized": (len(sized), len(set(sized)), sized[len(sized) // 4], sized[len(sized) // 2],
                      sized[3 * len(sized) // 4], sized[-1],
                      max(sized.count(r) for r in set(sized)) / len(sized)) if sized else None,
            "mb": page.stat().st_size / 1e6}


def national_report(r: dict, runs: int) -> str:
    distinct, low, median, high, share, mode = r["radii"]
    verdict = lambda value, target: "**met**" if value <= target else "**missed**"  # noqa: E731
    return "\n".join([
        f"### The national map of `make demo` (`--national out`, medians of {runs} runs)",
        "",
        f"{r['organizations']:,} nodes before the summaries ({r['payload_nodes']:,} in the page, "
        f"{r['mb']:.1f} MB), {r['edges']:,} links. Drawn by default: {r['shown']:,} nodes and "
        f"{r['shown_edges']:,} links; {r['isolated']} nodes without a link drawn "
        f"({100 * r['isolated'] / max(1, r['shown']):.1f}%, target at most 5%). Node radii "
        f"(px) of what is drawn: {distinct} distinct values, from {low:g} to {high:g}, median "
        f"{median:g}; the most common radius ({mode:g} px, no figure) is shared by "
        f"{100 * share:.0f}% of the nodes."
        + (" The {0:,} nodes with a figure: {1} distinct radii, quartiles {2:g} / {3:g} / {4:g} "
           "px, largest {5:g} px; no radius is shared by more than {6:.0%} of them.".format(*r["sized"])
           if r["sized"] else ""),
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        f"| map step of `make demo` within 5 s | {r['step']:.2f} s | {verdict(r['step'], 5)} |",
        f"| default national map drawn within 3 s (headless Chromium) | {r['drawn']:.2f} s | "
        f"{verdict(r['drawn'], 3)} |",
        f"| any filter applied within 0.5 s ({r['controls']} controls, slowest: {r['filter_name']}) | "
        f"{r['filter']:.3f} s | {verdict(r['filter'], 0.5)} |",
        "",
    ])


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
        return (done.stdout or done.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "not found"


def report(results: list[dict], runs: int) -> str:
    cpu = "unknown"
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        "## Maps (`make bench`, bench/map_bench.py)",
        "",
        f"Machine: {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB; {platform.platform()}; "
        f"Python {platform.python_version()}.",
        f"Versions: pyvis {metadata.version('pyvis')} (vis-network 9.1.2 inline), networkx "
        f"{metadata.version('networkx')}, pyoxigraph {metadata.version('pyoxigraph')}, "
        f"selenium {metadata.version('selenium')}; {_version(['sfdp', '-V'])}; "
        f"{_version(['chromium', '--version'])} (headless, software rendering).",
        f"Synthetic graphs of kg.ingest.synth (organizations=N, seed 0), every participant drawn; "
        f"medians of {runs} runs, in seconds.",
        "",
        "| nodes | edges | page (MB) | query | layout | render | drawn in browser | filter + redraw |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r['nodes']:,} | {r['edges']:,} | {r['mb']:.1f} | {r['query']:.2f} | "
                     f"{r['layout']:.2f} | {r['render']:.2f} | {r['drawn']:.2f} | {r['filter']:.2f} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the maps at three sizes.")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=None, help="write the Markdown table here")
    parser.add_argument("--national", default=None, metavar="RELEASE",
                        help="also time the national map of this published build (make demo's out)")
    parser.add_argument("--only-national", action="store_true",
                        help="skip the synthetic sizes")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aco-kg-bench-") as workdir:
        results = [] if args.only_national else run(args.sizes, args.runs, Path(workdir))
        extra = None
        if args.national:
            if not (Path(args.national) / "graph.nt").is_file():
                raise SystemExit(f"no graph.nt in {args.national}: run make demo first")
            extra = national(Path(args.national), Path(workdir), args.runs)
            print(extra, file=sys.stderr, flush=True)
    text = report(results, args.runs) if results else "## Maps (`make bench`, bench/map_bench.py)\n"
    if extra:
        text += "\n" + national_report(extra, args.runs)
    print(text)
    if args.out:
        replace_section(args.out, "## Maps (", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
