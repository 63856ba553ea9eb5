"""The ``aco-kg`` command: parse arguments, call one library function, format, exit.

Exit codes: 0 success; 1 invalid data (nothing published); 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

from kg.core.errors import InputRowError, InvalidDataError, UsageError

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
MAX_SHOWN = 50


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 on usage errors; keep the message short
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _progress(quiet: bool):
    started = time.perf_counter()

    def say(message: str) -> None:
        if not quiet:
            print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)
    return say


def _print_problems(report, ledger_path: str | None) -> None:
    for problem in report.problems[:MAX_SHOWN]:
        print(f"error: {problem}", file=sys.stderr)
    if len(report.problems) > MAX_SHOWN:
        print(f"... and {len(report.problems) - MAX_SHOWN} more", file=sys.stderr)
    if ledger_path:
        report.write_ledger(ledger_path)
        print(f"ledger written to {ledger_path}", file=sys.stderr)


def _cmd_build(args) -> int:
    from kg.graph.build import build, published_folders
    from kg.products.bundle import products
    say = _progress(args.quiet)
    folders = args.data or ["data"]
    left_out = [f for f in published_folders(args.out)
                if f not in {os.path.normpath(d) for d in folders}]
    if left_out:  # e.g. a bare `aco-kg build` after `make demo`, which built data and build-cms
        print(f"note: {args.out} holds a build that also read {', '.join(left_out)}; this "
              f"build reads {', '.join(folders)} only and replaces it (to keep them: "
              f"{' '.join('--data ' + f for f in [*folders, *left_out])})", file=sys.stderr)
    names = [n for n in args.products.split(",") if n]
    try:
        made = products(names)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        report = build(folders, args.out, dictionary=args.dictionary, progress=say,
                       shacl=args.shacl, products=made)
    except InvalidDataError as exc:
        _print_problems(exc.report, args.ledger)
        print(f"build failed: {exc.report.summary()}; {args.out} was left as it was",
              file=sys.stderr)
        return EXIT_INVALID
    if args.ledger:
        report.write_ledger(args.ledger)
    out = Path(args.out)
    print(f"built {report.summary()}")
    extras = "".join(f", {name}.html" + (" (its tables in report-tables/)"
                                         if name == "report" else "") for name in names)
    print(f"outputs in {out}/: graph.ttl, graph.nt, ontology.ttl, store/ (Oxigraph), "
          f"ledger.csv, shacl-report.txt, manifest.json{extras}")
    return EXIT_OK


def _cmd_validate(args) -> int:
    from kg.graph.build import validate
    report = validate(args.data or ["data"], dictionary=args.dictionary,
                      progress=_progress(args.quiet), shacl=args.shacl)
    if not report.ok:
        _print_problems(report, args.ledger)
        print(f"invalid: {report.summary()}", file=sys.stderr)
        return EXIT_INVALID
    if args.ledger:
        report.write_ledger(args.ledger)
    print(f"valid: {report.summary()}")
    return EXIT_OK


def _cmd_check_sources(args) -> int:
    from kg.ingest.sourcetext import check_sources
    report = check_sources(args.data or ["data"], args.sources, outline=args.outline,
                           dictionary=args.dictionary)
    for problem in report.problems[:MAX_SHOWN]:
        print(f"error: {problem}", file=sys.stderr)
    if len(report.problems) > MAX_SHOWN:
        print(f"... and {len(report.problems) - MAX_SHOWN} more", file=sys.stderr)
    print(("sources agree: " if report.ok else "sources disagree: ") + report.summary(),
          file=sys.stdout if report.ok else sys.stderr)
    return EXIT_OK if report.ok else EXIT_INVALID


def _cmd_dictionary(args) -> int:
    from kg.core.dictionary import load_dictionary, replace_section, to_markdown
    if args.shapes:
        from kg.graph.column_shapes import column_shapes_turtle
        path = Path(args.shapes)
        path.write_text(column_shapes_turtle(load_dictionary(args.dictionary)), encoding="utf-8")
        print(f"wrote the SHACL shapes of the columns to {path}")
        return EXIT_OK
    markdown = to_markdown(load_dictionary(args.dictionary))
    if args.update:
        path = Path(args.update)
        path.write_text(replace_section(path.read_text(encoding="utf-8"), markdown), encoding="utf-8")
        print(f"updated the data dictionary section of {path}")
    else:
        sys.stdout.write(markdown)
    return EXIT_OK


def _cmd_import(args) -> int:
    from kg.ingest.cms.folder import CURATED_SOURCES, ImportFolder
    if args.year and len(args.files) > 1:
        raise UsageError("--year applies to one file only")
    if args.source_id and len(args.files) > 1:
        raise UsageError("--source-id applies to one file only")
    out = ImportFolder(args.out, curated_sources=args.curated_sources or CURATED_SOURCES)
    reports, problems = [], []
    if args.kind == "cms-mssp":
        from kg.ingest.cms.results import import_mssp_results
        from kg.ingest.cms.crosswalk import read_crosswalk
        crosswalk = read_crosswalk(args.crosswalk) if args.crosswalk else None
        problems = crosswalk.problems if crosswalk else []
        if not problems:
            reports = [import_mssp_results(file, out, year=args.year, crosswalk=crosswalk,
                                           source_id=args.source_id) for file in args.files]
    elif args.kind == "cms-participants":
        from kg.ingest.cms.participants import import_participants
        reports = [import_participants(file, out, year=args.year, source_id=args.source_id)
                   for file in args.files]
    else:
        from kg.ingest.cms.roster import import_roster
        reports = [import_roster(file, out, year=args.year, source_id=args.source_id)
                   for file in args.files]
    failed = bool(problems) or any(not report.ok for report in reports)
    if not failed:
        out.write(reports)
    for problem in problems[:MAX_SHOWN]:
        print(f"error: {problem}", file=sys.stderr)
    for report in reports:
        print(report.summary())
        if not args.quiet:
            for note in report.notes:
                print(f"  note: {note}")
        for problem in report.file_problems:
            print(f"error: {problem}", file=sys.stderr)
        for entry in [e for e in report.ledger.entries if e[2] == "rejected"][:MAX_SHOWN]:
            print(f"error: {entry[0]}:{entry[1]}: column {entry[3] or '-'}: {entry[4]}",
                  file=sys.stderr)
        if not report.refused:
            print(f"  ledger: {report.write(args.out)}")
    if failed:
        print(f"import failed: no row was written to {args.out}/ (an import writes all its rows or "
              "none); aco-kg build refuses the folder while it holds a ledger with rejected rows",
              file=sys.stderr)
        return EXIT_INVALID
    print(f"wrote {args.out}/ (build it with: aco-kg build --data data --data {args.out})")
    return EXIT_OK


def _cmd_discover(args) -> int:
    from kg.ingest.cms.folder import ImportFolder
    from kg.ingest.operators.discover import discover_files
    from kg.ingest.operators.write import write_discovery
    discovery = discover_files(args.cms, registry_dir=args.registry)
    out = ImportFolder(args.out)
    counts = write_discovery(discovery, out)
    out.write()
    g = discovery.grouping
    linked = {x.aco_id for x in discovery.links}
    kinds: dict[str, int] = {}
    for op in discovery.assignments.operators.values():
        kinds[op.kind] = kinds.get(op.kind, 0) + 1
    reviews = {"confirmed": 0, "unreviewed": 0}
    for x in discovery.links:
        reviews[x.review] = reviews.get(x.review, 0) + 1
    print(f"{args.cms}: {len(discovery.signals.observations)} signal values of "
          f"{len(discovery.signals.years)} ACOs read; {sum(g.excluded.values())} excluded ("
          + ", ".join(f"{k} {v}" for k, v in sorted(g.excluded.items())) + ")")
    print(f"{len(discovery.assignments.operators)} operators ("
          + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + f") run {len(linked)} ACOs: "
          f"{counts['links']} links ({reviews['confirmed']} confirmed, {reviews['unreviewed']} "
          "unreviewed)")
    if not args.quiet:
        shown = set()
        for refused in g.refused:  # a value refused in two tiers is said once
            if refused.key not in shown:
                shown.add(refused.key)
                print(f"  note: not merged on {refused.key[0]}={refused.key[1]} "
                      f"({len(refused.acos)} ACOs): {refused.reason}")
        for conflict in g.conflicts:
            print(f"  note: {conflict}")
        for applied in discovery.assignments.applied:
            print(f"  review: {applied}")
    print(f"wrote {args.out}/operator_links.csv and the operators' organizations rows "
          f"(build it with: aco-kg build --data data --data {args.out})")
    return EXIT_OK


#: The columns of ``aco-kg operators``.
OPERATOR_COLUMNS = ["aco_id", "aco_name", "operator_id", "operator_name", "operator_kind",
                    "evidence", "review", "signals", "first_year", "last_year"]


def _cmd_operators(args) -> int:
    from kg.analysis.analyze import load_tables
    from kg.products.formats import render
    links = load_tables(_open_analysis_store(args.store))["operator_links"]
    if args.year is not None:
        links = links[(links["first_year"] <= args.year) & (links["last_year"] >= args.year)]
    frame = links.assign(aco_id=links["aco_id"].str.removeprefix("cms-aco-"))
    frame = frame[OPERATOR_COLUMNS].sort_values(["operator_id", "aco_id", "first_year"])
    sys.stdout.write(render(frame.reset_index(drop=True), args.format))
    return EXIT_OK


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param takes NAME=VALUE, got {pair!r}")
        if name.strip() in params:
            raise UsageError(f"--param {name.strip()} given twice")
        params[name.strip()] = value
    return params


def _cmd_query(args) -> int:
    import warnings
    from kg.sparql.runner import QueryWarning, query
    from kg.products.formats import render
    if args.text is not None and args.query is not None:
        raise UsageError("give a query name or file, or --text, not both")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", QueryWarning)
        frame = query(args.query, _parse_params(args.param), text=args.text, store=args.store,
                      endpoint=args.endpoint, timeout=args.timeout, max_rows=args.max_rows,
                      truncate=args.truncate, endpoint_time_parameter=args.endpoint_time_param)
    for warning in caught:
        if issubclass(warning.category, QueryWarning):
            print(f"aco-kg: warning: {warning.message}", file=sys.stderr)
        else:  # a library's own warning: shown as Python would have shown it
            warnings.showwarning(warning.message, warning.category, warning.filename,
                                 warning.lineno)
    sys.stdout.write(render(frame, args.format))
    return EXIT_OK


def _cmd_queries(args) -> int:
    from kg.sparql.catalogue import GROUPS, grouped, list_queries
    for number, (group, members) in enumerate(grouped(list_queries()).items()):
        print(("\n" if number else "") + f"== {GROUPS[group]} ==")
        for canned in members:
            params = ", ".join(f"{p.name} ({p.type}{'' if p.required else ', optional'})"
                               for p in canned.parameters)
            print(f"{canned.name}\n    {canned.question}"
                  + (f"\n    parameters: {params}" if params else ""))
    return EXIT_OK


def _cmd_push(args) -> int:
    from kg.sparql.endpoint import push
    sent = push(args.out, args.endpoint, args.graph, timeout=args.timeout)
    target = f"graph <{args.graph}>" if args.graph else "the default graph"
    for name, size in sent:
        print(f"sent {name} ({size} bytes)")
    print(f"loaded {args.out} into {target} of {args.endpoint}")
    return EXIT_OK


def _cmd_serve(args) -> int:
    from kg.products.workbench import serve

    def ready(server):
        print(f"aco-kg workbench: {server.url} (editor), {server.url}sparql (SPARQL endpoint, "
              f"read-only){'' if args.no_docs else f', {server.url}docs/ (documentation)'}",
              flush=True)
        print(f"each query: SERVICE, FROM and updates refused, {server.timeout:g} s, "
              f"{server.max_rows} rows; only 127.0.0.1 answers; Ctrl-C stops", flush=True)

    try:
        serve(args.store, args.port, timeout=args.timeout, max_rows=args.max_rows,
              docs=not args.no_docs, ready=ready)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return EXIT_OK


def _cmd_docs(args) -> int:
    from kg.products.docs_site import build_docs
    written = build_docs(args.out, store=args.store)
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def _cmd_map(args) -> int:
    from kg.products.maps import write_map
    summary = write_map(args.store, args.out, focus=args.focus, depth=args.depth,
                        year=args.year, partner=args.partner, state=args.state, seed=args.seed,
                        max_nodes=args.max_nodes, participants=args.participants)
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    folded = f" (and {summary.summaries} summaries)" if summary.summaries else ""
    print(f"wrote {summary.path}: {summary.nodes - summary.summaries} organizations{folded} and {summary.edges} links "
          f"(layout {summary.seconds['layout']:.1f} s)")
    return EXIT_OK


def _open_analysis_store(path: str):
    from kg.graph.store import open_store
    try:
        return open_store(path)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:  # e.g. a folder that is not an Oxigraph store
        raise UsageError(f"cannot open the store at {path}: {exc}") from None


def _cmd_analyze(args) -> int:
    import json
    from kg.analysis.analyze import analyze
    from kg.products.formats import analysis_json, to_csv, write_csv_tables
    tables = analyze(_open_analysis_store(args.store), min_market_acos=args.min_market_acos)
    if args.table:
        tables = {args.table: tables[args.table]}
    if args.format == "json":
        text = json.dumps(analysis_json(tables), indent=2, ensure_ascii=False)
        if args.out:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
            print(f"wrote {len(tables)} tables to {args.out}", file=sys.stderr)
        else:
            print(text)
        return EXIT_OK
    if args.out:
        paths = write_csv_tables(tables, args.out)
        print(f"wrote {len(paths)} CSV files to {args.out}/", file=sys.stderr)
    elif len(tables) == 1:
        sys.stdout.write(to_csv(next(iter(tables.values()))))
    else:
        raise UsageError("--format csv writes one file per table: give --out FOLDER, "
                         "or --table NAME to print one table")
    return EXIT_OK


def _cmd_report(args) -> int:
    from kg.products.report import write_report
    path = write_report(_open_analysis_store(args.store), args.out,
                        min_market_acos=args.min_market_acos)
    from kg.products.report import tables_folder
    print(f"wrote {path} (tables: {tables_folder(path)}/)")


def _cmd_synth(args) -> int:
    from kg.ingest.synth import SIZES, synthesize
    if args.size and args.acos:
        raise UsageError("give --size or --acos, not both")
    if not args.size and not args.acos:
        raise UsageError("give --acos N or --size national|clinician")
    if args.acos is not None and args.acos < 1:
        raise UsageError("--acos must be at least 1")
    if args.participants is not None and args.participants < (args.acos or 1):
        raise UsageError("--participants must be at least the number of ACOs")
    if args.clinicians < 0:
        raise UsageError("--clinicians must be 0 or more")
    size = dict(SIZES[args.size]) if args.size else {"acos": args.acos}
    if args.participants is not None:
        size["participants"] = args.participants
    if args.clinicians:
        size["clinicians"] = args.clinicians
    written = synthesize(args.out, seed=args.seed, operator_links=args.operator_links, **size)
    shown = ", ".join(f"{n} {name}" for name, n in written.items() if n)
    print(f"wrote {args.out}/ (seed {args.seed}): {shown}")
    print(f"build it with: aco-kg build --data {args.out} --out OUT")
    return EXIT_OK


def _query_options(p: argparse.ArgumentParser) -> None:
    from kg.products.formats import FORMATS
    from kg.sparql.limits import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT

    p.add_argument("query", nargs="?", default=None, metavar="NAME|FILE",
                   help="a name from 'aco-kg queries' or a .rq file")
    p.add_argument("--text", default=None, metavar="SPARQL", help="the text of an ad-hoc query")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter value (repeatable); IRIs in full or as id:KIND/ID")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="output format (default: table)")
    p.add_argument("--store", default="out/store", metavar="DIR",
                   help="the Oxigraph store (default: out/store)")
    p.add_argument("--endpoint", default=None, metavar="URL",
                   help="query this SPARQL 1.1 endpoint instead of the store")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                   help=f"stop the query after S seconds (default: {DEFAULT_TIMEOUT:g})")
    p.add_argument("--max-rows", type=int, default=DEFAULT_MAX_ROWS, metavar="N",
                   help=f"stop the query after N rows (default: {DEFAULT_MAX_ROWS}); see --truncate")
    p.add_argument("--endpoint-time-param", default=None, metavar="NAME:s|NAME:ms",
                   help="with --endpoint: the server's own time-limit parameter, so that the "
                        "server stops the query at --timeout too (Virtuoso: timeout:ms); "
                        "without it the server may go on running a query aco-kg has stopped "
                        "waiting for")
    p.add_argument("--truncate", action="store_true",
                   help="over --max-rows, print the first N rows and a warning instead of "
                        "stopping with an error")


def _analysis_options(p: argparse.ArgumentParser, command: str) -> None:
    from kg.analysis.analyze import SCHEMA
    from kg.analysis.power.dominance import MIN_MARKET_ACOS

    p.add_argument("--store", default="out/store", metavar="DIR",
                   help="published Oxigraph store (default: out/store)")
    p.add_argument("--min-market-acos", type=int, default=MIN_MARKET_ACOS, metavar="N",
                   help="flag market shares only in markets with at least N ACOs in the "
                        f"graph (default: {MIN_MARKET_ACOS})")
    if command == "analyze":
        p.add_argument("--format", choices=["json", "csv"], default="json",
                       help="json: one document with every table; csv: one file per table")
        p.add_argument("--out", default=None, metavar="PATH",
                       help="json: the file to write; csv: the folder to write (default: stdout)")
        p.add_argument("--table", choices=sorted(SCHEMA), default=None, help="only this table")
    else:
        p.add_argument("--out", default="report.html", metavar="FILE",
                       help="the HTML file to write, its CSV tables in NAME-tables/ beside it "
                            "(default: report.html)")


def _command_in(argv: list[str]) -> str:
    """The command named in `argv` ('' when none is: ``aco-kg --help``)."""
    return next((word for word in argv if not word.startswith("-")), "")


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with `command`, only that command's options are added.

    The options of ``query``, ``analyze`` and ``report`` list choices and defaults that
    live in modules importing pandas and networkx (half a second): ``main`` builds only
    the options of the command it runs, so that ``aco-kg --help`` and the other commands
    do not pay for them. Every command is listed, with its help, either way.
    """

    def wanted(name: str) -> bool:
        return command is None or command == name

    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="aco-kg",
        description="Build and query the knowledge graph of ACO - management partner alliances.",
        epilog="exit codes: 0 ok, 1 invalid data (nothing published), 2 usage or internal error\n\n"
               "examples:\n  aco-kg build --data data --out out\n  aco-kg validate --data data\n"
               "  aco-kg queries\n  aco-kg query cq-05-partner-vetoes --format csv",
        formatter_class=fmt,
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def common(p):
        p.add_argument("--data", action="append", default=None, metavar="DIR",
                       help="folder with the CSV files (default: data, alone); repeat to build "
                            "several folders together: make demo builds --data data --data "
                            "build-cms (the imported CMS files)")
        p.add_argument("--dictionary", default=None, metavar="FILE",
                       help="data dictionary (default: the project's data/datapackage.yaml)")
        p.add_argument("--ledger", default=None, metavar="FILE",
                       help="also write the row ledger (CSV) here, even when the data are invalid")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
        p.add_argument("--shacl", choices=("auto", "pyshacl", "oxigraph"), default="auto",
                       help="SHACL engine: pySHACL, or the shapes compiled to SPARQL on Oxigraph "
                            "(default auto: pySHACL up to 50,000 triples)")

    p = sub.add_parser(
        "build", help="check the CSV files and publish the graph, all or nothing",
        description="Read every CSV strictly, check types, keys, references and ranges, map to "
                    "RDF, validate with SHACL, and publish graph.ttl, graph.nt, the Oxigraph "
                    "store, the ledger and a manifest to --out. If any row is rejected, nothing "
                    "is published and the previous output stays exactly as it was.",
        epilog="examples:\n  aco-kg build\n  aco-kg build --data tests/fixtures/tiny --out /tmp/tiny "
               "--ledger /tmp/ledger.csv",
        formatter_class=fmt)
    common(p)
    p.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    p.add_argument("--products", default="report,map", metavar="LIST",
                   help="what else to publish in the release, from the built store: report "
                        "(report.html), map (map.html); comma-separated, '' for none "
                        "(default: report,map)")
    p.set_defaults(run=_cmd_build)

    p = sub.add_parser(
        "validate", help="check the CSV files without publishing anything",
        description="Run every check of 'build' (CSV, types, keys, references, SHACL) and "
                    "publish nothing.",
        epilog="examples:\n  aco-kg validate\n  aco-kg validate --data my-data --ledger ledger.csv",
        formatter_class=fmt)
    common(p)
    p.set_defaults(run=_cmd_validate)

    p = sub.add_parser(
        "check-sources", help="check that the figures and labels of the data occur in their sources",
        description="For every row that cites a source whose plain-text copy the outline "
                    "(data/source_texts.yaml) describes, resolve its locator to the passage it "
                    "names in the copy found in --sources, and look there for every number and "
                    "every quoted or printed label of the row. Exit 1 if one is missing, a "
                    "locator names nothing, or a copy is missing or differs from the one the "
                    "locators were written against.",
        epilog="examples:\n  aco-kg check-sources --sources ../shared/seeds\n"
               "  make check-sources SOURCES=../shared/seeds",
        formatter_class=fmt)
    p.add_argument("--sources", required=True, metavar="DIR",
                   help="folder holding the plain-text copies of the sources")
    p.add_argument("--data", action="append", default=None, metavar="DIR",
                   help="folder with the CSV files (default: data); repeat for several")
    p.add_argument("--outline", default=None, metavar="FILE",
                   help="the outline of the copies (default: the project's data/source_texts.yaml)")
    p.add_argument("--dictionary", default=None, metavar="FILE",
                   help="data dictionary (default: the project's data/datapackage.yaml)")
    p.set_defaults(run=_cmd_check_sources)

    p = sub.add_parser(
        "import", help="import public data files (CMS MSSP) into aco-kg's CSV format",
        description="Read CMS Shared Savings Program files as they come (column aliases per "
                    "layout, units checked per column, '*' and '-' kept unknown, the PY2013 "
                    "layout defect corrected, plausibility checks) and write aco-kg CSV files "
                    "into --out, merging with what is there. Every input row is accounted for "
                    "in a ledger (import-FILE.ledger.csv). All or nothing: if any row or file "
                    "is rejected, no row is written and the exit code is 1. The same ACO and "
                    "year in two files is refused. Each file cites a row of sources.csv: the "
                    "curated one of --curated-sources that names it, or one generated into --out.",
        epilog="examples:\n"
               "  aco-kg import cms-mssp data/cms/mssp_results_20*.csv "
               "--crosswalk data/cms/aco_id_crosswalk.csv --out build/cms\n"
               "  aco-kg import cms-mssp results.csv --year 2024 --out build/cms\n"
               "  aco-kg import cms-roster data/cms/mssp_aco_roster_2023.csv --out build/cms\n"
               "  aco-kg import cms-participants data/cms/mssp_participants_2026.csv --out build/cms\n"
               "  aco-kg build --data data --data build/cms --out out",
        formatter_class=fmt)
    p.add_argument("kind", choices=["cms-mssp", "cms-participants", "cms-roster"],
                   help="which kind of file")
    p.add_argument("files", nargs="+", metavar="FILE", help="the file(s) to import")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write (merged with its content)")
    p.add_argument("--year", type=int, default=None, metavar="YYYY",
                   help="performance year of the one FILE (default: its year column, or the "
                        "year in its name)")
    p.add_argument("--crosswalk", default=None, metavar="FILE",
                   help="CMS ACO identifier crosswalk linking 2013-2017 ACO_NUM to ACO_ID (cms-mssp)")
    p.add_argument("--source-id", default=None, metavar="ID",
                   help="row of sources.csv describing the one FILE (default: cms- + the file "
                        "name)")
    p.add_argument("--curated-sources", default=None, metavar="FILE",
                   help="curated sources table whose rows may describe the files (default: "
                        "data/sources.csv); a file it does not describe gets a generated row in "
                        "--out/sources.csv")
    p.add_argument("-q", "--quiet", action="store_true", help="no notes")
    p.set_defaults(run=_cmd_import)


    p = sub.add_parser(
        "discover", help="discover the operators behind ACOs from the CMS files (into an import folder)",
        description="Read every signal of the CMS files in --cms (reporting-site hosts, e-mail "
                    "domains and addresses of the roster, participants' sites and shared "
                    "participants, ACO legal names of every year), drop the generic values of "
                    "the exclusion list, group ACOs that share a value (in tiers, so that a "
                    "weak signal never bridges two groups), anchor and review the groups with "
                    "the curated registry and review tables (--registry), date each link, and "
                    "write operator_links.csv and the operators' organizations rows into --out "
                    "(the folder aco-kg import wrote). A bad row of the registry or review "
                    "table (a review naming no group or ACO, an unknown decision, a registry "
                    "signal that matches nothing) is named file:line; exit 1, nothing written.",
        epilog="examples:\n  aco-kg discover --cms data/cms --out build-cms\n"
               "  aco-kg discover --cms data/cms --out build-cms --registry my-registry/\n"
               "  aco-kg build --data data --data build-cms --out out",
        formatter_class=fmt)
    p.add_argument("--cms", default="data/cms", metavar="DIR",
                   help="folder of the CMS files (mssp_results_YYYY.csv, mssp_aco_roster_YYYY.csv, "
                        "mssp_participants_YYYY.csv, aco_id_crosswalk.csv; default: data/cms)")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="the import folder to add the operators to (import the CMS files first)")
    p.add_argument("--registry", default=None, metavar="DIR",
                   help="folder of operators.csv, operator_signals.csv, review.csv and "
                        "exclusions.csv (default: the project's data/operators)")
    p.add_argument("-q", "--quiet", action="store_true", help="no notes")
    p.set_defaults(run=_cmd_discover)

    p = sub.add_parser(
        "operators", help="list the ACO - operator links of the built graph (optionally of one year)",
        description="One row per ACO - operator link of the published store: aco_id, aco_name, "
                    "operator_id, operator_name, operator_kind, evidence (reported or "
                    "inferred), review (confirmed or unreviewed), signals (signal=value; ...), "
                    "first_year, last_year. With --year, only the links valid that year "
                    "(first_year <= year <= last_year).",
        epilog="examples:\n  aco-kg operators\n  aco-kg operators --year 2023\n"
               "  aco-kg operators --year 2020 --format csv > operators-2020.csv\n"
               "  aco-kg operators --format json --store out/store",
        formatter_class=fmt)
    p.add_argument("--year", type=int, default=None, metavar="YYYY",
                   help="only the links valid in this performance year")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="output format (default: table)")
    p.add_argument("--store", default="out/store", metavar="DIR",
                   help="the published store (default: out/store)")
    p.set_defaults(run=_cmd_operators)

    p = sub.add_parser(
        "synth", help="write a realistic synthetic dataset (CSV files) for scale tests",
        description="Write every CSV file of the data dictionary for N synthetic ACOs: "
                    "participants, boards and seats, vetoes, partners and their alliances, "
                    "services, payer contracts, savings per year, savings shares and "
                    "(optionally) clinicians. Distributions are fitted to the CMS files in "
                    "data/cms and shares taken from the literature (see kg/synth.py). The "
                    "same seed gives byte-identical files.",
        epilog="examples:\n  aco-kg synth --acos 40 --seed 1 --out /tmp/synth40\n"
               "  aco-kg synth --size national --seed 7 --out /tmp/national\n"
               "  aco-kg synth --size clinician --out /tmp/clinician\n"
               "  aco-kg build --data /tmp/synth40 --out /tmp/synth40-out",
        formatter_class=fmt)
    p.add_argument("--acos", type=int, default=None, metavar="N", help="number of ACOs")
    p.add_argument("--size", choices=("national", "clinician"), default=None,
                   help="named size: national (1,500 ACOs, 30,000 participants) or clinician "
                        "(the same and 600,000 clinicians in post, with those who left before them)")
    p.add_argument("--participants", type=int, default=None, metavar="N",
                   help="total participant organizations (default: fitted, about 34 per ACO)")
    p.add_argument("--clinicians", type=int, default=0, metavar="N",
                   help="clinicians in post at the end of 2025 (default 0: none, or the named "
                        "size's); clinicians.csv also lists those who left before them")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--operator-links", action="store_true",
                   help="also write the operator links the CMS importers infer (dated "
                        "(PYyyyy) locators) and multi-state service areas")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write")
    p.set_defaults(run=_cmd_synth)

    p = sub.add_parser(
        "dictionary", help="print the data dictionary as Markdown",
        description="Print every CSV file's columns, types and RDF mapping (the README's data "
                    "section is generated from this).",
        epilog="examples:\n  aco-kg dictionary > dictionary.md\n  aco-kg dictionary --update README.md\n"
               "  aco-kg dictionary --shapes ontology/shapes-columns.ttl",
        formatter_class=fmt)
    p.add_argument("--dictionary", default=None, metavar="FILE", help="data dictionary file")
    written = p.add_mutually_exclusive_group()
    written.add_argument("--update", default=None, metavar="FILE",
                         help="replace the section between the dictionary markers of FILE instead of printing")
    written.add_argument("--shapes", default=None, metavar="FILE",
                         help="write the SHACL shapes of the columns (Turtle) to FILE instead of printing")
    p.set_defaults(run=_cmd_dictionary)

    p = sub.add_parser(
        "query", help="run a canned query, a .rq file or a query text; print the table",
        description="Run a SPARQL SELECT query on the published store (or on a SPARQL 1.1 "
                    "endpoint) and print the result. Parameters are checked against the "
                    "query's header and bound as RDF terms, never pasted into the query. "
                    "SERVICE, FROM/FROM NAMED and updates are refused. The query stops at "
                    "the time limit or the row cap with a message (exit 2).",
        epilog="examples:\n  aco-kg query cq-05-partner-vetoes\n"
               "  aco-kg query cq-05-partner-vetoes --param aco=id:organization/access-aco "
               "--format csv\n"
               "  aco-kg query my-question.rq --format json\n"
               "  aco-kg query --text 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'\n"
               "  aco-kg query cq-08-dissolved-alliances --endpoint http://127.0.0.1:7878/query",
        formatter_class=fmt)
    if wanted("query"):
        _query_options(p)
    p.set_defaults(run=_cmd_query)

    p = sub.add_parser(
        "queries", help="list the canned queries with the question each answers",
        description="List the query catalogue (queries/*.rq): name, question and parameters; "
                    "the research questions first, then the data-quality checks, then the "
                    "read queries of the analysis and the maps.",
        epilog="examples:\n  aco-kg queries\n  aco-kg queries | grep -A1 veto",
        formatter_class=fmt)
    p.set_defaults(run=_cmd_queries)

    p = sub.add_parser(
        "push", help="load the published graph into a SPARQL store (Graph Store Protocol)",
        description="Send out/graph.nt (replacing the target graph) and out/ontology.ttl "
                    "(added to it) to a SPARQL 1.1 Graph Store Protocol endpoint, so that "
                    "'aco-kg query --endpoint' gives the same results as the embedded store.",
        epilog="examples:\n  aco-kg push --endpoint http://127.0.0.1:7878/store\n"
               "  aco-kg push --endpoint http://localhost:8890/sparql-graph-crud "
               "--graph https://w3id.org/aco-kg/graph",
        formatter_class=fmt)
    p.add_argument("--endpoint", required=True, metavar="URL",
                   help="the Graph Store Protocol address (Oxigraph: http://HOST:PORT/store)")
    p.add_argument("--graph", default=None, metavar="IRI",
                   help="load into this named graph (default: the default graph)")
    p.add_argument("--out", default="out", metavar="DIR", help="the published output (default: out)")
    p.add_argument("--timeout", type=float, default=300, metavar="S",
                   help="seconds to wait for each request (default: 300)")
    p.set_defaults(run=_cmd_push)

    from kg.sparql.limits import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT
    p = sub.add_parser(
        "serve", help="a read-only SPARQL endpoint and a query editor in the browser (127.0.0.1)",
        description="Serve the published store on 127.0.0.1: a SPARQL 1.1 Protocol endpoint "
                    "(/sparql; queries only, answered as SPARQL JSON, CSV or TSV), a query "
                    "editor (YASGUI, bundled: works offline) with every canned query as an "
                    "example, and the documentation (/docs/). Each query gets the safety of "
                    "'aco-kg query': SERVICE, FROM and updates refused, a sealed worker, the "
                    "time limit and the row cap. Only this machine can connect.",
        epilog="examples:\n  aco-kg serve\n  aco-kg serve --store /tmp/tiny/store --port 8001\n"
               "  curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } "
               "LIMIT 3' http://127.0.0.1:8000/sparql",
        formatter_class=fmt)
    p.add_argument("--store", default="out/store", metavar="DIR",
                   help="the Oxigraph store (default: out/store)")
    p.add_argument("--port", type=int, default=8000, metavar="N",
                   help="the port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                   help=f"stop each query after S seconds (default: {DEFAULT_TIMEOUT:g})")
    p.add_argument("--max-rows", type=int, default=DEFAULT_MAX_ROWS, metavar="N",
                   help=f"stop each query after N rows (default: {DEFAULT_MAX_ROWS})")
    p.add_argument("--no-docs", action="store_true",
                   help="do not write and serve the documentation (it takes a few seconds "
                        "in the background, and pyLODE)")
    p.set_defaults(run=_cmd_serve)

    p = sub.add_parser(
        "docs", help="write the HTML ontology reference and the query catalogue page",
        description="Generate docs/site/ontology.html (pyLODE, from ontology/aco.ttl) and "
                    "docs/site/queries.html (each question, its parameters, an example "
                    "result from the store), offline.",
        epilog="examples:\n  aco-kg docs\n  aco-kg docs --out /tmp/site --store out/store",
        formatter_class=fmt)
    p.add_argument("--out", default="docs/site", metavar="DIR", help="output folder (default: docs/site)")
    p.add_argument("--store", default="out/store", metavar="DIR",
                   help="store for the example results (default: out/store)")
    p.set_defaults(run=_cmd_docs)


    p = sub.add_parser(
        "map", help="write an interactive network map (one HTML file that works offline)",
        description="Draw the organizations and their links (alliances, participants, board "
                    "seats, vetoes, services, shares of savings) from the published store as "
                    "one self-contained HTML page: search, filters, a legend, tooltips with "
                    "sources. Positions are computed here with a seed, so the map does not "
                    "move and the same seed gives the same picture.",
        epilog="examples:\n  aco-kg map --out map.html\n"
               "  aco-kg map --focus access-aco --depth 1 --out access.html\n"
               "  aco-kg map --year 2016 --state NM --out nm-2016.html",
        formatter_class=fmt)
    p.add_argument("--store", default="out/store", metavar="DIR",
                   help="the published store (default: out/store)")
    p.add_argument("--out", default="map.html", metavar="FILE", help="HTML file to write (default: map.html)")
    p.add_argument("--focus", default=None, metavar="ID",
                   help="draw only what lies within --depth links of this organization")
    p.add_argument("--depth", type=int, default=2, metavar="N", help="links from --focus (default: 2)")
    p.add_argument("--year", type=int, default=None, metavar="YYYY",
                   help="the links as they stood in this year (undated links are kept)")
    p.add_argument("--partner", default=None, metavar="ID",
                   help="this partner, the organizations linked to it and their ACOs' participants")
    p.add_argument("--state", default=None, metavar="XX",
                   help="organizations in this state (USPS code) and those linked to them")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the layout (default: 0)")
    p.add_argument("--max-nodes", type=int, default=5000, metavar="N",
                   help="draw at most N nodes, the most connected first (default: 5000)")
    p.add_argument("--participants", choices=("auto", "aggregate", "all"), default="auto",
                   help="one node per ACO for participants linked to nothing else: auto (when "
                        "the map has over 300 nodes), aggregate (always) or all (never)")
    p.set_defaults(run=_cmd_map)


    p = sub.add_parser(
        "analyze", help="power and concentration tables (JSON or CSV)",
        description="Compute voting power on boards, savings captured, dependency, market "
                    "concentration (HHI, CR4, 2010 and 2023 guidelines), network power, the "
                    "dominance flags and the early-warning indicators, as tables with a stable "
                    "schema (see the README, 'Analysis schema'). Unknown values are null/empty.",
        epilog="examples:\n  aco-kg analyze --format json --out analysis.json\n"
               "  aco-kg analyze --format csv --out analysis/\n"
               "  aco-kg analyze --format csv --table partners",
        formatter_class=fmt)
    if wanted("analyze"):
        _analysis_options(p, "analyze")
    p.set_defaults(run=_cmd_analyze)

    p = sub.add_parser(
        "report", help="write the offline HTML report on power and concentration",
        description="Write one self-contained HTML file (no external resource) with the "
                    "ranking of partners, every flag with its reason and source, the "
                    "early-warning indicators, the tables, plots, and the methods.",
        epilog="examples:\n  aco-kg report --out report.html\n"
               "  aco-kg report --store /tmp/tiny/store --out /tmp/report.html",
        formatter_class=fmt)
    if wanted("report"):
        _analysis_options(p, "report")
    p.set_defaults(run=_cmd_report)
    return parser


def _option_of(error: UsageError) -> str:
    """The command-line option that sets the library argument an error names, as a prefix."""
    return f"--{error.argument.replace('_', '-')}: " if error.argument else ""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Examples
    --------
    >>> main(["validate", "--data", "data", "--quiet"])  # doctest: +ELLIPSIS
    valid: ... rows read, ... loaded, 0 rejected; ... triples
    0
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser(_command_in(argv)).parse_args(argv)
    try:
        code = args.run(args)
        sys.stdout.flush()  # a closed pipe must surface here, not at interpreter exit
        return code
    except BrokenPipeError:
        # the reader stopped early (`aco-kg query ... | head`): its choice, not our failure.
        # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except UsageError as exc:
        print(f"aco-kg: error: {_option_of(exc)}{exc}", file=sys.stderr)
        return EXIT_USAGE
    except InputRowError as exc:
        print(f"error: {exc}\nnothing was written", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("aco-kg: interrupted; nothing was published", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # an internal error: say so plainly, never a bare traceback
        if args.debug:
            traceback.print_exc()
        print(f"aco-kg: internal error: {type(exc).__name__}: {exc} "
              "(run with --debug for details)", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
