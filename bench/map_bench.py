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
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aco-kg-bench-") as workdir:
        results = run(args.sizes, args.runs, Path(workdir))
    text = report(results, args.runs)
    print(text)
    if args.out:
        path = Path(args.out)
        previous = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
        start = previous.find("## Maps (")
        if start >= 0:  # replace our section, keep the others
            end = previous.find("\n## ", start + 1)
            previous = previous[:start] + previous[end + 1:] if end >= 0 else previous[:start]
        path.write_text(previous.rstrip("\n") + "\n\n" + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
