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


def _cmd_map(args) -> int:
    from kg.maps import write_map
    summary = write_map(args.store, args.out, focus=args.focus, depth=args.depth,
                        year=args.year, partner=args.partner, state=args.state, seed=args.seed,
                        max_nodes=args.max_nodes, participants=args.participants)
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {summary.path}: {summary.nodes} organizations and {summary.edges} links "
          f"(layout {summary.seconds['layout']:.1f} s)")
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
