"""CMS imports, all or nothing: bad files and rows, cut files, the same ACO-year twice, signs,
the sources each file cites, and the build's refusal of a folder whose import failed."""

from __future__ import annotations

import csv
import io
import os
import signal
from pathlib import Path

import pandas as pd
import pytest

from conftest import DATA, tree_digest
from kg import validate
from kg.cli import main
from kg.ingest.cms.cells import number
from kg.ingest.cms.folder import ImportFolder
from kg.ingest.cms.ledger import MANIFEST, ledger_problems
from kg.ingest.cms.results import import_mssp_results

CMS = DATA / "cms"


def rows_of(path: Path) -> tuple[list[str], list[list[str]]]:
    """A CMS file's header and records, by the standard library alone."""
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]], *, final_line_end: bool = True) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header] + rows)
    text = buffer.getvalue()
    path.write_bytes((text if final_line_end else text.removesuffix("\r\n")).encode("utf-8"))
    return path


def results_slice(folder: Path, year: int = 2022, n: int = 6, name: str | None = None) -> Path:
    header, rows = rows_of(CMS / f"mssp_results_{year}.csv")
    return write_rows(folder / (name or f"mssp_results_{year}.csv"), header, rows[:n])


def run_import(*args: str) -> int:
    return main(["import", *map(str, args), "--quiet"])


def ledger_of(folder: Path, file: Path) -> pd.DataFrame:
    return pd.read_csv(folder / f"import-{file.stem}.ledger.csv", dtype=str, keep_default_na=False)


# --- signs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell,value", [("$-9,187,354.55", -9187354.55), ("-$9,187,354.55", -9187354.55),
                                        ("($9,187,354.55)", -9187354.55), ("9,187,354.55", 9187354.55),
                                        ("-0.5%", -0.5)])
def test_a_minus_sign_after_the_dollar_is_negative(cell, value):
    assert number(cell) == value


@pytest.mark.parametrize("cell", ["-$-5", "(-5)", "($5", "1,23", "5-", "--5"])
def test_malformed_numbers_are_refused(cell):
    with pytest.raises(ValueError, match="is not a number"):
        number(cell)


def test_py2013_losses_are_read_with_their_own_sign(tmp_path):
    """PY2013 writes its 102 losses as $-9,187,354.55: each loads negative, equal to
    benchmark - expenditure, with no sign guessed from other columns."""
    out = ImportFolder(tmp_path)
    report = import_mssp_results(CMS / "mssp_results_2013.csv", out)
    assert report.ok
    header, raw = rows_of(CMS / "mssp_results_2013.csv")
    signed = sum(1 for r in raw if r[14].startswith("$-"))  # the totals' column, as CMS wrote it
    savings = [r for r in out.rows["savings"].values()]
    losses = [r for r in savings if float(r["generated_savings_usd"] or 0) < 0]
    assert signed == len(losses) == 102
    for r in savings:
        gap = float(r["benchmark_usd"]) - float(r["expenditure_usd"])
        generated = float(r["generated_savings_usd"])
        assert generated == 0 or abs(generated - gap) <= max(2.0, 0.001 * abs(generated))
    assert not any("positive" in note for note in report.notes)


def test_a_loss_written_dollar_minus_loads_negative(tmp_path):
    header, rows = rows_of(CMS / "mssp_results_2022.csv")
    g = header.index("GenSaveLoss")
    b, x = header.index("ABtotBnchmk"), header.index("ABtotExp")
    row = next(r for r in rows if float(r[b]) < float(r[x]) and r[g] not in ("0", ""))
    row = list(row)
    loss = float(row[g])
    assert loss < 0
    row[g] = "$-" + f"{-loss:,.2f}"  # e.g. $-1,234,567.00, as PY2013 writes losses
    path = write_rows(tmp_path / "mssp_results_2022.csv", header, [row])
    out = ImportFolder(tmp_path / "out")
    assert import_mssp_results(path, out).ok
    (result,) = out.rows["savings"].values()
    assert float(result["generated_savings_usd"]) == pytest.approx(loss)


