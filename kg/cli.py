"""The ``aco-kg`` command: parse arguments, call one library function, format, exit.

Exit codes: 0 success; 1 invalid data (nothing published); 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from kg.errors import InvalidDataError, UsageError

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
        report.ledger.to_csv(ledger_path, index=False)
        print(f"ledger written to {ledger_path}", file=sys.stderr)


def _cmd_build(args) -> int:
    from kg.build import build
    say = _progress(args.quiet)
    try:
        report = build(args.data, args.out, dictionary=args.dictionary, progress=say)
    except InvalidDataError as exc:
        _print_problems(exc.report, args.ledger)
        print(f"build failed: {exc.report.summary()}; {args.out} was left as it was",
              file=sys.stderr)
        return EXIT_INVALID
    if args.ledger:
        report.ledger.to_csv(args.ledger, index=False)
    out = Path(args.out)
    print(f"built {report.summary()}")
    print(f"outputs in {out}/: graph.ttl, graph.nt, ontology.ttl, store/ (Oxigraph), "
          "ledger.csv, shacl-report.txt, manifest.json")
    return EXIT_OK


def _cmd_validate(args) -> int:
    from kg.build import validate
    report = validate(args.data, dictionary=args.dictionary, progress=_progress(args.quiet))
    if not report.ok:
        _print_problems(report, args.ledger)
        print(f"invalid: {report.summary()}", file=sys.stderr)
        return EXIT_INVALID
    if args.ledger:
        report.ledger.to_csv(args.ledger, index=False)
    print(f"valid: {report.summary()}")
    return EXIT_OK


def _cmd_dictionary(args) -> int:
    from kg.dictionary import load_dictionary, replace_section, to_markdown
    markdown = to_markdown(load_dictionary(args.dictionary))
    if args.update:
        path = Path(args.update)
        path.write_text(replace_section(path.read_text(encoding="utf-8"), markdown), encoding="utf-8")
        print(f"updated the data dictionary section of {path}")
    else:
        sys.stdout.write(markdown)
    return EXIT_OK


def _open_analysis_store(path: str):
    from kg.store import open_store
    try:
        return open_store(path)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:  # e.g. a folder that is not an Oxigraph store
        raise UsageError(f"cannot open the store at {path}: {exc}") from None


def _cmd_analyze(args) -> int:
    import json
    from kg.analysis import analyze, to_json, write_csv
    tables = analyze(_open_analysis_store(args.store), min_market_acos=args.min_market_acos)
    if args.table:
        tables = {args.table: tables[args.table]}
    if args.format == "json":
        text = json.dumps(to_json(tables), indent=2, ensure_ascii=False)
        if args.out:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
            print(f"wrote {len(tables)} tables to {args.out}", file=sys.stderr)
        else:
            print(text)
        return EXIT_OK
    if args.out:
        paths = write_csv(tables, args.out)
        print(f"wrote {len(paths)} CSV files to {args.out}/", file=sys.stderr)
    elif len(tables) == 1:
        next(iter(tables.values())).to_csv(sys.stdout, index=False)
    else:
        raise UsageError("--format csv writes one file per table: give --out FOLDER, "
                         "or --table NAME to print one table")
    return EXIT_OK


def _cmd_report(args) -> int:
    from kg.report import write_report
    path = write_report(_open_analysis_store(args.store), args.out,
                        min_market_acos=args.min_market_acos)
    print(f"wrote {path}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="aco-kg",
        description="Build and query the knowledge graph of ACO - management partner alliances.",
        epilog="exit codes: 0 ok, 1 invalid data (nothing published), 2 usage or internal error\n\n"
               "examples:\n  aco-kg build --data data --out out\n  aco-kg validate --data data",
        formatter_class=fmt,
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def common(p):
        p.add_argument("--data", default="data", metavar="DIR",
                       help="folder with the CSV files (default: data)")
        p.add_argument("--dictionary", default=None, metavar="FILE",
                       help="data dictionary (default: the project's data/datapackage.yaml)")
        p.add_argument("--ledger", default=None, metavar="FILE",
                       help="also write the row ledger (CSV) here, even when the data are invalid")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")

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
        "dictionary", help="print the data dictionary as Markdown",
        description="Print every CSV file's columns, types and RDF mapping (the README's data "
                    "section is generated from this).",
        epilog="examples:\n  aco-kg dictionary > dictionary.md\n  aco-kg dictionary --update README.md",
        formatter_class=fmt)
    p.add_argument("--dictionary", default=None, metavar="FILE", help="data dictionary file")
    p.add_argument("--update", default=None, metavar="FILE",
                   help="replace the section between the dictionary markers of FILE instead of printing")
    p.set_defaults(run=_cmd_dictionary)

    from kg.analysis import SCHEMA

    def analysis_common(p):
        p.add_argument("--store", default="out/store", metavar="DIR",
                       help="published Oxigraph store (default: out/store)")
        p.add_argument("--min-market-acos", type=int, default=10, metavar="N",
                       help="flag market shares only in markets with at least N ACOs in the "
                            "graph (default: 10)")

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
    analysis_common(p)
    p.add_argument("--format", choices=["json", "csv"], default="json",
                   help="json: one document with every table; csv: one file per table")
    p.add_argument("--out", default=None, metavar="PATH",
                   help="json: the file to write; csv: the folder to write (default: stdout)")
    p.add_argument("--table", choices=sorted(SCHEMA), default=None, help="only this table")
    p.set_defaults(run=_cmd_analyze)

    p = sub.add_parser(
        "report", help="write the offline HTML report on power and concentration",
        description="Write one self-contained HTML file (no external resource) with the "
                    "ranking of partners, every flag with its reason and source, the "
                    "early-warning indicators, the tables, plots, and the methods.",
        epilog="examples:\n  aco-kg report --out report.html\n"
               "  aco-kg report --store /tmp/tiny/store --out /tmp/report.html",
        formatter_class=fmt)
    analysis_common(p)
    p.add_argument("--out", default="report.html", metavar="FILE",
                   help="the HTML file to write (default: report.html)")
    p.set_defaults(run=_cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Examples
    --------
    >>> main(["validate", "--data", "data", "--quiet"])  # doctest: +ELLIPSIS
    valid: ... rows read, ... loaded, 0 rejected; ... triples
    0
    """
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"aco-kg: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
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
