"""Rewrite the expected results of the canned queries, for reviewing their diff.

``make golden-queries`` (or ``python tests/make_query_golden.py``) runs every query of
queries/cq-*.rq and queries/*-violation.rq on the tiny fixture and on the curated data and
writes tests/golden/queries/tiny/ and tests/golden/queries/data/. It never writes
tests/golden/queries/why.yaml: a changed golden row must be justified there by hand, from
the query and the data, or tests/test_query_golden_why.py fails. Then READ the diff: a
golden file is only as honest as the review that checked it against the sources.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from query_support import DATASETS, EXPECTED, ROOT, golden_queries  # noqa: E402

from kg.graph.build import build  # noqa: E402
from kg.graph.store import open_store  # noqa: E402
from kg.products.formats import to_csv  # noqa: E402
from kg.sparql.select import select  # noqa: E402

def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        for label, target in EXPECTED.items():
            out = Path(scratch) / label
            build(DATASETS[label], out)
            store = open_store(out / "store")
            target.mkdir(parents=True, exist_ok=True)
            for stale in target.glob("*.csv"):
                stale.unlink()
            for path in golden_queries():
                (target / f"{path.stem}.csv").write_text(to_csv(select(path, store)), encoding="utf-8")
            del store
            print(f"wrote {len(golden_queries())} results to {target.relative_to(ROOT)}")
    print("now review the diff; justify changed golden rows in tests/golden/queries/why.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
