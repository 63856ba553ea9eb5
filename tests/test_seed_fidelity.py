"""The curated data keep to their five sources: one test per class of fault found in them.

1. An inferred value in a reported row: each such value is marked inferred on its own,
   with a basis, and every query that shows it says so.
2. Wording that says more than the source: the cases found are put right, and the codes
   they needed say no more than the source.
3. Facts from outside the sources cited to them: the source check finds a number the
   source does not print (tests/test_source_check.py plants them); here, the code lists'
   citations of the sources give no volume or issue that sources.csv does not.
4. The alliance-strategy essay and the ACLC guide as data: the steps in order and as
   printed, the operating-agreement questions, the domains, components (labels as
   printed: the code lists carry the same labels), indicators, challenges with responses
   and defined terms.
5. What the Milbank paper reports and the data lacked: Table 2 per ACO (which adds up to
   the study's totals), the board cells that name no organization, the factors, policy
   options and limitations.

The figures and labels of every row are checked against the sources' texts by CI
(make check-sources SOURCES=../shared/seeds); these tests need no copy of the sources.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from decimal import Decimal

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from conftest import DATA, ROOT, TINY
from kg import query
from kg.core.dictionary import load_dictionary
from kg.core.iris import CODE, mint

DICTIONARY = load_dictionary()


def rows(name: str, folder=DATA) -> list[dict[str, str]]:
    with open(folder / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def row(name: str, key: str, folder=DATA) -> dict[str, str]:
    (found,) = [r for r in rows(name, folder) if next(iter(r.values())) == key]
    return found


def statements(folder=DATA) -> dict[tuple[str, str, str], dict[str, str]]:
    return {(s["file"], s["row_id"], s["column"]): s for s in rows("statement_evidence.csv", folder)}


# --- 1. evidence per statement -----------------------------------------------------------------

@pytest.mark.parametrize("alliance", ["access-aco-alliance", "collaborative-aco-alliance"])
@pytest.mark.parametrize("column", ["alliance_model", "outcome_as_of"])
def test_the_milbank_alliances_model_and_outcome_date_are_inferred_in_a_reported_row(alliance, column):
    """Neither paper assigns a model, and 2017 is the last year of data collection."""
    assert row("alliances.csv", alliance)["evidence"] == "reported"
    statement = statements()[("alliances.csv", alliance, column)]
    assert statement["evidence"] == "inferred" and len(statement["basis"].split()) >= 10


def test_every_statement_gives_a_basis_in_its_own_words_and_a_passage():
    for statement in statements().values():
        assert statement["basis"].strip() and statement["locator"].strip()
        assert statement["evidence"] == "inferred"


def test_the_inferred_values_show_in_the_answers_and_in_the_inferred_facts(curated_out):
    store = curated_out / "store"
    dissolved = query("cq-08-dissolved-alliances", store=store)
    assert dissolved.set_index("alliance").loc[mint("alliance", "collaborative-aco-alliance"),
                                                "evidence"] == "inferred"
    seats = query("cq-03-partner-board-seats", store=store)
    assert set(seats["evidence"]) == {"inferred"}  # two votes, read as one per seat
    outcomes = query("cq-01-acos-with-management-partner", store=store)
    assert set(outcomes["evidence"]) == {"reported"}  # shows the outcome, not its date
    listed = query("cq-17-inferred-facts", store=store)
    marked = listed[listed["statement"].notna()]
    assert len(marked) == len(statements())
    assert set(marked["basis"]) == {s["basis"] for s in statements().values()}


# --- 2. wording that says no more than the source ----------------------------------------------

def test_promised_staff_not_yet_provided_are_outstanding_not_never_supplied():
    service = row("services.csv", "collaborative-quality-improvement-staff")
    assert service["delivery"] == "outstanding"
    assert "never" not in service["description"].lower()
    codes = Graph().parse(ROOT / "ontology" / "codes.ttl")
    definition = str(codes.value(URIRef(CODE + "delivery-status/outstanding"), SKOS.definition))
    assert "not yet" in definition and "does not say whether" in definition


def test_a_case_that_met_many_goals_is_not_said_to_have_met_its_goals():
    assert row("alliances.csv", "case1-alliance")["outcome"] == "many-goals-met"
    codes = Graph().parse(ROOT / "ontology" / "codes.ttl")
    definition = str(codes.value(URIRef(CODE + "alliance-outcome/many-goals-met"), SKOS.definition))
    assert "many" in definition and "not say all" in definition


def test_no_health_system_of_case_2_is_placed_out_of_state():
    """Only the parent of 'the third' is in another state; which third, the source leaves open."""
    members = [r for r in rows("organizations.csv") if r["org_id"].startswith("case2-")]
    assert len(members) == 6
    for member in members:
        assert not re.search(r"out[- ]of[- ]state|outside the state", member["description"]), member
    tension = row("tensions.csv", "case2-parent-approval")["description"]
    assert "leaves open" in tension


def test_access_boards_equal_vote_is_not_claimed():
    """Designed for equal votes, with the partner's two representatives and veto: a
    structural inequality, in the source's words; the cell says no, inferred."""
    assert row("boards.csv", "access-aco-board")["equal_votes"] == "no"
    assert ("boards.csv", "access-aco-board", "equal_votes") in statements()


