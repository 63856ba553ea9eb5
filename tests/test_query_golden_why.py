"""Every golden answer of a research question says why it is right (golden/queries/why.yaml).

The golden results on the tiny fixture and on the curated data are checked against the
records they come from:
each golden row must be held by the records its justification cites, each justification
must match a golden row, and for the files a query answers record by record, no record may
be left without its row. A wrong golden row (a query bug) or a missing one fails here even
though `make golden-queries` would have written it.
"""

from __future__ import annotations

import copy

import pytest
import yaml

from query_support import DATASETS, GOLDEN, check_justification, golden_queries

WHY = yaml.safe_load((GOLDEN / "why.yaml").read_text(encoding="utf-8"))


def test_every_golden_query_is_explained_and_nothing_else():
    assert set(WHY) == {p.stem for p in golden_queries()}
    for query, entry in WHY.items():
        assert isinstance(entry.get("finds"), str) and len(entry["finds"].split()) >= 5, query
        assert set(entry) <= {"finds", "derived"} | set(DATASETS), (query, sorted(entry))
        for label in DATASETS:
            assert ("rows" in entry[label]) != ("empty" in entry[label]), (query, label)


def test_only_justified_datasets_have_golden_files():
    assert {p.name for p in GOLDEN.iterdir() if p.is_dir()} == set(DATASETS)


@pytest.mark.parametrize("label", sorted(DATASETS))
@pytest.mark.parametrize("query", sorted(WHY))
def test_golden_rows_are_the_rows_the_data_justify(query, label):
    derived = WHY[query].get("derived", {})
    golden = GOLDEN / label / f"{query}.csv"
    header = golden.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert set(derived) <= set(header), f"derived names no column: {set(derived) - set(header)}"
    why = {**WHY[query][label], "derived": derived}
    assert check_justification(query, why, golden, DATASETS[label]) == []


# --- the check itself can fail -------------------------------------------------------------------

def _problems(query: str, change, label: str = "tiny") -> list[str]:
    why = copy.deepcopy({**WHY[query][label], "derived": WHY[query].get("derived", {})})
    change(why)
    return check_justification(query, why, GOLDEN / label / f"{query}.csv", DATASETS[label])


def test_a_citation_of_no_record_is_caught():
    def cite_the_header(why):
        why["rows"][0] = "reserved_powers.csv:1 " + why["rows"][0].split(" ", 1)[1]
    assert any("no record starts on that line" in p
               for p in _problems("cq-05-partner-vetoes", cite_the_header))


def test_a_citation_that_does_not_hold_the_row_is_caught():
    def cite_the_wrong_organization(why):  # the hospital instead of the partner
        why["rows"][0] = why["rows"][0].replace("organizations.csv:3", "organizations.csv:6")
    problems = _problems("cq-05-partner-vetoes", cite_the_wrong_organization)
    assert any("golden row 2 is not justified" in p and "partnerName" in p for p in problems)
    assert any("justifies no golden row" in p for p in problems)


def test_a_missing_or_extra_row_is_caught():
    def drop_a_row(why):
        why["rows"].pop()
    problems = _problems("cq-30-alliance-members", drop_a_row)
    assert any("is not justified" in p for p in problems)
    assert any("has no golden row of its own" in p for p in problems)

    def add_a_row(why):
        why["rows"].append("alliance_members.csv:3 alliances.csv:2 organizations.csv:3")
    assert any("justifies no golden row" in p for p in _problems("cq-30-alliance-members", add_a_row))


def test_an_unexplained_computed_value_is_caught():
    def forget_the_derivation(why):
        why["derived"] = {}
    assert any("partnerUsdMax" in p
               for p in _problems("cq-07-partner-savings-by-year", forget_the_derivation))


def test_a_record_left_out_on_the_curated_data_is_caught():
    def forget_an_exception(why):  # a tension of an alliance that did not dissolve
        why["except"].pop("tensions.csv:2")
    assert "cq-09-tensions-before-dissolution: tensions.csv:2 has no golden row of its own" in \
        _problems("cq-09-tensions-before-dissolution", forget_an_exception, "data")


def test_an_empty_answer_with_rows_is_caught():
    def call_it_empty(why):
        why.clear()
        why["empty"] = "nothing"
    assert any("justified as empty" in p for p in _problems("cq-25-study-designs", call_it_empty))


def test_an_exception_that_names_no_record_is_caught():
    def except_a_header(why):
        why["except"] = {"organizations.csv:1": "the header"}
    assert any("except names organizations.csv:1" in p
               for p in _problems("cq-26-management-partners", except_a_header))
