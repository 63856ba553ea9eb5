"""Benchmark of the report step of ``make demo``: the analysis and the report of the demo store.

The build makes the report first among its products (kg.products.bundle), on the
in-memory store of graph and ontology that its SHACL step checked (kg.graph.store.memory_store):
it runs the analysis (which the map then reuses) and writes ``report.html`` with its CSV
files. This benchmark does the same on the release of ``make demo`` (``out/``), in a fresh
Python process per run, pandas and pyoxigraph imported beforehand as the build has them.
It first loads ``graph.nt`` and the ontology into an in-memory store, as the SHACL step
does (timed apart: in the build that time belongs to the SHACL step), then times:

- analysis: importing kg.analysis, the read queries and the measures;
- report: importing the chart library, drawing the charts, rendering the page, writing
  the CSV files;
- step: both, the report step of the build (target: 5 s on 2 cores, issue 14).

Each as wall-clock time and as the process's CPU time: on a machine shared with other
work the wall-clock time grows with the load, the CPU time much less. Medians of
``--runs`` runs. Also the page's size and its height in headless Chromium at 1280 x 800
(budget 12,000 px). Run with ``make bench-report`` (after ``make demo``); results go to
BENCHMARKS.md. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from benchmarks_md import replace_section

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

STEP = r"""
import json, sys, time
from pathlib import Path
import pandas, pyoxigraph  # the build has these loaded already
from kg.graph.ontology import ONTOLOGY_DIR, ONTOLOGY_FILES
from kg.graph.store import memory_store
wall_0, cpu_0 = time.perf_counter(), time.process_time()
store = memory_store(Path(sys.argv[1]) / "graph.nt", [ONTOLOGY_DIR / n for n in ONTOLOGY_FILES])
wall, cpu = time.perf_counter(), time.process_time()
from kg.analysis.analyze import analyze
tables = analyze(store)
wall_a, cpu_a = time.perf_counter(), time.process_time()
from kg.products.report import write_report_files
write_report_files(tables, sys.argv[2])
wall_r, cpu_r = time.perf_counter(), time.process_time()
print(json.dumps({"load": [wall - wall_0, cpu - cpu_0],
                  "analysis": [wall_a - wall, cpu_a - cpu],
                  "report": [wall_r - wall_a, cpu_r - cpu_a],
                  "step": [wall_r - wall, cpu_r - cpu]}))
"""


def run(release: Path, runs: int, workdir: Path) -> dict:
    timings = []
    page = workdir / "report.html"
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", STEP, str(release), str(page)],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        timings.append(json.loads(done.stdout.strip().splitlines()[-1]))
    result = {phase: [statistics.median(t[phase][k] for t in timings) for k in (0, 1)]
              for phase in ("load", "analysis", "report", "step")}
    result["mb"] = page.stat().st_size / 2**20
    result["height"] = _height(page)
    return result


def _height(page: Path) -> int:
    from browser import LOOPBACK_ONLY, chromium

    with chromium(1280, 800, flags=LOOPBACK_ONLY) as driver:
        driver.set_window_size(1280, 800)
        driver.get(page.as_uri())
        return int(driver.execute_script("return document.documentElement.scrollHeight"))


def report(result: dict, runs: int, release: Path) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "## Report step (`make bench-report`, bench/report_bench.py)",
        "",
        f"Machine: {os.cpu_count()} cores; {platform.platform()}; Python "
        f"{platform.python_version()}; matplotlib {metadata.version('matplotlib')}, pandas "
        f"{metadata.version('pandas')}, pyoxigraph {metadata.version('pyoxigraph')}. Load "
        f"average at the end: {load:.1f}.",
        f"The release of `make demo` ({release}); a fresh process per run; medians of {runs} "
        "runs, in seconds (wall clock / CPU time of the process). Target: the step within 5 s "
        "on 2 cores; the page within 12,000 px at 1280 x 800. The step runs on the in-memory "
        "store the build's SHACL step loaded; loading it (first column) is that step's time.",
        "",
        "| (load, SHACL step) | analysis | report (charts, page, CSV) | step | page (MB) | page height (px) |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {result['load'][0]:.2f} / {result['load'][1]:.2f} | "
        f"{result['analysis'][0]:.2f} / {result['analysis'][1]:.2f} | "
        f"{result['report'][0]:.2f} / {result['report'][1]:.2f} | "
        f"{result['step'][0]:.2f} / {result['step'][1]:.2f} | {result['mb']:.2f} | "
        f"{result['height']:,} |",
        "",
        ("Step target met." if result["step"][0] <= 5.0 else
         f"Step target missed: {result['step'][0]:.2f} s wall clock ({result['step'][1]:.2f} s "
         f"CPU) against 5 s, on a machine shared with other work (load above). The report "
         f"part alone takes {result['report'][0]:.2f} s; the rest is the analysis.")
        + (" Page height within budget." if result["height"] <= 12_000
           else " Page height over budget."),
        "",
        "The analysis is made once per build and serves the map too (the report is made "
        "first, so the build's \"wrote the report\" line includes it). It reads the graph "
        "from the in-memory store the SHACL step checked, not from the published on-disk "
        "store (RocksDB): there its read queries take about 1 s instead of 3.5 s (the "
        "organizations query, 16,557 rows, 0.2 s instead of 1.3 s), which more than pays for "
        "the load when a build checks with pySHACL and must make the store for its products. "
        "The rest of the analysis is the measures, none above half a second. The report "
        "part: importing matplotlib (about 0.35 s), the two charts drawn with fixed margins "
        "(one drawing pass each; a layout engine doubled it), the page and the CSV files "
        "(the tables the page draws from; the 44,000-row market shares and the centrality of "
        "every organization are left to `aco-kg analyze`).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the report step of make demo.")
    parser.add_argument("--release", default=str(ROOT / "out"),
                        help="a published build (its graph.nt): make demo's out/ by default")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=None, help="write the Markdown table here")
    args = parser.parse_args(argv)
    release = Path(args.release)
    if not (release / "graph.nt").is_file():
        print(f"no graph.nt in {release}: run make demo first", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="aco-kg-bench-report-") as workdir:
        result = run(release, args.runs, Path(workdir))
    text = report(result, args.runs, release.relative_to(ROOT) if release.is_relative_to(ROOT)
                  else release)
    print(text)
    if args.out:
        replace_section(args.out, "## Report step (", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