# --- 3. nothing from outside the sources cited to them -----------------------------------------

def test_code_list_citations_of_the_sources_give_only_what_sources_csv_gives():
    """Every number of a code list's citation of a source is in that source's citation in
    sources.csv, which the source check holds to the source's text (a volume the record
    does not print was in three code-list citations)."""
    codes = Graph().parse(ROOT / "ontology" / "codes.ttl")
    journals = {"Health Care Management Review": "hcmr-2021-critical-issues",
                "Milbank Quarterly": "murray-2018-milbank"}
    citations = {r["source_id"]: r["citation"] for r in rows("sources.csv")}
    checked = 0
    for text in map(str, codes.objects(None, DCTERMS.source)):
        for part in text.split(";"):
            for journal, source in journals.items():
                if journal in part:
                    printed = set(re.findall(r"\d+", citations[source]))
                    assert set(re.findall(r"\d+", part.split(":")[0])) <= printed, part
                    checked += 1
    assert checked >= 5


def test_sources_give_no_identifier_for_a_source_with_a_copy():
    """A DOI is not in the copy of the Milbank paper, so it goes (no record of it is at hand)."""
    assert row("sources.csv", "murray-2018-milbank")["identifier"] == ""


def test_company_descriptions_say_only_what_the_cited_file_shows():
    for key, host in (("privia-health", "priviahealth.com"), ("pearl-health", "pearlhealth.com")):
        organization = row("organizations.csv", key)
        assert host in organization["description"] and "enablement" not in organization["description"]
        assert ("organizations.csv", key, "kind") in statements()


# --- 4. the essay and the guide as data --------------------------------------------------------

def elements(kind: str) -> list[dict[str, str]]:
    return [r for r in rows("framework_elements.csv") if r["element_kind"] == kind]


def test_the_five_steps_in_order_named_as_printed_and_the_five_agreement_questions():
    steps = sorted(elements("alliance-step"), key=lambda r: int(r["position"]))
    assert [s["label"] for s in steps] == ["Alliance Strategy", "Selecting Partners", "Making the Deal",
                                           "Manage the Partnership", "Continuously Improve"]
    assert all(s["label_printed"] == "yes" for s in steps)
    questions = elements("operating-agreement-question")
    assert sorted(int(q["position"]) for q in questions) == [1, 2, 3, 4, 5]
    assert {q["part_of"] for q in questions} == {"step-making-the-deal"}
    assert all(q["text"].endswith("?") for q in questions)


def test_the_aclc_framework_domains_components_indicators_challenges_and_terms():
    domains = {d["element_id"]: d for d in elements("aclc-domain")}
    assert sorted(int(d["position"]) for d in domains.values()) == [1, 2, 3, 4]
    per_domain = lambda kind: Counter(domains[e["part_of"]]["position"] for e in elements(kind))
    assert per_domain("aclc-component") == {"1": 3, "2": 3, "3": 3, "4": 3}
    assert per_domain("aclc-indicator") == {"1": 4, "2": 4, "3": 6, "4": 3}
    assert per_domain("aclc-challenge") == {"1": 2, "2": 1, "3": 2, "4": 1}
    assert all(c["text"] and c["response"] for c in elements("aclc-challenge"))
    terms = elements("aclc-term")
    assert {t["label"] for t in terms} == {"high-value partners", "Value", "partnership"}
    assert all(t["text"] for t in terms)


