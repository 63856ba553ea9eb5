"""Operator discovery (kg.ingest.operators): each signal, each exclusion, the bridge guard,
the registry and review, the dating rule, bad input; and, on the shipped files, the
pairwise precision and recall against the hand-verified gold families."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conftest import ROOT
from kg.cli import main
from kg.core.errors import InputRowError
from kg.ingest.cms.folder import ImportFolder
from kg.ingest.operators.discover import discover_files
from kg.ingest.operators.evaluate import current_operators, read_gold, score
from kg.ingest.operators.write import write_discovery

ROSTER = ["aco_id", "aco_name", "aco_state", "aco_address", "website_host", "exec_email_domain",
          "public_email_domain"]
PARTICIPANTS = ["aco_id", "aco_name", "participant_org", "public_website"]
EXCLUSIONS = [
    ("domain", "gmail.com", "free-mail", "free mail"),
    ("domain", "wixsite.com", "web-builder", "builder"),
    ("domain", "gov", "government", "government"),
    ("domain", "billingvendor.com", "shared-vendor", "a billing vendor of unrelated ACOs"),
    ("legal_name_brand", "mercy", "generic-name-word", "unrelated Mercy systems"),
]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def roster_row(aco, name, address="", host="", exec_domain="", public_domain=""):
    return [aco, name, "MD", address, host, exec_domain, public_domain]


def cms_folder(tmp_path: Path, roster: list[list[str]], participants=(), results=None) -> Path:
    cms = tmp_path / "cms"
    write(cms / "mssp_aco_roster_2023.csv", ROSTER, roster)
    write(cms / "mssp_participants_2026.csv", PARTICIPANTS, list(participants))
    for year, rows in (results or {}).items():
        write(cms / f"mssp_results_{year}.csv", ["ACO_ID", "ACO_Name"], rows)
    return cms


def registry(tmp_path: Path, operators=(), signals=(), reviews=(), exclusions=EXCLUSIONS) -> Path:
    folder = tmp_path / "registry"
    write(folder / "operators.csv", ["operator_id", "name", "operator_kind", "profit_status",
                                     "source_id", "locator", "justification"], list(operators))
    write(folder / "operator_signals.csv", ["operator_id", "signal", "value", "justification"],
          list(signals))
    write(folder / "review.csv", ["review_id", "subject", "decision", "target", "reason"],
          list(reviews))
    write(folder / "exclusions.csv", ["signal", "value", "category", "justification"],
          [list(e) for e in exclusions])
    return folder


def families(discovery) -> list[list[str]]:
    by: dict[str, set[str]] = {}
    for link in discovery.links:
        by.setdefault(link.operator_id, set()).add(link.aco_id)
    return sorted(sorted(acos) for acos in by.values())


def op(discovery, aco: str) -> str | None:
    return next((x.operator_id for x in discovery.links if x.aco_id == aco), None)


# --------------------------------------------------------------------------- each signal

@pytest.mark.parametrize("column", ["website_host", "exec_email_domain", "public_email_domain",
                                    "aco_address"])
def test_each_roster_signal_groups_the_acos_that_share_it(tmp_path, column):
    value = {"website_host": "https://www.Acme-Health.com/aco", "exec_email_domain": "ACME-health.com",
             "public_email_domain": "acme-health.com",
             "aco_address": "1 Main Street, Suite 200, Springfield, MD, 20814"}[column]
    other = {"aco_address": "1 Main St., Floor 3, Springfield, MD 20814-1234"}.get(column, value)
    index = ROSTER.index(column)
    rows = [roster_row("A0001", "North Shore Partners"), roster_row("A0002", "Riverbend Doctors"),
            roster_row("A0003", "Unrelated ACO")]
    rows[0][index], rows[1][index] = value, other
    found = discover_files(cms_folder(tmp_path, rows), registry_dir=registry(tmp_path))
    assert families(found) == [["A0001", "A0002"]]
    link = next(x for x in found.links if x.aco_id == "A0001")
    assert column in link.signals and "mssp_aco_roster_2023.csv:2 (PY2023)" in link.locator
    assert (link.first_year, link.last_year, link.review) == (2023, 2023, "unreviewed")


def test_participant_site_host_and_shared_participants(tmp_path):
    participants = [["A0001", "Alpha ACO", "GENERAL HOSPITAL", "https://alpha.opco.com/x"],
                    ["A0001", "Alpha ACO", "CITY CLINIC", "https://alpha.opco.com/x"],
                    ["A0002", "Beta ACO", "GENERAL HOSPITAL", "http://www.opco.com/b"],
                    ["A0003", "Gamma ACO", "General Hospital", ""],
                    ["A0003", "Gamma ACO", "CITY CLINIC", ""],
                    ["A0004", "Delta ACO", "GENERAL HOSPITAL", "https://delta.org"]]
    found = discover_files(cms_folder(tmp_path, [], participants), registry_dir=registry(tmp_path))
    # the host's registrable domain ties A0001 and A0002; A0003 (no site of its own) shares
    # two participants with that group and joins it; A0004 shares one, and has its own site
    assert families(found) == [["A0001", "A0002", "A0003"]]
    gamma = next(x for x in found.links if x.aco_id == "A0003")
    assert gamma.signals == "shared_participant=city clinic; shared_participant=general hospital"
    assert (gamma.first_year, gamma.last_year) == (2026, 2026)


def test_legal_name_brand_across_years_through_the_crosswalk(tmp_path):
    cms = cms_folder(tmp_path, [roster_row("A0001", "Acme A0001 Coastal MSSP Enhanced")],
                     results={2022: [["A0002", "Acme 22 North MSSP Enhanced"],
                                     ["A0003", "Zenith Care ACO"]]})
    write(cms / "mssp_results_2015.csv", ["ACO_Num", "ACO_Name"], [["A12345", "Acme Texas ACO, LLC"]])
    write(cms / "aco_id_crosswalk.csv", ["ACO_ID", "ACO.First.Agreement.Start.Date", "ACO_NUM"],
          [["A0004", "1/1/15", "A12345"]])
    found = discover_files(cms, registry_dir=registry(tmp_path))
    assert families(found) == [["A0001", "A0002", "A0004"]]
    assert next(x for x in found.links if x.aco_id == "A0004").locator.startswith(
        "mssp_results_2015.csv:2 (PY2015) legal_name_brand")


# --------------------------------------------------------------------------- exclusions

@pytest.mark.parametrize(("column", "value"), [
    ("exec_email_domain", "gmail.com"),                 # free mail
    ("website_host", "acme.wixsite.com"),               # web builder (a suffix)
    ("public_email_domain", "health.state.md.gov"),     # government (a suffix)
    ("exec_email_domain", "billingvendor.com"),         # shared vendor
])
def test_an_excluded_value_never_ties_acos(tmp_path, column, value):
    index = ROSTER.index(column)
    rows = [roster_row("A0001", "North Shore Partners"), roster_row("A0002", "Riverbend Doctors")]
    for row in rows:
        row[index] = value
    found = discover_files(cms_folder(tmp_path, rows), registry_dir=registry(tmp_path))
    assert found.links == [] and sum(found.grouping.excluded.values()) == 2


def test_a_generic_brand_is_excluded_but_not_a_longer_stem(tmp_path):
    rows = [roster_row("A0001", "Mercy Health ACO"), roster_row("A0002", "Mercy Medical Partners"),
            roster_row("A0003", "Mercy Sunrise Alliance 1"),
            roster_row("A0004", "Mercy Sunrise Alliance 2, LLC")]
    found = discover_files(cms_folder(tmp_path, rows), registry_dir=registry(tmp_path))
    assert families(found) == [["A0003", "A0004"]]
    assert found.grouping.excluded["generic-name-word"] == 4


# --------------------------------------------------------------------------- never merge

def test_two_companies_never_merge_through_a_weak_signal(tmp_path):
    """Two companies (own domains) whose ACOs share an address and a participant stay apart;
    so do two registry operators that share a domain."""
    rows = [roster_row("A0001", "Nordic ACO", "9 Tower Rd, Suite 1, Dover, DE 19901", "one.com"),
            roster_row("A0002", "South ACO", "9 Tower Road, Dover, DE 19901", "one.com"),
            roster_row("A0003", "Easton ACO", "9 Tower Rd, Ste 5, Dover, DE 19901", "two.com"),
            roster_row("A0004", "West ACO", "", "two.com"),
            roster_row("A0005", "Alone ACO", "9 Tower Rd, Dover, DE 19901")]
    participants = [[a, "x", p, ""] for a in ("A0001", "A0003") for p in ("HOSP A", "HOSP B")]
    found = discover_files(cms_folder(tmp_path, rows, participants), registry_dir=registry(tmp_path))
    assert families(found) == [["A0001", "A0002"], ["A0003", "A0004"]]
    assert [r.key for r in found.grouping.refused] == [("aco_address", "9towerrd|19901")]
    # two registry operators: even a shared own domain does not merge them
    reg = registry(tmp_path, operators=[["one", "One Co", "management-company", "", "s", "l", "j"],
                                        ["two", "Two Co", "health-system", "", "s", "l", "j"]],
                   signals=[["one", "legal_name_brand", "nordic", "j"],
                            ["two", "legal_name_brand", "easton", "j"]])
    rows[2][ROSTER.index("website_host")] = "one.com"
    found = discover_files(cms_folder(tmp_path, rows, participants), registry_dir=reg)
    assert op(found, "A0001") == "one" and op(found, "A0003") == "two"
    # the shared domain would join them: it joins nothing (A0002, which shows only it and
    # the shared address, stays without operator) and is reported
    assert op(found, "A0002") is None
    assert ("domain", "one.com") in {r.key for r in found.grouping.refused}


def test_a_value_mostly_outside_a_group_does_not_pull_its_acos_in(tmp_path):
    # A0003 moved to the operator of one.com but keeps its former operator's e-mail domain
    rows = [roster_row("A0001", "North ACO", host="one.com"),
            roster_row("A0002", "South ACO", host="one.com"),
            roster_row("A0003", "East ACO", host="one.com", exec_domain="former.com"),
            roster_row("A0004", "West ACO", exec_domain="former.com"),
            roster_row("A0005", "Far ACO", exec_domain="former.com"),
            roster_row("A0006", "Near ACO", host="one.com")]
    found = discover_files(cms_folder(tmp_path, rows), registry_dir=registry(tmp_path))
    assert families(found) == [["A0001", "A0002", "A0003", "A0006"], ["A0004", "A0005"]]
    # when most of a group shows a value, the value's other ACOs join it
    rows[3][ROSTER.index("exec_email_domain")] = ""
    rows[0][ROSTER.index("exec_email_domain")] = rows[1][ROSTER.index("exec_email_domain")] = "former.com"
    found = discover_files(cms_folder(tmp_path, rows), registry_dir=registry(tmp_path))
    assert families(found) == [["A0001", "A0002", "A0003", "A0005", "A0006"]]


# --------------------------------------------------------------------------- registry and review

def three_groups(tmp_path):
    rows = [roster_row("A0001", "North ACO", host="one.com"),
            roster_row("A0002", "South ACO", host="one.com"),
            roster_row("A0003", "East ACO", host="two.com"),
            roster_row("A0004", "West ACO", host="two.com")]
    return cms_folder(tmp_path, rows)


def test_registry_names_and_confirms_and_review_merges(tmp_path):
    cms = three_groups(tmp_path)
    reg = registry(tmp_path, operators=[["one", "One Co", "insurer", "for-profit", "s", "l", "j"]],
                   signals=[["one", "website_host", "www.one.com", "its site"]],
                   reviews=[["r1", "grp-two-com", "merge", "one", "two.com is One Co's second site"]])
    found = discover_files(cms, registry_dir=reg)
    assert families(found) == [["A0001", "A0002", "A0003", "A0004"]]
    assert {x.review for x in found.links} == {"confirmed"}
    assert found.assignments.operators["one"].kind == "insurer"


def test_review_splits_rejects_and_renames(tmp_path):
    cms = three_groups(tmp_path)
    reg = registry(tmp_path, operators=[["other", "Other Co", "health-system", "", "s", "l", "j"]],
                   reviews=[["r1", "A0002", "split", "other", "A0002 is Other Co's"],
                            ["r2", "grp-two-com", "rename", "Two Health", "its name"],
                            ["r3", "A0004", "reject", "", "not Two Health's"]])
    found = discover_files(cms, registry_dir=reg)
    assert {(x.aco_id, x.operator_id, x.review) for x in found.links} == {
        ("A0001", "grp-one-com", "unreviewed"), ("A0002", "other", "confirmed"),
        ("A0003", "grp-two-com", "confirmed")}
    assert found.assignments.operators["grp-two-com"].name == "Two Health"
    rejected = registry(tmp_path, reviews=[["r1", "grp-one-com", "reject", "", "a vendor"]])
    assert families(discover_files(cms, registry_dir=rejected)) == [["A0003", "A0004"]]


# --------------------------------------------------------------------------- dating

def test_links_are_dated_by_observations_and_never_before_the_first(tmp_path):
    cms = cms_folder(tmp_path, [roster_row("A0001", "Acme North ACO"), roster_row("A0002", "Acme South ACO")],
                     [["A0001", "Acme North ACO", "H", ""]],
                     results={2020: [["A0001", "Acme North ACO"], ["A0002", "Zenith ACO"]],
                              2021: [["A0001", "Other name"], ["A0002", "Zenith ACO"]],
                              2022: [["A0002", "Zenith ACO"]]})
    found = discover_files(cms, registry_dir=registry(tmp_path))
    spans = {(x.aco_id, x.first_year, x.last_year) for x in found.links}
    # A0001: observed 2020, 2023, 2026; in the program in 2021 but absent from the 2022 file:
    # two spans (the years without a file, 2024-2025, do not interrupt the second)
    # A0002: a brand first seen in 2023 (Zenith before): never dated before 2023
    assert spans == {("A0001", 2020, 2020), ("A0001", 2023, 2026), ("A0002", 2023, 2023)}


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize(("reviews", "signals", "message"), [
    ([["r1", "grp-nowhere", "confirm", "", "x"]], [], "review.csv:2: column subject: no discovered group 'grp-nowhere'"),
    ([["r1", "A0009", "reject", "", "x"]], [], "review.csv:2: column subject: ACO A0009 is in no discovered group"),
    ([["r1", "grp-one-com", "approve", "", "x"]], [], "review.csv:2: column decision: unknown decision 'approve'"),
    ([["r1", "grp-one-com", "merge", "nobody", "x"]], [], "review.csv:2: column target: 'nobody' is neither"),
    ([], [["one", "website_host", "elsewhere.com", "x"]], "operator_signals.csv:2: column value: the website_host 'elsewhere.com' of one matches no ACO"),
])
def test_bad_review_or_registry_rows_name_file_line_and_write_nothing(tmp_path, capsys, reviews,
                                                                      signals, message):
    cms = three_groups(tmp_path)
    reg = registry(tmp_path, operators=[["one", "One Co", "unknown", "", "s", "l", "j"]],
                   signals=signals, reviews=reviews)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["discover", "--cms", str(cms), "--out", str(out), "--registry", str(reg)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and "nothing was written" in err
    assert list(out.iterdir()) == []
    with pytest.raises(InputRowError):
        discover_files(cms, registry_dir=reg)


def test_discover_writes_links_and_operators_into_the_import_folder(tmp_path):
    cms = three_groups(tmp_path)
    out = ImportFolder(tmp_path / "out")
    for aco in ("A0001", "A0002", "A0003", "A0004"):
        out.put("organizations", {"org_id": f"cms-aco-{aco}", "name": aco, "kind": "aco",
                                  "source_id": "s", "locator": "l", "evidence": "reported"})
    reg = registry(tmp_path, operators=[["one", "One Co", "insurer", "", "src", "p. 1", "j"]],
                   signals=[["one", "website_host", "one.com", "x"]])
    counts = write_discovery(discover_files(cms, registry_dir=reg), out, curated=tmp_path)
    assert counts == {"operators": 2, "links": 4}
    orgs = out.rows["organizations"]
    assert (orgs["one"]["kind"], orgs["grp-two-com"]["kind"]) == ("payer", "aco-operator")
    link = out.rows["operator_links"]["one-A0001-2023"]
    assert (link["aco_id"], link["operator_kind"], link["review"], link["evidence"]) == (
        "cms-aco-A0001", "insurer", "confirmed", "inferred")
    assert link["source_id"] == "cms-mssp-aco-roster-2023"
    # run again: the rows are replaced, not doubled
    write_discovery(discover_files(cms, registry_dir=reg), out, curated=tmp_path)
    assert len(out.rows["operator_links"]) == 4 and len(out.rows["organizations"]) == 6


# --------------------------------------------------------------------------- the shipped files

@pytest.mark.slow  # reads every shipped CMS file twice (about 10 s)
@pytest.mark.parametrize("registry", ["data/operators", "tests/fixtures/operators/minimal_registry"])
def test_precision_and_recall_against_the_gold_families(registry):
    """With the curated registry, and with only the four operators of the former partner-domain
    table (discovery alone, since the curated registry was written with the gold in view)."""
    found = discover_files(ROOT / "data" / "cms", registry_dir=ROOT / registry,
                           exclusions=ROOT / "data" / "operators" / "exclusions.csv")
    gold, secondary = read_gold(ROOT / "tests" / "fixtures" / "operators" / "gold_families.csv",
                                ROOT / "tests" / "fixtures" / "operators" / "gold_secondary.csv")
    result = score(current_operators(found), gold, secondary)
    assert result.precision >= 0.95 and result.recall >= 0.90, result
    # the numbered and regional entities of one brand come out under one operator
    aledade = {x.aco_id for x in found.links if x.operator_id == "aledade"}
    named = {aco for aco, (_, name) in found.signals.names.items() if name.startswith("Aledade ")}
    assert named and named <= aledade


@pytest.mark.slow  # reads every shipped CMS file (about 5 s)
def test_readme_coverage_table_is_what_the_shipped_files_give():
    from kg.ingest.operators.coverage import MARKERS, coverage, coverage_markdown
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(MARKERS[0], 1)[1].split(MARKERS[1], 1)[0].strip()
    rows = coverage(discover_files(ROOT / "data" / "cms"))
    assert block == coverage_markdown(rows)
    # every year with a file; shares between 0 and 1; a kind never exceeds the total
    assert [r.year for r in rows][:2] == [2013, 2014] and rows[-1].year == 2026
    assert all(0 < r.with_operator <= r.acos and max(r.by_kind.values()) <= r.with_operator
               for r in rows)


def test_aco_kg_operators_lists_the_links_valid_in_a_year(tiny_out, capsys):
    """The tiny fixture: opl-1 (partner-1, 2015-2016, confirmed), opl-2 (00123, 2016)."""
    assert main(["operators", "--store", str(tiny_out / "store"), "--format", "csv"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert list(rows[0]) == ["aco_id", "aco_name", "operator_id", "operator_name", "operator_kind",
                             "evidence", "review", "signals", "first_year", "last_year"]
    assert sorted((r["operator_id"], r["first_year"], r["last_year"], r["review"]) for r in rows) == [
        ("00123", "2016", "2016", "unreviewed"), ("partner-1", "2015", "2016", "confirmed")]
    assert main(["operators", "--store", str(tiny_out / "store"), "--year", "2015",
                 "--format", "json"]) == 0
    import json
    only = json.loads(capsys.readouterr().out)
    assert [(r["aco_id"], r["operator_id"], r["operator_kind"], r["evidence"]) for r in only] == [
        ("aco-1", "partner-1", "management-company", "inferred")]
    assert main(["operators", "--store", str(tiny_out / "store"), "--year", "2014"]) == 0
    assert "partner-1" not in capsys.readouterr().out
