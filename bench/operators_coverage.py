"""The share of ACOs with an operator per performance year and by kind, from the shipped files.

Runs operator discovery on data/cms with the shipped registry (data/operators) and prints
the Markdown table of kg.ingest.operators.coverage; with --update FILE, replaces the table
between the operator-coverage markers of FILE (the README), so that the README's figures
are generated, never typed.

Usage: .venv/bin/python bench/operators_coverage.py [--cms DIR] [--update README.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.ingest.operators.coverage import MARKERS, coverage, coverage_markdown
from kg.ingest.operators.discover import discover_files

ROOT = Path(__file__).resolve().parents[1]


def table(cms: str | Path = ROOT / "data" / "cms") -> str:
    """The coverage table of the files in `cms`."""
    return coverage_markdown(coverage(discover_files(cms)))


def replaced(text: str, block: str) -> str:
    """`text` with the lines between the markers replaced by `block`."""
    start, end = text.index(MARKERS[0]) + len(MARKERS[0]), text.index(MARKERS[1])
    return text[:start] + "\n" + block + "\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cms", default=ROOT / "data" / "cms")
    parser.add_argument("--update", default=None, metavar="FILE")
    args = parser.parse_args(argv)
    block = table(args.cms)
    if args.update:
        path = Path(args.update)
        path.write_text(replaced(path.read_text(encoding="utf-8"), block), encoding="utf-8")
        print(f"updated {path}")
    else:
        print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
