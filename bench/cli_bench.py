"""How long a researcher waits: the command line and the workbench, from start to answer.

Each figure is the wall time of a fresh child process, as a person at a shell meets it
(``/usr/bin/time``-like, measured with ``time.perf_counter`` around ``subprocess.run``),
median and slowest of ``--runs`` runs after one warm-up run (so that the files are in the
page cache, as they are after the first command of a session):

* ``aco-kg --help`` (target: 0.5 s on 2 cores);
* ``python -c "import kg"``;
* ``aco-kg query cq-08-dissolved-alliances`` on the store, a small canned query, from the
  command line to its answer (target: 1.5 s on 2 cores);
* ``aco-kg query cq-05-partner-vetoes --param aco=id:organization/access-aco``: a parameter,
  so the IRI is also looked up (the warning for an IRI that names nothing);
* the same small query through ``aco-kg serve`` (one HTTP request, the worker warm).

``--source DIR`` runs the command line of another checkout (its ``kg`` first on
PYTHONPATH) with this environment, to compare a change with what came before on the same
machine at the same moment. Results: bench/results/cli.json; ``--out BENCHMARKS.md``
replaces the table between the ``cli-bench`` markers there. Part of ``make bench``.
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
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "aco-kg"
TARGETS = {"help": 0.5, "query": 1.5}
START, END = "<!-- cli-bench:start -->", "<!-- cli-bench:end -->"


def timed(command: list[str], runs: int, env: dict[str, str]) -> list[float]:
    """Wall seconds of `runs` runs of `command` (after one run not counted)."""
    times = []
    for number in range(runs + 1):
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {result.stderr}")
        if number:
            times.append(elapsed)
    return times


def served(store: Path, runs: int) -> list[float]:
    """Seconds of the small query through aco-kg serve (in this process), worker warm."""
    from kg.products.workbench import make_server
    from kg.sparql.catalogue import load_query

    server = make_server(store, 0, docs=False, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.examples.ready.wait(300)
    body = urllib.parse.urlencode({"query": load_query("cq-08-dissolved-alliances").text}).encode()
    times = []
    try:
        for number in range(runs + 1):
            request = urllib.request.Request(f"{server.url}sparql", data=body, headers={
                "Host": f"127.0.0.1:{server.port}", "Accept": "application/sparql-results+json"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
            if number:
                times.append(time.perf_counter() - started)
    finally:
        server.shutdown()
        server.server_close()
    return times


def curated_store(workdir: Path) -> Path:
    from kg.graph.build import build
    build(ROOT / "data", workdir / "curated", products=[])
    return workdir / "curated" / "store"


def measure(stores: dict[str, Path], runs: int, source: Path | None) -> dict:
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source) + os.pathsep + env.get("PYTHONPATH", "")
    figures = {"help": timed([str(CLI), "--help"], runs, env),
               "import kg": timed([sys.executable, "-c", "import kg"], runs, env)}
    for label, store in stores.items():
        figures[f"query ({label})"] = timed(
            [str(CLI), "query", "cq-08-dissolved-alliances", "--store", str(store)], runs, env)
        figures[f"query with an IRI ({label})"] = timed(
            [str(CLI), "query", "cq-05-partner-vetoes", "--param",
             "aco=id:organization/access-aco", "--store", str(store)], runs, env)
        if source is None:
            figures[f"served query ({label})"] = served(store, runs)
    return figures


def table(figures: dict, before: dict | None) -> str:
    lines = ["| what | median (s) | slowest (s) | target | before (median, s) |",
             "|---|---:|---:|---:|---:|"]
    for name, times in figures.items():
        target = next((f"{v:g}" for k, v in TARGETS.items() if name.split(" (")[0] == k), "")
        earlier = f"{statistics.median(before[name]):.2f}" if before and name in before else ""
        lines.append(f"| {name} | {statistics.median(times):.2f} | {max(times):.2f} | "
                     f"{target} | {earlier} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--store", action="append", default=[], metavar="LABEL=DIR",
                        help="a store to query (default: the curated data, built here, and "
                             "out/store if make demo made it)")
    parser.add_argument("--source", type=Path, default=None,
                        help="also run this checkout's command line, as 'before'")
    parser.add_argument("--out", default=None, help="update the table in this Markdown file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aco-kg-cli-bench-") as workdir:
        stores = dict(pair.split("=", 1) for pair in args.store)
        stores = {label: Path(path) for label, path in stores.items()}
        if not stores:
            stores["curated"] = curated_store(Path(workdir))
            if (ROOT / "out" / "store" / "CURRENT").exists():
                stores["make demo"] = ROOT / "out" / "store"
        before = measure(stores, args.runs, args.source) if args.source else None
        figures = measure(stores, args.runs, None)
    load = os.getloadavg()
    result = {"machine": {"cores": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version(), "load average": load},
              "runs": args.runs, "figures": figures, "before": before,
              "source": str(args.source) if args.source else None}
    out = ROOT / "bench" / "results" / "cli.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    text = table(figures, before)
    print(text)
    print(f"load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.out:
        path = Path(args.out)
        document = path.read_text(encoding="utf-8")
        if START not in document or END not in document:
            raise SystemExit(f"{path} has no {START} ... {END} markers")
        head, rest = document.split(START, 1)
        path.write_text(f"{head}{START}\n{text}\n{END}{rest.split(END, 1)[1]}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