def test_each_element_that_is_a_concept_carries_the_concepts_label_as_printed():
    """The code lists' labels are the printed ones: the element that is the concept is
    source-checked as printed, and the concept's label is the same text."""
    codes = Graph().parse(ROOT / "ontology" / "codes.ttl")
    concepts = [e for e in rows("framework_elements.csv") if e["concept"]]
    assert len(concepts) == 5 + 4 + 12
    for element in concepts:
        assert element["label_printed"] == "yes"
        label = codes.value(URIRef(CODE + element["concept"]), SKOS.prefLabel)
        assert str(label) == element["label"], element["concept"]
    aclc = {str(c) for c in codes.subjects(SKOS.inScheme, URIRef(CODE + "aclc"))}
    assert aclc == {CODE + e["concept"] for e in concepts if e["concept"].startswith("aclc/")}


def test_candidates_rank_by_mean_points_then_by_components_rated(tiny_out):
    """The ranking query against a ranking computed here from the tiny fixture's records."""
    points = {"strong": 2, "adequate": 1, "weak": 0}
    scores: dict[str, list[int]] = {}
    for assessment in rows("assessments.csv", TINY):
        scores.setdefault(assessment["assessed_org"], []).append(points[assessment["rating"]])
    key = {org: (sum(p) / len(p), len(p)) for org, p in scores.items()}
    expected = {org: 1 + sum(other > mine for other in key.values()) for org, mine in key.items()}
    answer = query("cq-32-partner-candidates-ranked", store=tiny_out / "store")
    got = {iri.rsplit("/", 1)[1]: rank for iri, rank in zip(answer["assessed"], answer["rank"])}
    assert got == expected and len(set(expected.values())) < len(expected)  # a tie is tested
    assert list(answer["rank"]) == sorted(answer["rank"])
    assert answer["reason"].notna().all()


def test_the_example_assessment_is_marked_as_an_example_and_inferred():
    assessments = rows("assessments.csv")
    assert assessments and all(a["example"] == "yes" and a["evidence"] == "inferred" for a in assessments)
    assert all(a["reason"] and a["locator"] for a in assessments)


# --- 5. what the Milbank paper reports ---------------------------------------------------------

def test_table_2_per_aco_adds_up_to_the_study_totals():
    study = row("studies.csv", "milbank-2018-two-aco-study")
    sites = [s for s in rows("study_sites.csv") if s["study_id"] == "milbank-2018-two-aco-study"]
    assert {s["aco_id"] for s in sites} == {"access-aco", "collaborative-aco"}
    total = lambda column: sum(int(s[column]) for s in sites)
    assert total("interviews_in_person") + total("interviews_by_phone") == int(study["interviews"])
    assert total("site_visits") == int(study["site_visits"])
    years = {y for s in sites for y in s["data_years"].split("; ")}
    assert (min(years), max(years)) == (study["first_year"], study["last_year"])


def test_collaboratives_board_excludes_hospital_systems_and_community_organizations():
    cells = {(r["member_kind"], r["represented"]) for r in rows("board_composition.csv")
             if r["board_id"] == "collaborative-aco-board" and r["member_kind"]}
    assert cells == {("hospital-or-health-system", "no"), ("community-organization", "no")}


def test_the_factors_policy_options_and_limitations_are_recorded():
    points = Counter(p["point_kind"] for p in rows("study_points.csv")
                     if p["study_id"] == "milbank-2018-two-aco-study")
    assert points["outcome-factor"] == 6 and points["continuation-factor"] == 2
    assert points["limitation"] == 4 and points["policy-option"] >= 4
    printed = [p for p in rows("study_points.csv") if p["point_kind"] == "outcome-factor"]
    assert all(p["label_printed"] == "yes" and p["locator"] == "Abstract > Findings" for p in printed)


def test_locators_name_paragraphs_items_or_cells_not_whole_sections():
    """Every locator of a row citing one of the five sources is down to a paragraph, list
    item, question or table cell (a whole section only where it is one paragraph)."""
    seeds = {"murray-2018-milbank", "hcmr-2021-critical-issues", "alliance-strategies-essay",
             "provider-payer-cases", "aclc-cog-2020"}
    from kg.ingest.sourcetext.locator import split_passages
    one_paragraph = re.compile(r"^(Abstract > \w+|\d\. [A-Z][\w ]+|Introduction, para \d)")
    coarse = []
    for r in DICTIONARY.resources:
        if not r.provenance:
            continue
        for record in rows(r.path):
            if record["source_id"] not in seeds:
                continue
            for part in split_passages(record["locator"]):
                fine = re.search(r"\b(para|paras|item|items|question) \d|, heading$|^Table \d, (row|rows|column)", part)
                if not fine and not one_paragraph.match(part):
                    coarse.append(f"{r.path} {record[r.primary_key]}: {part}")
    assert not coarse, "\n".join(coarse)
