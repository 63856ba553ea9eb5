"""Measure operator discovery against the hand-verified gold families (pairwise).

Runs discovery on the shipped CMS files (data/cms) with the shipped registry, exclusions
and review (data/operators), and scores the ACO -> operator assignment against
tests/fixtures/operators/gold_families.csv (and gold_secondary.csv) with
kg.ingest.operators.evaluate. Prints precision, recall and the pairs that disagree.

Usage: .venv/bin/python bench/operators_eval.py [--cms DIR] [--registry DIR] [--gold FILE]
       [--secondary FILE] [-v]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg.ingest.operators.discover import discover_files
from kg.ingest.operators.evaluate import current_operators, pairs, read_gold, score

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "operators"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cms", default=ROOT / "data" / "cms")
    parser.add_argument("--gold", default=FIXTURES / "gold_families.csv")
    parser.add_argument("--secondary", default=FIXTURES / "gold_secondary.csv")
    parser.add_argument("--registry", default=None,
                        help="registry folder (operators.csv, operator_signals.csv, review.csv; "
                             "default data/operators); tests/fixtures/operators/minimal_registry "
                             "holds the four operators of the former partner-domain table only, "
                             "to measure discovery without the curated registry")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the pairs that disagree")
    args = parser.parse_args(argv)
    discovery = discover_files(args.cms, registry_dir=args.registry,
                               exclusions=ROOT / "data" / "operators" / "exclusions.csv")
    predicted = current_operators(discovery)
    gold, secondary = read_gold(args.gold, args.secondary)
    result = score(predicted, gold, secondary)
    print(f"pairwise precision {result.precision:.4f} ({result.predicted_pairs} predicted pairs), "
          f"recall {result.recall:.4f} ({result.gold_pairs} gold pairs); "
          f"{len(set(predicted))} ACOs linked to {len(set(predicted.values()))} operators, "
          f"{len(gold)} ACOs in {len(set(gold.values()))} gold families")
    if args.verbose:
        names = {aco: name for aco, (_, name) in discovery.signals.names.items()}
        missed = pairs(gold) - pairs(predicted)
        wrong = {p for p in pairs(predicted)
                 if not ({gold.get(p[0])} | secondary.get(p[0], set()))
                 & ({gold.get(p[1])} | secondary.get(p[1], set())) - {None}}
        for label, found in (("missed (gold, not predicted)", missed), ("wrong (predicted, not gold)", wrong)):
            print(f"\n{label}: {len(found)}")
            for a, b in sorted(found)[:200]:
                print(f"  {a} {gold.get(a, '-'):24} {predicted.get(a, '-'):28} {names.get(a, '')[:40]}"
                      f" | {b} {gold.get(b, '-'):24} {predicted.get(b, '-'):28} {names.get(b, '')[:40]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
