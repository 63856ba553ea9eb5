"""The synthetic data generator: deterministic, buildable, and true to its parameters."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from kg.graph.build import build, validate
from kg.cli import main
from kg.core.dictionary import load_dictionary
from kg.ingest.synth import ASSUMPTIONS, LITERATURE, SIZES, fit_cms, synthesize

ROOT = Path(__file__).resolve().parents[1]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def test_same_seed_gives_byte_identical_files(tmp_path):
    synthesize(tmp_path / "a", acos=30, seed=5, clinicians=200)
    synthesize(tmp_path / "b", acos=30, seed=5, clinicians=200)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a == b
    assert len(a) == len(load_dictionary().resources)


def test_different_seeds_give_different_files(tmp_path):
    synthesize(tmp_path / "a", acos=30, seed=5)
    synthesize(tmp_path / "b", acos=30, seed=6)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert a["savings.csv"] != b["savings.csv"]
    assert a["aco_participants.csv"] != b["aco_participants.csv"]


def test_small_synth_builds_without_a_rejected_row_and_conforms(tmp_path):
    synthesize(tmp_path / "data", acos=40, seed=1, clinicians=400)
    report = build(tmp_path / "data", tmp_path / "out", shacl="oxigraph")
    assert report.rows_rejected == 0 and report.rows_read == report.rows_loaded > 40 * 10
    assert report.shacl_conforms is True
    counts = pd.read_csv(tmp_path / "out" / "ledger.csv").groupby("file").size()
    clinicians = _read(tmp_path / "data", "clinicians")
    assert (clinicians["end"] == "").sum() == 400  # the size counts those in post at the end
    assert any(name.endswith("clinicians.csv") and n == len(clinicians) for name, n in counts.items())


@pytest.mark.slow
def test_small_synth_conforms_under_pyshacl_too(tmp_path):
    # the reference SHACL engine, on a synth small enough for it
    synthesize(tmp_path / "data", acos=8, seed=2, participants=16, clinicians=30)
    report = validate(tmp_path / "data", shacl="pyshacl")
    assert report.ok and report.rows_rejected == 0 and report.shacl_conforms is True


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    folder = tmp_path_factory.mktemp("medium")
    synthesize(folder, acos=3000, seed=11, participants=6000)
    return folder


def test_partner_shares_match_lewis_2018(medium):
    acos = _read(medium, "organizations").query("kind == 'aco'")
    members = _read(medium, "alliance_members")
    partnered = members.query("role == 'aco'")["org_id"].nunique()
    assert abs(partnered / len(acos) - LITERATURE["partnered_share"]) < 0.03
    services = _read(medium, "services")
    alliances = _read(medium, "alliances")["alliance_id"]
    per_alliance = services.groupby("alliance_id")["service_type"].apply(set)
    per_alliance = per_alliance.reindex(alliances).map(lambda s: s if isinstance(s, set) else set())
    assert len(per_alliance) == partnered
    for service, share in LITERATURE["services"].items():
        observed = per_alliance.map(lambda s: service in s).mean()
        assert abs(observed - share) < 0.04, (service, observed)
    risk = per_alliance.map(lambda s: "risk-bearing" in s).mean()
    assert abs(risk - LITERATURE["risk_sharing_share_of_partnered"]) < 0.05
    four = per_alliance.map(lambda s: set(LITERATURE["services"]) <= s).mean()
    assert 0.5 <= four < 0.6  # half by construction, plus the chance draws of all four


def test_portfolios_follow_the_fitted_top_share(medium):
    members = _read(medium, "alliance_members").query("role == 'management-partner'")
    sizes = members["org_id"].value_counts()
    fit = fit_cms()
    assert abs(sizes.iloc[0] / sizes.sum() - fit.top_partner_share) < 0.05
    assert sizes.is_monotonic_decreasing or sizes.iloc[0] > sizes.iloc[-1]


def test_savings_and_beneficiaries_follow_the_cms_fit(medium):
    fit = fit_cms()
    savings = _read(medium, "savings")
    rate = savings["savings_rate_pct"].astype(float)
    assert abs(rate.mean() - fit.savings_rate_pct[0]) < 0.3
    assert abs(rate.std() - fit.savings_rate_pct[1]) < 0.3
    ab = savings["assigned_beneficiaries"].astype(float)
    assert abs(math.log(ab.median()) - fit.log_beneficiaries[0]) < 0.1
    generated = savings["generated_savings_usd"].astype(float)
    bench, spent = savings["benchmark_usd"].astype(float), savings["expenditure_usd"].astype(float)
    assert ((bench - spent - generated).abs() < 0.02).all()
    earned = savings["earned_savings_usd"].astype(float)
    assert ((earned > 0) <= (rate >= ASSUMPTIONS["minimum_rate_pct"])).all()
    contracts = _read(medium, "payer_contracts")
    two_sided = (contracts["risk_model"] == "two-sided").mean()
    assert abs(two_sided - fit.two_sided_share) < 0.04


def test_boards_respect_the_75_percent_participant_rule(medium):
    seats = _read(medium, "board_seats")
    partners = set(_read(medium, "organizations").query("kind == 'management-partner'")["org_id"])
    by_board = seats.assign(partner=seats["holder_org"].isin(partners)).groupby("board_id")["partner"]
    assert (by_board.mean() <= 0.25).all()
    assert by_board.sum().gt(0).any()
    powers = _read(medium, "reserved_powers")
    assert set(powers["holder_org"]) <= partners and len(powers) > 0


def test_fit_agrees_with_an_independent_reading_of_the_files():
    fit = fit_cms()
    with open(ROOT / "data/cms/mssp_results_2023.csv", newline="", encoding="utf-8-sig") as handle:
        logs = [math.log(int(r["N_AB"])) for r in csv.DictReader(handle)
                if r["N_AB"].isdigit() and int(r["N_AB"]) > 0]
    assert abs(sum(logs) / len(logs) - fit.log_beneficiaries[0]) < 1e-3
    with open(ROOT / "data/cms/mssp_participants_2026.csv", newline="", encoding="utf-8-sig") as handle:
        sites = {r["aco_id"]: r["public_website"] for r in csv.DictReader(handle)}
    assert sum("aledade.com" in s.lower() for s in sites.values()) == fit.partner_counts[0] == 63
    assert len(sites) == fit.acos_2026 == 511


def test_named_sizes_and_totals(tmp_path):
    assert SIZES["national"]["acos"] == 1500 and SIZES["clinician"]["clinicians"] == 600_000
    written = synthesize(tmp_path, acos=50, seed=3, participants=400, clinicians=1000)
    clinicians = _read(tmp_path, "clinicians")
    assert written["aco_participants"] == 400 and written["clinicians"] == len(clinicians)
    # 1,000 posts: their holders at the end have no end date; those before them left
    in_post, left = clinicians[clinicians["end"] == ""], clinicians[clinicians["end"] != ""]
    assert len(in_post) == 1000 and len(left) > 0
    # whoever left was replaced that day at the same practice
    successors = set(zip(clinicians["practice_org"], clinicians["start"]))
    assert all((org, end) in successors for org, end in zip(left["practice_org"], left["end"]))
    participants = set(_read(tmp_path, "aco_participants")["org_id"])
    assert set(clinicians["practice_org"]) <= participants


def test_cli_synth_writes_and_refuses_bad_arguments(tmp_path, capsys):
    assert main(["synth", "--acos", "5", "--seed", "2", "--out", str(tmp_path / "s")]) == 0
    assert (tmp_path / "s" / "boards.csv").is_file()
    assert "wrote" in capsys.readouterr().out
    assert main(["synth", "--acos", "5", "--size", "national", "--out", str(tmp_path)]) == 2
    assert main(["synth", "--acos", "0", "--out", str(tmp_path)]) == 2
    assert main(["synth", "--out", str(tmp_path)]) == 2
    assert "give --acos" in capsys.readouterr().err


def test_a_size_by_number_of_organizations(tmp_path):
    # the map tests and benchmark draw graphs of a given number of nodes
    written = synthesize(tmp_path / "a", organizations=1000, seed=0)
    organizations = _read(tmp_path / "a", "organizations")
    assert written["organizations"] == len(organizations) == 1000
    kinds = organizations["kind"].value_counts()
    national = SIZES["national"]
    assert kinds["aco"] == round(1000 * national["acos"] / (national["acos"] + national["participants"]))
    assert 2 <= kinds["management-partner"] <= 10
    assert written["aco_participants"] == 1000 - kinds["aco"] - kinds["management-partner"]
    synthesize(tmp_path / "b", organizations=1000, seed=0)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    with pytest.raises(ValueError, match="not both"):
        synthesize(tmp_path / "c", acos=5, organizations=100)
    with pytest.raises(ValueError, match="cannot hold"):
        synthesize(tmp_path / "c", organizations=2)


def test_operator_links_are_dated_discovery_rows_and_change_nothing_else(tmp_path):
    from kg.ingest.synth import LINK_YEARS, OPERATOR_KINDS

    synthesize(tmp_path / "plain", acos=120, seed=4)
    synthesize(tmp_path / "links", acos=120, seed=4, operator_links=True)
    changed = {p.name for p in (tmp_path / "plain").glob("*.csv")
               if p.read_bytes() != (tmp_path / "links" / p.name).read_bytes()}
    assert changed == {"operator_links.csv", "savings.csv"}
    assert pd.read_csv(tmp_path / "plain" / "operator_links.csv").empty
    links = pd.read_csv(tmp_path / "links" / "operator_links.csv", dtype=str)
    alliances = pd.read_csv(tmp_path / "links" / "alliances.csv", dtype=str)
    members = pd.read_csv(tmp_path / "links" / "alliance_members.csv", dtype=str)
    assert len(links) == len(alliances) > 0  # one link per partnered ACO
    spans = list(zip(links["first_year"].astype(int), links["last_year"].astype(int)))
    assert all(LINK_YEARS[0] <= a <= b <= LINK_YEARS[1] for a, b in spans)
    assert len(set(spans)) > 3  # links valid in different years
    assert set(links["operator_kind"]) == set(OPERATOR_KINDS)
    assert set(links["review"]) == {"confirmed", "unreviewed"}
    assert (links["evidence"] == "inferred").all() and links["signals"].str.len().gt(0).all()
    # each link joins the same ACO and partner as the ACO's alliance
    pair = members.pivot(index="alliance_id", columns="role", values="org_id")
    assert set(zip(links["aco_id"], links["operator_id"])) == \
        set(zip(pair["aco"], pair["management-partner"]))
    # the savings differ only in their service areas, some of them now two states
    plain = pd.read_csv(tmp_path / "plain" / "savings.csv", dtype=str)
    linked = pd.read_csv(tmp_path / "links" / "savings.csv", dtype=str)
    assert plain.drop(columns="service_area").equals(linked.drop(columns="service_area"))
    assert linked["service_area"].str.contains(", ").any()
    assert all(state in area.split(", ")
               for state, area in zip(plain["service_area"], linked["service_area"]))


def test_dated_partners_are_operator_links_with_years_and_leave_the_rest_unchanged(tmp_path):
    plain = synthesize(tmp_path / "plain", acos=60, seed=4)
    dated = synthesize(tmp_path / "dated", acos=60, seed=4, dated_partners=True)
    assert {k: v for k, v in plain.items() if k != "operator_links"} == \
        {k: v for k, v in dated.items() if k != "operator_links"}
    for path in (tmp_path / "plain").glob("*.csv"):
        if path.name != "operator_links.csv":
            assert path.read_bytes() == (tmp_path / "dated" / path.name).read_bytes()
    links = pd.read_csv(tmp_path / "dated" / "operator_links.csv", dtype=str)
    assert len(links) == dated["alliances"] > 0 and (links["evidence"] == "inferred").all()
    spans = list(zip(links["first_year"].astype(int), links["last_year"].astype(int)))
    assert all(2013 <= a <= b <= 2026 for a, b in spans)
    assert len(set(spans)) > 1
