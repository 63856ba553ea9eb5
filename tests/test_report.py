"""The HTML report: offline, escaped, and showing the Milbank partners with their sources."""

from __future__ import annotations

import csv
import html
import re
from html.parser import HTMLParser

import pytest

from conftest import DATA, TINY, run_cli
from kg.graph.build import build
from kg.products.report import write_report


@pytest.fixture(scope="module")
def curated_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    build(DATA, folder / "out")
    return write_report(folder / "out" / "store", folder / "report.html").read_text("utf-8")


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-report")
    build(TINY, folder / "out")
    return write_report(folder / "out" / "store", folder / "report.html").read_text("utf-8")


@pytest.mark.parametrize("which", ["curated_report", "tiny_report"])
def test_report_loads_nothing_from_outside(which, request):
    html = request.getfixturevalue(which)
    for attribute in re.findall(r"""(?:src|href|xlink:href|action)\s*=\s*["']?([^"'\s>]+)""",
                                html, re.I):
        assert attribute.startswith("#"), f"external reference {attribute}"
    assert not re.search(r"@import|url\s*\(", html, re.I)
    assert not re.search(r"https?://", html)
    assert "<script" not in html.lower()


def test_milbank_partners_with_veto_seats_savings_and_sources(curated_report):
    html = curated_report
    access = html.index("Access ACO&#39;s management partner")
    collab = html.index("Collaborative ACO&#39;s management partner")
    assert access < collab  # ranked first
    assert "2 voting seats; veto on 1 board" in html
    assert "under 30% (moderate) at Access ACO" in html
    assert "significant, no figure at Collaborative ACO" in html
    assert "holds a veto on 1 board (Access ACO board)" in html
    assert "the board&#39;s size is not reported" in html
    assert re.search(r"\[\d+: Table 1, row &#39;Role on board&#39; under &#39;Management partner&#39;", html)
    assert "Murray GF, D&#39;Aunno T, Lewis VA. Trust, Money, and Power" in html
    assert '<h2 id="methods">Methods</h2>' in html and "HHI = &Sigma;" in html


def test_text_from_the_data_is_escaped(tiny_report):
    assert "<script>alert(1)</script>" not in tiny_report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in tiny_report


class _Page(HTMLParser):
    """The parts of a report a reader sees: section ids, tables as rows of cell texts,
    elements by tag, and every attribute that could load something."""

    def __init__(self, html: str):
        super().__init__()
        self.sections, self.tables, self.tags, self.links = [], [], [], []
        self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "h2":
            self.sections.append(attrs.get("id"))
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        self.links += [v for k, v in attrs.items() if k in ("src", "href", "xlink:href", "action")]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _tiny_partner_name() -> str:
    with open(TINY / "organizations.csv", newline="", encoding="utf-8") as handle:
        return next(r["name"] for r in csv.DictReader(handle) if r["org_id"] == "partner-1")


def test_the_methods_state_the_thresholds_the_analysis_applies(tiny_report):
    from kg.analysis.power.concentration import guideline_readings
    from kg.analysis.power.dominance import FLAG_RULES

    page = _Page(tiny_report)
    rules = next(t for t in page.tables if t[0] == ["Flag", "Raised when", "Source"])
    assert [row[0] for row in rules[1:]] == list(FLAG_RULES)
    for row, rule in zip(rules[1:], FLAG_RULES.values()):
        assert row[1].startswith(rule.rule) and row[2] == rule.source
    text = html.unescape(re.sub(r"<[^>]+>", " ", tiny_report))
    for reading in guideline_readings():
        assert " ".join(reading.split()) in " ".join(text.split())


@pytest.mark.slow
def test_cli_report(tmp_path):
    build(TINY, tmp_path / "out")
    path = tmp_path / "r" / "report.html"
    result = run_cli("report", "--store", str(tmp_path / "out" / "store"), "--out", str(path))
    assert result.returncode == 0, result.stderr
    assert f"wrote {path}" in result.stdout
    report = path.read_text("utf-8")
    assert report.startswith("<!DOCTYPE html>")
    page = _Page(report)
    # every section, in order
    assert page.sections == ["ranking", "flags", "warnings", "governance", "money", "dependency",
                             "concentration", "network", "methods", "references"]
    # a row from the data: the tiny board, where partner-1 holds 2 of 8 votes (quota 5) and
    # a reserved veto. Its indices are those of that game: as veto holder it swings in every
    # winning coalition, itself and 3 to 6 of the six others: 42 of the 2^6 coalitions
    # (raw Banzhaf 42/64, normalized 7/17), and it is pivotal in 4 of 7 places (Shapley 4/7)
    partner = _tiny_partner_name()
    governance = next(t for t in page.tables if t[0][:2] == ["Board", "Player"])
    row = next(r for r in governance[1:] if r[1] == partner)
    assert row[:8] == ["Board of ACO 1", partner, "2", "2 of 8", f"{7 / 17:.3f}",
                       f"{42 / 2 ** 6:.3f}", f"{4 / 7:.3f}", "yes (reserved)"]
    flags = next(t for t in page.tables if t[0][:2] == ["Partner", "Flag"])
    assert [partner, "veto", "raised"] == flags[1][:3]
    # the hostile name is text, never markup: no script element, no raw tag in the file
    assert "<script" in partner and partner not in report
    assert "script" not in page.tags
    assert html.escape(partner, quote=True).replace("&quot;", "&#34;").replace("&#x27;", "&#39;") in report
    # nothing loaded from outside: only in-page links
    assert page.links and all(link.startswith("#") for link in page.links)
    assert not re.search(r"@import|url\s*\(|https?://", report, re.I)