# --- files that are not regular files, damaged files ---------------------------------------------

@pytest.fixture
def hang_guard():
    """Fail instead of blocking for ever on a FIFO: a guard against a hang, not a speed check."""
    def stop(*_):
        raise AssertionError("the import blocked")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def imported_folder(tmp_path):
    """A folder holding one good import (a PY2022 slice); returns (folder, its digest)."""
    folder = tmp_path / "out"
    assert run_import("cms-mssp", results_slice(tmp_path, 2022, 4), "--out", folder) == 0
    return folder, tree_digest(folder)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory"])
def test_an_input_that_is_not_a_regular_file_is_refused(tmp_path, imported_folder, hang_guard,
                                                        capsys, kind):
    folder, digest = imported_folder
    path = tmp_path / "mssp_results_2021.csv"
    {"fifo": lambda: os.mkfifo(path), "dev-zero": lambda: path.symlink_to("/dev/zero"),
     "directory": lambda: path.mkdir()}[kind]()
    assert run_import("cms-mssp", path, "--out", folder) == 1
    err = capsys.readouterr().err
    assert f"error: {path}: not a regular file" in err and "internal error" not in err
    assert tree_digest(folder) == digest  # nothing written, not even a ledger


def test_a_malformed_file_is_accounted_for_and_writes_nothing(tmp_path, imported_folder, capsys):
    folder, digest = imported_folder
    header, rows = rows_of(CMS / "mssp_results_2021.csv")
    path = write_rows(tmp_path / "mssp_results_2021.csv", header, rows[:3])
    text = path.read_bytes().decode("utf-8").splitlines(keepends=True)
    text[3] = text[3].replace("\r\n", ',"open\r\n')  # a quote opened on line 4, never closed
    path.write_bytes("".join(text).encode("utf-8"))
    assert run_import("cms-mssp", path, "--out", folder) == 1
    assert "never closed" in capsys.readouterr().err
    ledger = ledger_of(folder, path)
    assert ledger.line.tolist() == ["2", "3", "4"] and set(ledger.status) == {"rejected"}
    assert "could not be read from here on" in ledger.reason.iloc[-1]
    after = tree_digest(folder)
    assert {k: v for k, v in after.items() if k in digest} == digest  # only the ledger is new


@pytest.mark.parametrize("cell,words", [("Pa\x00lm", "control character '\\x00'"),
                                        ("x" * 10_001, "over the limit of 10,000")])
def test_a_damaged_cell_rejects_its_row(tmp_path, cell, words):
    header, rows = rows_of(CMS / "mssp_results_2022.csv")
    rows = [list(r) for r in rows[:3]]
    rows[1][header.index("ACO_Name")] = cell
    path = write_rows(tmp_path / "mssp_results_2022.csv", header, rows)
    report = import_mssp_results(path, ImportFolder(tmp_path / "out"))
    rejected = [e for e in report.ledger.entries if e[2] == "rejected"]
    assert [(e[1], e[3]) for e in rejected] == [(3, "ACO_Name")] and words in rejected[0][4]


# --- cut files ---------------------------------------------------------------------------------

