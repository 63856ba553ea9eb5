"""Benchmarks of the build and the canned queries, side by side with two peers.

For each dataset (a synthetic size made with ``aco-kg synth``, or the real CMS data
imported by ``make cms-import`` together with the curated data), in one run on the same
CSV files:

* aco-kg: the full build (strict checks, mapping, SHACL, Turtle, Oxigraph store,
  ledger, manifest) as a child process, with wall time and peak memory from
  ``/usr/bin/time``; and the CSV-to-N-Triples step alone (read, check, map, write);
* morph-kgc (in bench/.venv-morph) with the equivalent RML mapping of bench/peers.py,
  writing N-Triples;
* rdflib only: ``Graph.add`` per triple, N-Triples out, pySHACL (up to
  ``--rdflib-shacl-limit`` triples: it takes minutes beyond), rdflib SPARQL;
* canned queries: every ``queries/cq-*.rq`` on the published store (p50 and p95 over
  ``--query-runs`` runs of each), and on the rdflib graph once each (time limit per
  dataset);
* full analysis (``kg.analysis.analyze``) and map generation (``kg.products.maps``) when those modules
  exist; skipped, and said so, otherwise.

Results go to bench/results/results.json and a Markdown table bench/results/results.md
(copied into BENCHMARKS.md with the discussion). Run with ``make bench``; options:
``python bench/build_bench.py --help``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
MORPH_PYTHON = BENCH / ".venv-morph" / "bin" / "python"
PY = sys.executable

SIZES = {
    "small": ["--acos", "40", "--seed", "1"],
    "national": ["--size", "national", "--seed", "1"],
    "clinician": ["--size", "clinician", "--seed", "1"],
}


def timed(command: list[str], cwd: Path | None = None, timeout: float | None = None,
          env: dict | None = None) -> dict:
    """Run `command` as a child; return wall seconds, peak RSS (MB), exit code, stdout."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        full = ["/usr/bin/time", "-f", "%e %M", "-o", stats.name] + command
        started = time.perf_counter()
        # own process group: at the time limit the measured program goes too, not only
        # /usr/bin/time (an orphan would load the CPU of the next measurement)
        child = subprocess.Popen(full, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=env, start_new_session=True)
        try:
            stdout, stderr = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            return {"seconds": None, "peak_mb": None, "rc": "timeout",
                    "wall": time.perf_counter() - started, "stdout": "", "stderr": ""}
        done = subprocess.CompletedProcess(full, child.returncode, stdout, stderr)
        wall = time.perf_counter() - started
        fields = Path(stats.name).read_text().split()
    peak = int(fields[-1]) / 1024 if fields else None
    return {"seconds": wall, "peak_mb": peak, "rc": done.returncode, "stdout": done.stdout,
            "stderr": done.stderr[-2000:]}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def percentile(values, q):
    values = sorted(values)
    if not values:
        return None
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def prepare(name: str, work: Path) -> list[Path]:
    """The data folder(s) of a dataset, generated or imported."""
    if name == "cms":
        subprocess.run(["make", "-s", "cms-import"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        return [ROOT / "data", ROOT / "build-cms"]
    folder = work / f"data-{name}"
    if not folder.exists():
        subprocess.run([PY, "-m", "kg", "synth", *SIZES[name], "--out", str(folder)], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
    return [folder]


def bench_aco_kg(folders, work: Path, runs: int, shacl: str) -> dict:
    data_args = [a for f in folders for a in ("--data", str(f))]
    out = work / "out"
    results = []
    for _ in range(runs):
        # the validated, queryable store; the report and map are timed on their own below
        results.append(timed([PY, "-m", "kg", "build", *data_args, "--out", str(out), "-q",
                              "--shacl", shacl, "--products", ""], cwd=ROOT))
        if results[-1]["rc"] != 0:
            raise RuntimeError(f"aco-kg build failed: {results[-1]['stderr']}")
    manifest = json.loads((out / "manifest.json").read_text())
    mapping = [timed([PY, "-c", _MAP_ONLY, str(work / "map.nt"), *map(str, folders)], cwd=ROOT)
               for _ in range(runs)]
    return {"build_s": median([r["seconds"] for r in results]),
            "build_runs_s": [r["seconds"] for r in results],
            "build_peak_mb": max(r["peak_mb"] for r in results),
            "rows": manifest["rows"]["read"], "rejected": manifest["rows"]["rejected"],
            "triples": manifest["triples"]["data"], "shacl_conforms": manifest["shacl_conforms"],
            "csv_to_nt_s": median([m["seconds"] for m in mapping]),
            "csv_to_nt_peak_mb": max(m["peak_mb"] for m in mapping),
            "store": str(out / "store")}


# CSV -> checked tables -> N-Triples file, with no SHACL and no store: the step that
# compares with an RML engine writing N-Triples
_MAP_ONLY = """
import sys
from pathlib import Path
from kg.graph.build import _read_all
from kg.core.dictionary import load_dictionary
from kg.graph.mapping import map_tables
from kg.graph.ontology import code_lists
dictionary, codes = load_dictionary(), code_lists()
tables = _read_all([Path(p) for p in sys.argv[2:]], dictionary, codes, lambda m: None)
assert not any(t.problems for t in tables.values()), "rejected rows"
Path(sys.argv[1]).write_text(map_tables(tables, dictionary, codes).ntriples, encoding="utf-8")
"""


def bench_morph(folders, work: Path, runs: int) -> dict:
    if not MORPH_PYTHON.exists():
        return {"skipped": "bench/.venv-morph is missing (make bench creates it)"}
    config = work / "morph"
    subprocess.run([PY, str(BENCH / "peers.py"), "rml", *map(str, folders), "--out", str(config)],
                   check=True)
    results = []
    for _ in range(runs):
        results.append(timed([str(MORPH_PYTHON), "-m", "morph_kgc", str(config / "morph.ini")],
                             cwd=config))
        if results[-1]["rc"] != 0:
            return {"skipped": f"morph-kgc failed: {results[-1]['stderr'][-500:]}"}
    with open(config / "morph.nt", "rb") as handle:
        triples = sum(1 for _ in handle)
    return {"csv_to_nt_s": median([r["seconds"] for r in results]),
            "runs_s": [r["seconds"] for r in results],
            "peak_mb": max(r["peak_mb"] for r in results), "triples": triples}


def bench_rdflib(folders, work: Path, queries: Path | None, shacl: bool, timeout: float) -> dict:
    partial = work / "rdflib.json"
    partial.unlink(missing_ok=True)
    command = [PY, str(BENCH / "peers.py"), "rdflib", *map(str, folders), "--nt",
               str(work / "rdflib.nt"), "--json", str(partial)]
    if shacl:
        command.append("--shacl")
    if queries:
        command += ["--queries", str(queries)]
    result = timed(command, cwd=ROOT, timeout=timeout)
    if result["rc"] == "timeout":
        done = json.loads(partial.read_text()) if partial.exists() else {}
        queries_done = len(done.get("query_s", {}))
        done["note"] = (f"stopped at the {timeout:.0f} s limit after {queries_done} queries"
                        if "shacl_s" in done or not shacl else
                        f"stopped at the {timeout:.0f} s limit during pySHACL"
                        if "build_s" in done else f"did not finish within {timeout:.0f} s")
        done["stopped"] = True
        return done
    if result["rc"] != 0:
        return {"rc": result["rc"], "note": result["stderr"][-500:]}
    measured = json.loads(result["stdout"].strip().splitlines()[-1])
    measured["peak_mb"] = result["peak_mb"]
    measured["wall_s"] = result["seconds"]
    return measured


_QUERY_RUNNER = """
import json, sys, time
from pathlib import Path
from kg.graph.store import open_store
from kg.sparql.select import select
store = open_store(sys.argv[1])
times = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    select(Path(sys.argv[3]), store)
    times.append(time.perf_counter() - t)
print(json.dumps(times))
"""


def bench_queries(store: str, queries: Path | None, runs: int, limit: float) -> dict:
    """p50/p95 over `runs` runs of every cq-*.rq; a query over `limit` s is stopped, reported."""
    files = sorted(queries.glob("cq-*.rq")) if queries and queries.is_dir() else []
    if not files:
        return {"skipped": f"no queries/cq-*.rq in {queries} (the query library is not merged "
                           "into this branch)"}
    per_query, over = {}, []
    for query in files:  # one child per query: Oxigraph cannot cancel a running query
        try:
            done = subprocess.run([PY, "-c", _QUERY_RUNNER, store, str(runs), str(query)],
                                  cwd=ROOT, capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired:
            over.append(query.name)
            continue
        if done.returncode != 0:
            return {"skipped": f"{query.name} failed: {done.stderr[-500:]}"}
        per_query[query.name] = json.loads(done.stdout)
    every = [t for times in per_query.values() for t in times]
    result = {"queries": len(files), "runs_each": runs, "per_query_p50_ms": {
        q: 1000 * statistics.median(t) for q, t in per_query.items()},
        "over_limit": over, "limit_s": limit}
    if every:
        result.update({
            "p50_ms": 1000 * percentile(every, 0.5), "p95_ms": 1000 * percentile(every, 0.95),
            "slowest": max(per_query, key=lambda q: statistics.median(per_query[q])),
            "slowest_p50_ms": 1000 * max(statistics.median(t) for t in per_query.values())})
    return result


# the full analysis (every table of kg.analysis.analyze) and the map (kg.products.maps.write_map, nodes sized
# by the analysis' PageRank, as the build's map product does), each timed on its own
_PRODUCTS_RUNNER = """
import json, sys, time
from pathlib import Path
from kg.analysis.analyze import analyze
from kg.products.maps import write_map
from kg.products.bundle import map_power
from kg.graph.store import open_store
store = open_store(sys.argv[1])
t = time.perf_counter()
tables = analyze(store)
analysis_s = time.perf_counter() - t
power = map_power(tables)
t = time.perf_counter()
write_map(store, Path(sys.argv[2]), power=power)
map_s = time.perf_counter() - t
print(json.dumps({"analysis_s": analysis_s, "map_s": map_s,
                  "tables": {name: len(table) for name, table in tables.items()}}))
"""


def bench_products(store: str, work: Path, runs: int, limit: float) -> dict:
    """Median seconds of the full analysis and of the map generation on the published store."""
    measured = []
    for _ in range(runs):
        result = timed([PY, "-c", _PRODUCTS_RUNNER, store, str(work / "map.html")], cwd=ROOT,
                       timeout=limit)
        if result["rc"] == "timeout":
            return {"note": f"stopped at the {limit:.0f} s limit"}
        if result["rc"] != 0:
            return {"skipped": f"analysis or map failed: {result['stderr'][-500:]}"}
        measured.append(json.loads(result["stdout"].strip().splitlines()[-1]))
        measured[-1]["peak_mb"] = result["peak_mb"]
    return {"analysis_s": median([m["analysis_s"] for m in measured]),
            "analysis_runs_s": [m["analysis_s"] for m in measured],
            "map_s": median([m["map_s"] for m in measured]),
            "map_runs_s": [m["map_s"] for m in measured],
            "peak_mb": max(m["peak_mb"] for m in measured), "tables": measured[-1]["tables"]}


def versions() -> dict:
    found = {}
    for package in ("aco-kg", "pyoxigraph", "rdflib", "pyshacl", "pandas", "numpy"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    if MORPH_PYTHON.exists():
        done = subprocess.run([str(MORPH_PYTHON), "-c", "import importlib.metadata as m; "
                               "print(m.version('morph-kgc'), m.version('pyoxigraph'), "
                               "m.version('rdflib'), m.version('pandas'))"],
                              capture_output=True, text=True)
        found["morph-kgc venv (morph-kgc, pyoxigraph, rdflib, pandas)"] = done.stdout.strip()
    return found


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        memory = f"{int(open('/proc/meminfo').readline().split()[1]) / 1024 ** 2:.1f} GB"
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory,
            "python": platform.python_version(), "system": platform.platform()}


def rdflib_ratio(a: dict, rd: dict) -> str:
    """The rdflib path (build, N-Triples, pySHACL) over aco-kg's validated build.

    A path stopped at its time limit before pySHACL finished gives a lower bound (">= ").
    """
    if "build_s" not in rd and not rd.get("stopped"):
        return "-"
    if "shacl_s" in rd:
        total = rd["build_s"] + rd.get("write_nt_s", 0) + rd["shacl_s"]
        return f"{total / a['build_s']:.1f}x"
    if rd.get("stopped"):
        return f">= {rd['limit_s'] / a['build_s']:.1f}x (stopped at {rd['limit_s']:.0f} s)"
    return "- (no pySHACL)"


def table(results: dict) -> str:
    def f(v, fmt="{:.1f}"):
        return "-" if v is None else fmt.format(v)
    lines = ["| dataset | rows | triples | aco-kg build (s) | peak MB | rows/s | triples/s | "
             "aco-kg CSV->NT (s) | morph-kgc CSV->NT (s) | morph triples | ratio morph/aco-kg | "
             "rdflib build+NT (s) | rdflib SHACL (s) | ratio rdflib/aco-kg build | "
             "query p50 / p95 (ms) | slowest query p50 (ms) | rdflib queries (s, total) | "
             "analysis (s) | map (s) |",
             "|" + "---|" * 19]
    for name, r in results["datasets"].items():
        a, m, rd, q = r["aco_kg"], r["morph_kgc"], r["rdflib"], r["queries"]
        p = r.get("products", {})
        morph_s = m.get("csv_to_nt_s")
        rd_build = rd["build_s"] + (rd.get("write_nt_s") or 0) if "build_s" in rd else None
        q_text = (f"{q['p50_ms']:.1f} / {q['p95_ms']:.1f}" if "p50_ms" in q else "skipped")
        if q.get("over_limit"):
            q_text += f" ({len(q['over_limit'])} over {q['limit_s']:.0f} s, not counted)"
        slowest = (f"{q['slowest_p50_ms']:.1f} ({q['slowest']})" if "slowest" in q else "-")
        rq = rd.get("query_s")
        lines.append(
            f"| {name} | {a['rows']:,} | {a['triples']:,} | {f(a['build_s'])} "
            f"| {f(a['build_peak_mb'], '{:,.0f}')} "
            f"| {f(a['rows'] / a['build_s'], '{:,.0f}')} | {f(a['triples'] / a['build_s'], '{:,.0f}')} "
            f"| {f(a['csv_to_nt_s'])} | {f(morph_s) if morph_s else m.get('skipped', '-')} "
            f"| {format(m['triples'], ',') if 'triples' in m else '-'} | {f(morph_s / a['csv_to_nt_s']) + 'x' if morph_s else '-'} "
            f"| {f(rd_build) if rd_build is not None else rd.get('note', '-')} "
            f"| {f(rd.get('shacl_s')) if 'shacl_s' in rd else rd.get('note', 'not run')} "
            f"| {rdflib_ratio(a, rd)} | {q_text} | {slowest} "
            f"| {f(sum(rq.values())) + f' ({len(rq)} queries)' if rq else 'not run'} "
            f"| {f(p.get('analysis_s')) if 'analysis_s' in p else p.get('note', p.get('skipped', '-'))} "
            f"| {f(p.get('map_s')) if 'map_s' in p else '-'} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="aco-kg build and query benchmarks")
    parser.add_argument("--datasets", default="small,national,cms,clinician",
                        help="comma-separated: small, national, clinician, cms")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--clinician-runs", type=int, default=1)
    parser.add_argument("--query-runs", type=int, default=5)
    parser.add_argument("--query-limit", type=float, default=60,
                        help="seconds all runs of one query may take before it is stopped")
    parser.add_argument("--queries", default=str(ROOT / "queries"),
                        help="folder of cq-*.rq files (default: queries/)")
    parser.add_argument("--rdflib-shacl-limit", type=int, default=2_000_000,
                        help="run pySHACL on the rdflib graph only up to this many rows")
    parser.add_argument("--rdflib-ratio", type=float, default=25,
                        help="the rdflib path may run this many times as long as aco-kg's "
                             "build (at least --rdflib-min-timeout s); a run stopped there "
                             "shows that aco-kg is at least that many times faster")
    parser.add_argument("--rdflib-min-timeout", type=float, default=120)
    parser.add_argument("--products-limit", type=float, default=900,
                        help="seconds one analysis + map run may take")
    parser.add_argument("--rdflib-query-limit", type=int, default=100_000,
                        help="run the canned queries on rdflib only up to this many rows")
    parser.add_argument("--skip-rdflib-over", type=int, default=500_000,
                        help="skip the rdflib path above this many rows")
    parser.add_argument("--shacl", default="oxigraph", choices=("auto", "pyshacl", "oxigraph"),
                        help="SHACL engine of the aco-kg build (default oxigraph at every size; "
                             "auto would take pySHACL on the small dataset)")
    parser.add_argument("--work", default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--results", default=str(BENCH / "results"))
    args = parser.parse_args(argv)
    queries = Path(args.queries)
    work_root = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="aco-bench-"))
    results = {"machine": machine(), "versions": versions(), "datasets": {},
               "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    for name in args.datasets.split(","):
        work = work_root / name
        work.mkdir(parents=True, exist_ok=True)
        runs = args.clinician_runs if name == "clinician" else args.runs
        print(f"[{name}] preparing", file=sys.stderr, flush=True)
        folders = prepare(name, work_root)
        print(f"[{name}] aco-kg ({runs} runs)", file=sys.stderr, flush=True)
        a = bench_aco_kg(folders, work, runs, args.shacl)
        print(f"[{name}] {a['rows']} rows, {a['triples']} triples, build {a['build_s']:.1f} s",
              file=sys.stderr, flush=True)
        q = bench_queries(a["store"], queries, args.query_runs, args.query_limit)
        print(f"[{name}] analysis and map", file=sys.stderr, flush=True)
        products = bench_products(a["store"], work, runs, args.products_limit)
        print(f"[{name}] morph-kgc", file=sys.stderr, flush=True)
        m = bench_morph(folders, work, runs)
        if a["rows"] > args.skip_rdflib_over:
            rd = {"note": f"skipped above {args.skip_rdflib_over} rows (time budget)"}
        else:
            print(f"[{name}] rdflib", file=sys.stderr, flush=True)
            limit = max(args.rdflib_min_timeout, args.rdflib_ratio * a["build_s"])
            rd = bench_rdflib(folders, work, queries if a["rows"] <= args.rdflib_query_limit
                              and queries.is_dir() else None,
                              a["rows"] <= args.rdflib_shacl_limit, limit)
            rd["limit_s"] = limit
        results["datasets"][name] = {"aco_kg": a, "morph_kgc": m, "rdflib": rd, "queries": q,
                                     "products": products}
        out = Path(args.results)
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
        (out / "results.md").write_text(table(results))
        print(table(results), file=sys.stderr, flush=True)
    if not args.work:
        shutil.rmtree(work_root, ignore_errors=True)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
