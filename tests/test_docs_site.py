"""`make docs`: the ontology reference and the query catalogue are built offline and escaped."""

from __future__ import annotations

import re

import pytest

from kg.products.docs_site import build_docs
from kg.sparql.catalogue import list_queries

pytestmark = pytest.mark.slow


def test_docs_build_offline_with_escaped_examples(tmp_path, tiny_out):
    # the tiny fixture names a partner '"Quoted" <script>alert(1)</script>'
    written = build_docs(tmp_path / "site", store=tiny_out / "store")
    assert [p.name for p in written] == ["ontology.html", "queries.html", "index.html"]
    reference = (tmp_path / "site" / "ontology.html").read_text(encoding="utf-8")
    for term in ("Alliance", "SavingsShare", "shareMaximumExclusive", "evidenceKind"):
        assert term in reference, term
    catalogue = (tmp_path / "site" / "queries.html").read_text(encoding="utf-8")
    for canned in list_queries():
        assert f'id="{canned.name}"' in catalogue
    assert "<script>alert(1)</script>" not in catalogue
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in catalogue
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?://", catalogue)
    assert "Example result" in catalogue
