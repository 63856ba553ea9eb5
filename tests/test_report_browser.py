"""The report in a real browser (Debian's headless Chromium, network blocked): the page of
a national-size synthetic dataset with operator links stays within its height budget at
1280 x 800, loads nothing, and links only to in-page anchors and the CSV files it wrote."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kg.graph.build import build
from kg.ingest.synth import synthesize
from kg.products.report import write_report

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from browser import LOOPBACK_ONLY, available, chromium, requests_made  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not available(), reason="needs chromium and chromium-driver "
                                 "(make system-deps installs them)")]

#: The page's height budget at 1280 x 800: about 15 screens (issue 14).
MAX_HEIGHT_PX = 12_000


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Reports of the curated data and of 1,000 synthetic ACOs with operator links (more
    operators, markets and flags than the demo has)."""
    folder = tmp_path_factory.mktemp("report-browser")
    synthesize(folder / "synth", acos=1000, seed=5, operator_links=True)
    build(folder / "synth", folder / "synth-out")
    build(HERE.parent / "data", folder / "curated-out")
    return {"synthetic": write_report(folder / "synth-out" / "store", folder / "s" / "report.html"),
            "curated": write_report(folder / "curated-out" / "store", folder / "c" / "report.html")}


@pytest.mark.parametrize("which", ["synthetic", "curated"])
def test_the_page_fits_its_height_budget_and_loads_nothing(pages, which):
    page = pages[which]
    with chromium(1280, 800, flags=LOOPBACK_ONLY) as driver:
        driver.set_window_size(1280, 800)
        requests_made(driver)
        driver.get(page.as_uri())
        height = driver.execute_script("return document.documentElement.scrollHeight")
        summary_top = driver.execute_script(
            "return document.getElementById('summary').getBoundingClientRect().bottom")
        charts = driver.execute_script("return document.querySelectorAll('svg.chart').length")
        links = driver.execute_script(
            "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        requests = requests_made(driver)
    assert height <= MAX_HEIGHT_PX, f"{which} report is {height} px tall"
    # the summary ends on the first screen
    assert summary_top <= 800, f"the summary ends at {summary_top} px"
    assert requests == [page.as_uri()], requests
    if which == "synthetic":
        assert charts >= 2  # the flagged markets and the operators' shares
    for link in links:
        target = link.split("#")[0]
        assert target == page.as_uri() or Path(target.removeprefix("file://")).is_file(), link
