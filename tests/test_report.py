"""The HTML report: offline, escaped, the summary first, flags with their sources, charts of
the flagged markets, CSV files beside the page, and the Milbank partners with their sources.

Besides the curated data and the tiny fixture, a synthetic dataset with operator links
(:func:`kg.ingest.synth.synthesize` with ``operator_links=True``: several operators, links
valid in some years only, ACOs serving several states) exercises the markets and flags."""

from __future__ import annotations

import csv
import html
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from conftest import TINY, run_cli
from kg.graph.build import build
from kg.ingest.synth import synthesize
from kg.analysis.analyze import analyze
from kg.graph.ontology import ONTOLOGY_DIR, ONTOLOGY_FILES
from kg.graph.store import memory_store
from kg.products.report import CHART_PANELS, tables_folder, write_report, write_report_files


@pytest.fixture(scope="module")
def curated_report(tmp_path_factory, curated_out):
    folder = tmp_path_factory.mktemp("report")
    return write_report(curated_out / "store", folder / "report.html").read_text("utf-8")


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory, tiny_out):
    folder = tmp_path_factory.mktemp("tiny-report")
    return write_report(tiny_out / "store", folder / "report.html").read_text("utf-8")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A synthetic dataset with operator links, built, and its report: (folder, html, the
    analysis tables). One participant per ACO: the report reads ACOs, operators, links and
    results, and a national number of participants would only slow the build."""
    folder = tmp_path_factory.mktemp("synthetic-report")
    synthesize(folder / "data", acos=300, participants=300, seed=11, operator_links=True)
    build(folder / "data", folder / "out")
    # on an in-memory store of the graph, as the build makes its report
    tables = analyze(memory_store(folder / "out" / "graph.nt",
                                  [ONTOLOGY_DIR / name for name in ONTOLOGY_FILES]))
    path = write_report_files(tables, folder / "report.html")
    return folder, path.read_text("utf-8"), tables


@pytest.mark.parametrize("which", ["curated_report", "tiny_report"])
def test_report_loads_nothing_from_outside(which, request):
    html = request.getfixturevalue(which)
    for attribute in re.findall(r"""(?:src|href|xlink:href|action)\s*=\s*["']?([^"'\s>]+)""",
                                html, re.I):
        # in-page anchors, or the CSV files written beside the page
        assert attribute.startswith("#") or re.fullmatch(r"report-tables/\w+\.csv", attribute), \
            f"external reference {attribute}"
    # url() only to an element of the page (the charts' clip paths)
    assert not re.search(r"@import|url\s*\((?!#)", html, re.I)
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
def test_cli_report(tmp_path, tiny_out):
    path = tmp_path / "r" / "report.html"
    result = run_cli("report", "--store", str(tiny_out / "store"), "--out", str(path))
    assert result.returncode == 0, result.stderr
    assert f"wrote {path}" in result.stdout
    report = path.read_text("utf-8")
    assert report.startswith("<!DOCTYPE html>")
    page = _Page(report)
    # every section, in order
    assert page.sections == ["summary-title", "contents", "footprint", "flags", "governance",
                             "tables", "methods", "references"]
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
    assert page.links and all(link.startswith("#") or (path.parent / link).is_file()
                              for link in page.links)
    # the charts' SVG refers to its own clip paths (url(#id)); nothing else is referenced
    assert not re.search(r"@import|url\s*\((?!#)|https?://(?!www\.w3\.org/)", report, re.I)


def _cells(table: list[list[str]], header: str) -> list[str]:
    column = table[0].index(header)
    return [row[column] for row in table[1:]]


def _table(page: _Page, first_headers: list[str]) -> list[list[str]]:
    return next(t for t in page.tables if t and t[0][:len(first_headers)] == first_headers)


def _synthetic_links(folder) -> pd.DataFrame:
    """The synthetic operator links as the files say them: ACO, partner, first and last
    year (operator_links.csv, as operator discovery writes it)."""
    links = pd.read_csv(folder / "data" / "operator_links.csv", dtype=str)
    return pd.DataFrame({"aco": links["aco_id"], "partner": links["operator_id"],
                         "first": links["first_year"].astype(int),
                         "last": links["last_year"].astype(int)})


