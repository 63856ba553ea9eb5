"""The HTML report: offline, escaped, and showing the Milbank partners with their sources."""

from __future__ import annotations

import re

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
    assert re.search(r"\[\d+: Table 1 &gt; Management partner &gt; Role on board", html)
    assert "Murray GF, D&#39;Aunno T, Lewis VA. Trust, Money, and Power" in html
    assert '<h2 id="methods">Methods</h2>' in html and "HHI = &Sigma;" in html


def test_text_from_the_data_is_escaped(tiny_report):
    assert "<script>alert(1)</script>" not in tiny_report
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in tiny_report


@pytest.mark.slow
def test_cli_report(tmp_path):
    build(TINY, tmp_path / "out")
    result = run_cli("report", "--store", str(tmp_path / "out" / "store"),
                     "--out", str(tmp_path / "r" / "report.html"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "r" / "report.html").read_text("utf-8").startswith("<!DOCTYPE html>")