def test_a_file_cut_between_cells_rejects_its_last_record(tmp_path, capsys):
    path = results_slice(tmp_path, 2022, 5)
    text = path.read_bytes().decode("utf-8")
    path.write_bytes(text[: text.rindex(",", 0, len(text) - 40)].encode("utf-8"))  # mid-record
    assert run_import("cms-mssp", path, "--out", tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert f"{path}:6: column -: expected" in err and "may have been cut inside this record" in err
    assert not (tmp_path / "out" / "savings.csv").exists()


def test_a_file_cut_inside_a_last_cell_it_reads_is_refused(tmp_path, capsys):
    """The roster's last column (public_email_domain) is read by operator discovery, not by
    the roster import: a last line without its line end may have lost the end of that
    cell, which only discovery must refuse."""
    header, rows = rows_of(CMS / "mssp_aco_roster_2023.csv")
    assert header[-1] == "public_email_domain" and rows[2][-1]
    (tmp_path / "cms").mkdir()
    path = write_rows(tmp_path / "cms" / "mssp_aco_roster_2023.csv", header, rows[:3],
                      final_line_end=False)
    cut = path.read_bytes()[:-3]
    path.write_bytes(cut)
    out = tmp_path / "out"
    assert run_import("cms-roster", path, "--out", out) == 0
    capsys.readouterr()
    registry = tmp_path / "registry"  # none: the shipped one names ACOs these 3 rows lack
    registry.mkdir()
    for name, header_line in (("operators.csv", "operator_id,name,operator_kind,profit_status,"
                                                 "source_id,locator,justification"),
                               ("operator_signals.csv", "operator_id,signal,value,justification"),
                               ("review.csv", "review_id,subject,decision,target,reason"),
                               ("exclusions.csv", "signal,value,category,justification")):
        (registry / name).write_text(header_line + "\n")
    discover = ["discover", "--cms", str(path.parent), "--out", str(out), "-q",
                "--registry", str(registry)]
    assert main(discover) == 1
    err = capsys.readouterr().err
    assert f"{path}:4: the file ends inside this record's last cell (public_email_domain" in err
    assert not (out / "operator_links.csv").read_text().splitlines()[1:]
    # the same file, whole but for its final line end, is refused the same way: the format
    # cannot tell the two apart; a line end makes it whole
    path.write_bytes(cut + b"\r\n")
    assert main(discover) == 0


@pytest.mark.parametrize("year,last", [(2015, "Track2"), (2016, "ACO33"), (2017, "readm_Rate_1000")])
def test_shipped_files_without_a_final_line_end_load(year, last):
    """PY2015-2017 end without a line end, as copied: their last cell is a flag (complete at
    0 or 1) or a column the importer does not read, so their last ACO loads."""
    path = CMS / f"mssp_results_{year}.csv"
    assert not path.read_bytes().endswith(b"\n")
    header, rows = rows_of(path)
    assert header[-1] == last
    report = import_mssp_results(path, ImportFolder(Path("/nonexistent")))
    assert report.ok and report.ledger.entries[-1][1] == len(rows) + 1


# --- all or nothing, and the build's refusal -------------------------------------------------

def test_a_rejected_row_writes_nothing_and_the_build_refuses_the_folder(tmp_path, imported_folder,
                                                                         capsys):
    folder, digest = imported_folder
    good = results_slice(tmp_path, 2021, 3)
    header, rows = rows_of(CMS / "mssp_results_2020.csv")
    rows = [list(r) for r in rows[:4]]
    rows[2][header.index("N_AB")] = "many"
    bad = write_rows(tmp_path / "mssp_results_2020.csv", header, rows)
    assert run_import("cms-mssp", good, bad, "--out", folder) == 1
    err = capsys.readouterr().err
    assert f"{bad}:4: column N_AB: 'many' is not a number" in err and "no row was written" in err
    data = {k: v for k, v in tree_digest(folder).items() if k.endswith(".csv") and "import-" not in k}
    assert data == {k: v for k, v in digest.items() if k in data}  # the data files are unchanged
    assert ledger_of(folder, bad).status.tolist() == ["loaded", "loaded", "rejected", "loaded"]
    problems = ledger_problems(folder)
    reasons = " | ".join(p.reason for p in problems)
    assert "rejected 1 of its 4 rows (first: line 4, column N_AB" in reasons
    assert f"the import of {good} did not finish" in reasons
    assert main(["validate", "--data", str(DATA), "--data", str(folder), "--quiet"]) == 1
    assert "import-mssp_results_2020.ledger.csv:4: the import of" in capsys.readouterr().err
    # fixed, the import goes through and the folder builds again
    rows[2][header.index("N_AB")] = rows[1][header.index("N_AB")]
    write_rows(bad, header, rows)
    assert run_import("cms-mssp", good, bad, "--out", folder) == 0
    assert ledger_problems(folder) == []


# --- the same ACO and year twice -----------------------------------------------------------------

def test_two_revisions_of_one_year_in_one_import_are_refused(tmp_path, capsys):
    first = results_slice(tmp_path, 2022, 3)
    header, rows = rows_of(first)
    rows[1][header.index("ACO_Name")] += " (revised)"
    second = write_rows(tmp_path / "mssp_results_2022_revised.csv", header, rows)
    assert run_import("cms-mssp", first, second, "--out", tmp_path / "out") == 1
    err = capsys.readouterr().err
    for line in (2, 3, 4):
        assert f"{second}:{line}: column ACO_ID: ACO {rows[line - 2][0]} PY2022 was imported from " \
               f"{first}:{line} already" in err
    assert not (tmp_path / "out" / "savings.csv").exists()


def test_a_second_file_for_an_imported_year_is_refused_later_too(tmp_path, imported_folder, capsys):
    folder, digest = imported_folder
    header, rows = rows_of(CMS / "mssp_results_2022.csv")
    revised = write_rows(tmp_path / "PY2022_revised.csv", header, rows[2:6])  # two ACOs overlap
    assert run_import("cms-mssp", revised, "--out", folder) == 1
    err = capsys.readouterr().err
    assert f"{revised}:2: column ACO_ID: ACO {rows[2][0]} PY2022 was imported from " \
           f"{tmp_path / 'mssp_results_2022.csv'}:4 already" in err
    manifest = pd.read_csv(folder / MANIFEST)
    assert manifest["rows_loaded"].tolist() == [4]  # the ledgers do not count an ACO twice


def test_a_file_is_imported_into_a_folder_once(tmp_path, imported_folder, capsys):
    folder, digest = imported_folder
    same = tmp_path / "mssp_results_2022.csv"
    assert run_import("cms-mssp", same, "--out", folder) == 0  # the same bytes: the same rows
    assert tree_digest(folder) == digest
    other = tmp_path / "elsewhere"
    other.mkdir()
    changed = results_slice(other, 2022, 5)
    assert run_import("cms-mssp", changed, "--out", folder) == 1
    assert "a different file of the same name was imported" in capsys.readouterr().err
    assert tree_digest(folder) == digest  # its ledger stays that of the first import


def test_conflicting_duplicate_rows_name_the_columns_that_differ(tmp_path):
    header, rows = rows_of(CMS / "mssp_results_2022.csv")
    again = list(rows[0])
    again[header.index("N_AB")] = "1"
    copy = list(rows[0])
    path = write_rows(tmp_path / "mssp_results_2022.csv", header, [rows[0], rows[1], again, copy])
    report = import_mssp_results(path, ImportFolder(tmp_path / "out"))
    reasons = {e[1]: e[4] for e in report.ledger.entries if e[2] == "rejected"}
    assert reasons[4] == (f"ACO {rows[0][0]} appears twice (first on line 2); the records differ "
                          f"in N_AB ({rows[0][header.index('N_AB')]} then 1)")
    assert reasons[5].endswith("an exact copy of that record")


def test_a_repeated_participant_whose_cells_disagree_is_rejected(tmp_path):
    from kg.ingest.cms.participants import import_participants
    header, rows = rows_of(CMS / "mssp_participants_2026.csv")
    again = list(rows[0])
    again[header.index("service_area")] = "NM"
    path = write_rows(tmp_path / "mssp_participants_2026.csv", header, [rows[0], again])
    report = import_participants(path, ImportFolder(tmp_path / "out"))
    (entry,) = [e for e in report.ledger.entries if e[2] == "rejected"]
    assert entry[1] == 3 and entry[3] == "service_area"
    assert f"the records differ in service_area ({rows[0][header.index('service_area')]} then NM)" in entry[4]


# --- sources ---------------------------------------------------------------------------------

def test_shipped_files_cite_their_curated_rows_and_generate_none(tmp_path):
    out = ImportFolder(tmp_path)
    reports = [import_mssp_results(CMS / "mssp_results_2021.csv", out)]
    assert reports[0].source_id == "cms-mssp-results-2021" and out.rows["sources"] == {}
    curated = pd.read_csv(DATA / "sources.csv", dtype=str).set_index("source_id")
    assert "mssp_results_2021.csv" in curated.loc["cms-mssp-results-2021", "citation"]


@pytest.fixture
def new_year(tmp_path):
    """A PY2024 results file (no curated row describes it) imported into a folder."""
    path = results_slice(tmp_path, 2023, 5, name="mssp_results_2024.csv")
    out = tmp_path / "out"
    assert run_import("cms-mssp", path, "--out", out) == 0
    return path, out


def test_a_new_year_registers_its_own_source_row(new_year):
    """The file's source row (name, sha256, performance year) is generated into the folder."""
    import hashlib
    path, out = new_year
    sources = pd.read_csv(out / "sources.csv", dtype=str, keep_default_na=False)
    (row,) = sources.to_dict("records")
    assert row["source_id"] == "cms-mssp-results-2024"
    assert row["title"] == "Medicare Shared Savings Program ACO results, performance year 2024"
    assert f"File mssp_results_2024.csv (sha256 {hashlib.sha256(path.read_bytes()).hexdigest()})" in row["citation"]
    assert row["year"] == "" and row["source_kind"] == "data-file"
    assert set(pd.read_csv(out / "savings.csv")["source_id"]) == {"cms-mssp-results-2024"}


@pytest.mark.slow  # a validation of the curated data (SHACL included) with the new folder
def test_a_new_year_builds_with_no_hand_edit(new_year):
    _, out = new_year
    report = validate([DATA, out])
    assert report.ok, "\n".join(map(str, report.problems[:5]))


def test_a_curated_source_id_for_another_file_is_refused(tmp_path, capsys):
    path = results_slice(tmp_path, 2023, 3, name="results_2023_copy.csv")
    assert run_import("cms-mssp", path, "--source-id", "cms-mssp-results-2023",
                      "--out", tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert ("source cms-mssp-results-2023 is a curated row (data/sources.csv:16) that describes "
            "another file: neither its title nor its citation names results_2023_copy.csv") in err


def test_one_generated_source_id_names_one_file(tmp_path, capsys):
    out = tmp_path / "out"
    first = results_slice(tmp_path, 2021, 2, name="a_2021.csv")
    second = results_slice(tmp_path, 2022, 2, name="b_2022.csv")
    assert run_import("cms-mssp", first, "--source-id", "my-cms-file", "--out", out) == 0
    assert run_import("cms-mssp", second, "--source-id", "my-cms-file", "--out", out) == 1
    assert "source my-cms-file already describes another file" in capsys.readouterr().err


def test_source_id_and_year_apply_to_one_file(tmp_path, capsys):
    files = [results_slice(tmp_path, 2021, 2), results_slice(tmp_path, 2022, 2)]
    for option, value in (("--source-id", "x"), ("--year", "2022")):
        assert main(["import", "cms-mssp", *map(str, files), option, value,
                     "--out", str(tmp_path / "out")]) == 2
        assert f"{option} applies to one file only" in capsys.readouterr().err


def test_a_folder_without_its_manifest_is_not_built(imported_folder):
    """A folder of an earlier aco-kg (ledgers, no manifest) cannot be traced to its imports."""
    folder, _ = imported_folder
    (folder / MANIFEST).unlink()
    (problem,) = ledger_problems(folder)
    assert problem.file == str(folder / "import-mssp_results_2022.ledger.csv")
    assert f"the folder has no {MANIFEST}" in problem.reason