def test_the_summary_comes_first_with_the_largest_operator_of_the_latest_year(synthetic):
    folder, report, _ = synthetic
    page = _Page(report)
    assert page.sections[:2] == ["summary-title", "contents"]
    assert report.index('id="summary"') < report.index('id="contents"') < report.index(
        'id="footprint"')
    # the largest operator by ACOs in the latest results year, counted from the files: the
    # links valid that year, one ACO each
    results = pd.read_csv(folder / "data" / "savings.csv", dtype=str)
    latest = int(results["performance_year"].astype(int).max())
    links = _synthetic_links(folder)
    valid = links[(links["first"] <= latest) & (links["last"] >= latest)]
    counts = valid.groupby("partner")["aco"].nunique().sort_values(ascending=False)
    organizations = pd.read_csv(folder / "data" / "organizations.csv", dtype=str)
    name = dict(zip(organizations["org_id"], organizations["name"]))
    summary = _table(page, ["#", "Operator", "ACOs (trend)"])
    assert f"performance year {latest}" in report
    assert summary[1][1].startswith(name[counts.index[0]])
    assert summary[1][2].startswith(str(counts.iloc[0]))
    # trend, beneficiaries and savings are given for each top operator
    assert all(row[3] and row[4] for row in summary[1:])
    assert "Reported and inferred" in report and "inferred from CMS files" in report


def test_every_flag_row_cites_its_data(synthetic):
    _, report, _ = synthetic
    page = _Page(report)
    flags = _table(page, ["State", "Year", "Measure"])
    assert len(flags) > 1, "the synthetic data should raise market flags"
    for row in flags[1:]:
        source = row[flags[0].index("Source")]
        year = row[flags[0].index("Year")]
        # the CMS source (file or citation) and its year, then the links' evidence and review
        assert re.search(rf"CMS: \S.* \(PY{year}\)", source), row
        assert re.search(r"Links: \d+ (reported|inferred), (confirmed|unreviewed)", source), row
        assert re.search(r"link evidence\s*\S+ \(PY\d{4}\)", source), row
        before, after, change = (float(row[flags[0].index(h)].replace(",", ""))
                                 for h in ("HHI before", "HHI after", "Change"))
        assert change == pytest.approx(after - before, abs=1.5)
    literature = _table(page, ["Partner", "Flag", "Status"]) if any(
        t and t[0][:2] == ["Partner", "Flag"] for t in page.tables) else []
    for row in literature[1:]:
        assert row[-1].strip(), row


def test_the_curated_flags_cite_their_sources(curated_report):
    page = _Page(curated_report)
    literature = _table(page, ["Partner", "Flag", "Status"])
    assert len(literature) > 1
    assert all(re.fullmatch(r"\[\d+: .+\]", row[-1]) for row in literature[1:])


def test_the_charts_show_the_flagged_markets(synthetic):
    _, report, _ = synthetic
    page = _Page(report)
    flags = _table(page, ["State", "Year", "Measure"])
    flagged = list(dict.fromkeys(_cells(flags, "State")))
    chart = report[report.index('id="chart-flags"'):]
    chart = chart[:chart.index("</svg>")]
    titles = [html.unescape(t) for t in re.findall(r">([A-Z]{2}, by [^<]+)<", chart)]
    drawn = [t[:2] for t in titles]
    # the states with the largest changes, each flagged, as many as the chart holds
    assert drawn and set(drawn) <= set(flagged)
    assert len(drawn) == min(CHART_PANELS, len(flagged))
    assert "HHI after the links" in chart and "HHI before the links" in chart


def test_csv_links_resolve_to_the_files_written(synthetic):
    folder, report, _ = synthetic
    page = _Page(report)
    files = [link for link in page.links if not link.startswith("#")]
    assert files and all(link.startswith(tables_folder("report.html").name + "/")
                         for link in files)
    listed = _table(page, ["File", "Rows"])
    rows = dict(zip(_cells(listed, "File"), _cells(listed, "Rows")))
    for link in set(files):
        path = folder / link
        assert path.is_file(), link
        with open(path, newline="", encoding="utf-8") as handle:
            written = sum(1 for _ in csv.reader(handle)) - 1
        assert int(rows[path.name].replace(",", "")) == written, link


def test_ids_are_unique_and_every_anchor_link_lands(synthetic):
    _, report, _ = synthetic
    ids = re.findall(r'\sid="([^"]+)"', report)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1][:5]
    for target in set(re.findall(r'href="#([^"]+)"', report)):
        assert target in ids, target


def test_a_new_report_leaves_no_csv_file_of_an_earlier_one(synthetic, tmp_path):
    _, _, tables = synthetic
    stale = tables_folder(tmp_path / "report.html")
    stale.mkdir()
    (stale / "old_table.csv").write_text("a\n1\n", encoding="utf-8")
    write_report_files(tables, tmp_path / "report.html")
    written = {p.name for p in stale.iterdir()}
    assert "old_table.csv" not in written and "operator_markets.csv" in written
