"""CMS importers: every row accounted for, sums equal an independent sum of each raw file."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import DATA, ROOT
from kg import validate
from kg.cli import main
from kg.ingest.cms.results import correct_2013_header, import_mssp_results
from kg.ingest.cms.participants import import_participants
from kg.ingest.cms.roster import import_roster
from kg.ingest.cms.crosswalk import read_crosswalk
from kg.ingest.cms.folder import ImportFolder

CMS = DATA / "cms"
RESULTS = sorted(CMS.glob("mssp_results_*.csv"))


def raw_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """The file's header and records, by the standard library alone."""
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    return rows[0], rows[1:]


def money(cell: str) -> float:
    cell = cell.replace("$", "").replace(",", "").strip()
    return 0.0 if cell in ("", "*", "-") else float(cell)


def independent_totals(path: Path) -> tuple[int, float, int]:
    """ACO count, net earned savings and beneficiaries, straight from the raw file.

    PY2013 is read by position, as the CMS README explains its defect: shared savings in
    data column 16 (1-based), shared losses in 17, beneficiaries in 18.
    """
    header, rows = raw_rows(path)
    if header[0] == "ACO Identifier":
        earned = sum(money(r[15]) - abs(money(r[16])) for r in rows)
        beneficiaries = sum(int(money(r[17])) for r in rows)
    else:
        earned = sum(money(r[header.index("EarnSaveLoss")]) for r in rows)
        beneficiaries = sum(int(money(r[header.index("N_AB")])) for r in rows)
    return len(rows), earned, beneficiaries


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("cms")
    out = ImportFolder(out_dir)
    crosswalk = read_crosswalk(CMS / "aco_id_crosswalk.csv")
    reports = [import_mssp_results(p, out, crosswalk=crosswalk) for p in RESULTS]
    reports.append(import_roster(CMS / "mssp_aco_roster_2023.csv", out))
    reports.append(import_participants(CMS / "mssp_participants_2026.csv", out))
    out.write()
    return out_dir, out, reports


def test_every_file_every_row_is_accounted_for(imported):
    _, _, reports = imported
    assert len(reports) == len(RESULTS) + 2 == 12
    for report in reports:
        counts = report.ledger.counts()
        _, rows = raw_rows(Path(report.file))
        assert counts["read"] == len(rows) == report.rows_read, report.file
        assert counts["loaded"] + counts["rejected"] == counts["read"]
        assert report.ok, [e for e in report.ledger.entries if e[2] == "rejected"][:3]
        lines = [e[1] for e in report.ledger.entries]
        assert len(set(lines)) == len(lines)


@pytest.mark.parametrize("path", RESULTS, ids=lambda p: p.stem)
def test_aco_counts_and_savings_equal_an_independent_sum(imported, path):
    _, out, _ = imported
    year = re.search(r"20\d\d", path.stem)[0]
    savings = pd.DataFrame([r for r in out.rows["savings"].values() if r["performance_year"] == year])
    count, earned, beneficiaries = independent_totals(path)
    assert len(savings) == count
    assert pd.to_numeric(savings["earned_savings_usd"]).sum() == pytest.approx(earned, abs=1.0)
    assert pd.to_numeric(savings["assigned_beneficiaries"]).sum() == beneficiaries


def test_2013_correction_matches_what_cms_announced(imported):
    _, out, _ = imported
    rows = [r for r in out.rows["savings"].values() if r["performance_year"] == "2013"]
    shared = sum(float(r["earned_savings_usd"]) for r in rows if float(r["earned_savings_usd"]) > 0)
    assert shared == pytest.approx(315.9e6, rel=0.001)  # CMS announced about $315 million
    assert sum(int(r["assigned_beneficiaries"]) for r in rows) == pytest.approx(3.68e6, rel=0.01)
    palm = out.rows["savings"]["mssp-A1001-2013"]
    assert palm["benchmark_usd"] == "613084880.4" and palm["expenditure_usd"] == "573516045.5"
    assert palm["generated_savings_usd"] == "39568834.84"


def test_2013_header_is_recognised_only_exactly():
    header, _ = raw_rows(CMS / "mssp_results_2013.csv")
    assert correct_2013_header(header)[13] == "Total expenditures ($)"
    changed = list(header)
    changed[5] = "Interim payment"
    assert correct_2013_header(changed) is None


def test_shifted_columns_are_caught_by_plausibility(tmp_path):
    """A 2014 file whose money values sit one column off (as in 2013) is rejected row by row."""
    header, rows = raw_rows(CMS / "mssp_results_2014.csv")
    g, e = header.index("GenSaveLoss"), header.index("ABtotExp")
    shifted = [r[:g] + [r[e]] + r[g + 1:] for r in rows[:40]]
    path = tmp_path / "mssp_results_2014.csv"
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows([header] + shifted)
    report = import_mssp_results(path, ImportFolder(tmp_path / "out"))
    assert report.ledger.counts() == {"read": 40, "loaded": 0, "rejected": 40}
    assert "exceed half the benchmark" in report.ledger.entries[0][4]


