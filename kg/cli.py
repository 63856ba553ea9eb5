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
        report = build(args.data or ["data"], args.out, dictionary=args.dictionary, progress=say,
                       shacl=args.shacl)
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
    report = validate(args.data or ["data"], dictionary=args.dictionary,
                      progress=_progress(args.quiet), shacl=args.shacl)
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


def _cmd_import(args) -> int:
    from kg.importers.folder import ImportFolder
    out = ImportFolder(args.out)
    reports = []
    if args.kind == "cms-mssp":
        from kg.importers.cms_mssp import import_mssp_results
        from kg.importers.crosswalk import read_crosswalk
        crosswalk = read_crosswalk(args.crosswalk) if args.crosswalk else None
        if crosswalk and crosswalk.problems:
            for problem in crosswalk.problems[:MAX_SHOWN]:
                print(f"warning: {problem}", file=sys.stderr)
        if args.year and len(args.files) > 1:
            raise UsageError("--year applies to one file only")
        for file in args.files:
            reports.append(import_mssp_results(file, out, year=args.year, crosswalk=crosswalk,
                                               source_id=args.source_id))
    elif args.kind == "cms-participants":
        from kg.importers.cms_participants import import_participants
        for file in args.files:
            reports.append(import_participants(file, out, source_id=args.source_id,
                                               partner_domains=args.partner_domains))
    else:
        from kg.importers.cms_roster import import_roster
        for file in args.files:
            reports.append(import_roster(file, out, source_id=args.source_id,
                                         partner_domains=args.partner_domains))
    out.write()
    failed = False
    for report in reports:
        ledger_path = report.write(args.out, Path(report.file).stem)
        print(report.summary())
        if not args.quiet:
            for note in report.notes:
                print(f"  note: {note}")
        for entry in [e for e in report.ledger.entries if e[2] == "rejected"][:MAX_SHOWN]:
            print(f"error: {entry[0]}:{entry[1]}: column {entry[3] or '-'}: {entry[4]}",
                  file=sys.stderr)
        print(f"  ledger: {ledger_path}")
        failed |= not report.ok
    print(f"wrote {args.out}/ (build it with: aco-kg build --data data --data {args.out})")
    return EXIT_INVALID if failed else EXIT_OK


def _cmd_synth(args) -> int:
    from kg.synth import SIZES, synthesize
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
    written = synthesize(args.out, seed=args.seed, **size)
    shown = ", ".join(f"{n} {name}" for name, n in written.items() if n)
    print(f"wrote {args.out}/ (seed {args.seed}): {shown}")
    print(f"build it with: aco-kg build --data {args.out} --out OUT")
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
        p.add_argument("--data", action="append", default=None, metavar="DIR",
                       help="folder with the CSV files (default: data); repeat to build several "
                            "folders together (e.g. data and an imported CMS folder)")
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
        "import", help="import public data files (CMS MSSP) into aco-kg's CSV format",
        description="Read CMS Shared Savings Program files as they come (column aliases per "
                    "layout, units checked per column, '*' and '-' kept unknown, the PY2013 "
                    "layout defect corrected, plausibility checks) and write aco-kg CSV files "
                    "into --out, merging with what is there. Every input row is accounted for "
                    "in a ledger (import-FILE.ledger.csv). Exit 1 if any row was rejected.",
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
                   help="performance year (cms-mssp; default: the file's year column or name)")
    p.add_argument("--crosswalk", default=None, metavar="FILE",
                   help="CMS ACO identifier crosswalk linking 2013-2017 ACO_NUM to ACO_ID (cms-mssp)")
    p.add_argument("--source-id", default=None, metavar="ID",
                   help="row of sources.csv describing the file (default: cms- + the file name)")
    p.add_argument("--partner-domains", default=None, metavar="FILE",
                   help="partner-domain table (default: data/partner_domains.csv)")
    p.add_argument("-q", "--quiet", action="store_true", help="no notes")
    p.set_defaults(run=_cmd_import)

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
                        "(the same and 600,000 clinicians)")
    p.add_argument("--participants", type=int, default=None, metavar="N",
                   help="total participant organizations (default: fitted, about 34 per ACO)")
    p.add_argument("--clinicians", type=int, default=0, metavar="N",
                   help="total clinicians (default 0: none, or the named size's)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write")
    p.set_defaults(run=_cmd_synth)

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
