"""Regenerate the golden results of the canned queries (tests/golden/queries/{data,tiny}/).

Run ``make golden-queries`` (or ``python tests/make_query_golden.py``), then READ the
diff: a golden file is only as honest as the review that checked it against the sources.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from query_support import GOLDEN, ROOT, golden_queries  # noqa: E402

from kg.graph.build import build  # noqa: E402
from kg.products.formats import to_csv  # noqa: E402
from kg.sparql.select import select  # noqa: E402
from kg.graph.store import open_store  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        for label, data in (("data", ROOT / "data"), ("tiny", ROOT / "tests" / "fixtures" / "tiny")):
            out = Path(scratch) / label
            build(data, out)
            store = open_store(out / "store")
            target = GOLDEN / label
            target.mkdir(parents=True, exist_ok=True)
            for stale in target.glob("*.csv"):
                stale.unlink()
            for path in golden_queries():
                (target / f"{path.stem}.csv").write_text(to_csv(select(path, store)), encoding="utf-8")
            del store
            print(f"wrote {len(golden_queries())} golden results to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