def test_rates_units_are_decided_per_column():
    out = ImportFolder(Path("/nonexistent"))
    for name in ("mssp_results_2014.csv", "mssp_results_2015.csv", "mssp_results_2022.csv"):
        report = import_mssp_results(CMS / name, out)
        notes = " ".join(report.notes)
        assert "Sav" in notes and "FinalShareRate" in notes
    r14 = out.rows["savings"]["mssp-A67373-2014"]  # no crosswalk: keyed by ACO_NUM
    r15 = out.rows["savings"]["mssp-A67373-2015"]
    r22 = out.rows["savings"]["mssp-A1001-2022"]
    # 2014 writes percent numbers (7.135), 2015 fractions (0.0948), 2022 strings (6.46%)
    assert float(r14["savings_rate_pct"]) == pytest.approx(7.1353, abs=1e-3)
    assert float(r15["savings_rate_pct"]) == pytest.approx(9.48, abs=1e-2)
    assert float(r22["savings_rate_pct"]) == pytest.approx(6.46, abs=1e-2)


def test_suppressed_and_not_applicable_stay_unknown(tmp_path):
    header, rows = raw_rows(CMS / "mssp_results_2022.csv")
    rows = [list(r) for r in rows[:3]]
    rows[0][header.index("N_AB")] = "*"
    rows[1][header.index("EarnSaveLoss")] = "-"
    rows[2][header.index("GenSaveLoss")] = "$1,000,000"  # money with $ and commas is read
    path = tmp_path / "results_2022.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([header + ["Guardrail"]]
                                                            + [r + ["x"] for r in rows])
    out = ImportFolder(tmp_path / "out")
    report = import_mssp_results(path, out)
    first, second = (out.rows["savings"][f"mssp-{rows[i][0]}-2022"] for i in (0, 1))
    assert first["assigned_beneficiaries"] == "" and second["earned_savings_usd"] == ""
    assert any("Guardrail" in n for n in report.notes)  # unknown extra column: noted
    assert report.ledger.counts()["read"] == 3
    # the third row's generated savings no longer equal benchmark - expenditure: rejected
    third = [e for e in report.ledger.entries if e[2] == "rejected"]
    assert len(third) == 1 and "GenSaveLoss" in third[0][4]


def test_missing_required_column_is_named(tmp_path, capsys):
    header, rows = raw_rows(CMS / "mssp_results_2020.csv")
    drop = header.index("ABtotBnchmk")
    path = tmp_path / "mssp_results_2020.csv"
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows([[c for i, c in enumerate(r) if i != drop]
                                      for r in [header] + rows[:5]])
    assert main(["import", "cms-mssp", str(path), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "benchmark (one of: ABtotBnchmk" in err and f"{path}:2:" in err
    assert "Traceback" not in err


def test_identity_links_through_the_crosswalk_not_names(imported):
    _, out, _ = imported
    ids = out.rows["identifiers"]
    assert ids["cms-aco-num-A67373"]["org_id"] == "cms-aco-A1001"
    assert ids["cms-aco-num-A67373"]["source_id"] == "cms-aco-id-crosswalk"
    years = sorted(r["performance_year"] for r in out.rows["savings"].values()
                   if r["contract_id"] == "mssp-A1001")
    assert years == ["2013", "2014", "2015", "2016", "2017", "2018", "2020", "2021", "2022", "2023"]
    assert not any(k.startswith("cms-aconum-") for k in out.rows["organizations"])


def test_importers_infer_no_partner_alliance(imported):
    # which operator runs an ACO is operator discovery's business (tests/test_operators.py):
    # the importers write the ACOs, their participants and results, and no alliance
    _, out, reports = imported
    assert out.rows["alliances"] == {} and out.rows["alliance_members"] == {}
    assert out.rows["operator_links"] == {}
    notes = " ".join(reports[-1].notes)
    assert "have none" in notes and "are not in this file" in notes


@pytest.mark.slow  # imports eleven files and validates them with the curated data
def test_a_slice_builds_with_the_curated_data(tmp_path):
    """First rows of every file, imported and validated together with data/ (SHACL included)."""
    slices = tmp_path / "slices"
    slices.mkdir()
    for path in list(RESULTS) + [CMS / "mssp_participants_2026.csv", CMS / "mssp_aco_roster_2023.csv"]:
        lines = path.read_bytes().splitlines(keepends=True)
        (slices / path.name).write_bytes(b"".join(lines[:13]))
    out = tmp_path / "imported"
    cw = str(CMS / "aco_id_crosswalk.csv")
    assert main(["import", "cms-mssp", *sorted(map(str, slices.glob("mssp_results_*.csv"))),
                 "--crosswalk", cw, "--out", str(out), "--quiet"]) == 0
    assert main(["import", "cms-roster", str(slices / "mssp_aco_roster_2023.csv"),
                 "--out", str(out), "--quiet"]) == 0
    assert main(["import", "cms-participants", str(slices / "mssp_participants_2026.csv"),
                 "--out", str(out), "--quiet"]) == 0
    report = validate([DATA, out])
    assert report.ok, "\n".join(map(str, report.problems[:5]))
    assert report.shacl_conforms is True
    files = set(report.ledger["file"])
    assert str(out / "savings.csv") in files and str(DATA / "savings.csv") in files


def test_duplicate_key_across_folders_names_both_files(tmp_path):
    other = tmp_path / "other"
    ImportFolder(other).write()
    row = next(csv.reader(io.StringIO((DATA / "organizations.csv").read_text().splitlines()[1])))
    with open(other / "organizations.csv", "a", newline="") as handle:
        csv.writer(handle).writerow(row)
    report = validate([DATA, other])
    assert not report.ok
    problem = [p for p in report.problems if "duplicate org_id" in p.reason][0]
    assert problem.file == str(other / "organizations.csv") and problem.line == 2
    assert str(DATA / "organizations.csv") in problem.reason
