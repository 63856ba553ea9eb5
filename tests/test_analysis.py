"""The analysis tables on real stores: schema, queries, the Milbank acceptance, the CLI."""

from __future__ import annotations

import json
import re

import pandas as pd
import pyoxigraph as ox
import pytest

from conftest import ROOT, TINY, run_cli
from kg.analysis.analyze import READS, SCHEMA, TABLES, analyze, schema_markdown
from kg.products.formats import analysis_json
from kg.analysis.read import QUERIES, TABLE_NAMES
from kg.analysis.schema import Column, ColumnDriftError, TableSpec
from kg.graph.build import build


@pytest.fixture(scope="module")
def curated_store(curated_out):
    """The folder of the session's store of data/ (the analysis and the CLI open it)."""
    return curated_out / "store"


@pytest.fixture(scope="module")
def tiny_store(tiny_out):
    """The folder of the session's store of the tiny fixture."""
    return tiny_out / "store"


@pytest.fixture(scope="module")
def curated_tables(curated_store):
    return analyze(curated_store)


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.name)
def test_every_read_query_has_a_header_and_parses(path):
    from kg.sparql.catalogue import parse_header

    text = path.read_text(encoding="utf-8")
    header = parse_header(text, path.name)  # the order names returned columns
    assert header.question and not header.parameters  # the read queries take no parameter
    projected = re.search(r"SELECT(.*?)WHERE", text, re.S).group(1)
    assert re.findall(r"\?(\w+)", projected) == list(header.returns), path.name
    assert header.order, f"{path.name} declares no order"
    columns = next(line for line in text.splitlines() if line.startswith("# note: columns:"))
    for variable in header.returns:  # each column is described
        assert re.search(rf"\b{variable}\b", columns), f"{path.name}: {variable} not described"
    readers = re.search(r"# note: read by (the analysis and the map|the analysis|the map)\b", text)
    assert readers, f"{path.name} does not say who reads it"
    list(ox.Store().query(text))  # parses and runs on an empty store


def test_the_map_and_the_analysis_read_one_set_of_queries():
    import kg.products.maps.load as map_load

    assert not (ROOT / "queries" / "analysis").exists() and not (ROOT / "queries" / "maps").exists()
    map_reads = set(re.findall(r'_rows\(store, "(\w+)"', (ROOT / "kg" / "products" / "maps" /
                                                           "load.py").read_text()))
    analysis_reads = set(READS) | {"code_labels"}
    assert map_reads and map_reads <= set(TABLE_NAMES) and analysis_reads <= set(TABLE_NAMES)
    assert map_reads | analysis_reads == set(TABLE_NAMES)  # no query that nobody reads
    shared = map_reads & analysis_reads
    assert {"organizations", "board_seats", "reserved_powers", "services", "savings_shares",
            "savings_results", "alliance_members", "board_representation", "boards"} <= shared
    for name in TABLE_NAMES:  # each header says who reads it, truthfully
        text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
        said = re.search(r"# note: read by (the analysis and the map|the analysis|the map)\b",
                         text).group(1)
        actual = {(True, True): "the analysis and the map", (True, False): "the analysis",
                  (False, True): "the map"}[(name in analysis_reads, name in map_reads)]
        assert said == actual, name
    assert map_load.read_table.__module__ == "kg.analysis.read"


def test_no_sparql_text_inside_the_analysis_modules():
    for path in sorted((ROOT / "kg" / "analysis").rglob("*.py")):
        assert not re.search(r"SELECT\s+\?", path.read_text(encoding="utf-8")), path


def test_tables_have_exactly_the_documented_columns(curated_tables):
    # analyze no longer reindexes its tables to the schema, so this compares what the
    # makers built with what they declare
    assert list(curated_tables) == list(SCHEMA) == [spec.name for spec in TABLES]
    for spec in TABLES:
        assert list(curated_tables[spec.name].columns) == spec.names, spec.name
        assert SCHEMA[spec.name][1] == [(c.name, c.type, c.meaning) for c in spec.columns]
    # every table has rows here, but the operators': their links come from the CMS files,
    # not from the curated data (tests/test_report.py and tests/test_markets.py fill them)
    operator_tables = {"operator_footprint", "operator_shares", "operator_markets"}
    assert all(len(curated_tables[name]) for name in SCHEMA if name not in operator_tables)


@pytest.mark.parametrize("drift, message", [
    ("missing", "table dependency: missing locators"),
    ("extra", "table dependency: not declared surprise"),
    ("moved", "table dependency: columns in the order"),
])
def test_a_table_whose_columns_drift_from_its_declaration_fails(tiny_store, monkeypatch,
                                                                drift, message):
    import kg.analysis.power.dependency as module

    made = module.dependency

    def drifted(services):
        frame = made(services)
        if drift == "missing":
            return frame.drop(columns=["locators"])
        if drift == "extra":
            return frame.assign(surprise=1)
        return frame[list(frame.columns[1:]) + [frame.columns[0]]]

    monkeypatch.setattr(module, "dependency", drifted)
    with pytest.raises(ColumnDriftError, match=re.escape(message)):
        analyze(tiny_store)


def test_a_maker_cannot_fill_or_drop_a_column_silently():
    spec = TableSpec("t", "one row", (Column("a", "integer", "a"), Column("b", "string", "b")))
    assert spec.from_records([{"a": 1, "b": "x"}]).to_dict("records") == [{"a": 1, "b": "x"}]
    with pytest.raises(ColumnDriftError, match="missing b"):
        spec.from_records([{"a": 1}])  # a DataFrame(columns=...) would fill b with NaN
    with pytest.raises(ColumnDriftError, match="not declared c"):
        spec.from_records([{"a": 1, "b": "x", "c": 2}])  # ... and drop c
    with pytest.raises(ValueError, match="twice"):
        TableSpec("t", "one row", (Column("a", "integer", "a"), Column("a", "string", "b")))
    with pytest.raises(ValueError, match="not one of"):
        Column("a", "float", "a")


def test_readme_documents_the_schema_as_generated():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert schema_markdown() in readme


def test_readme_states_the_thresholds_the_code_applies():
    from kg.analysis.power.dominance import thresholds_markdown

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- thresholds:start -->\n")[1].split("<!-- thresholds:end -->")[0]
    assert section == thresholds_markdown()
    assert "| `market-share` | share above 30% with a change in HHI above 100;" in section


def test_each_threshold_is_written_once():
    from kg.analysis.power.concentration import (HMG2010_HIGH_HHI, HMG2010_MODERATE_HHI,
                                                 MG2023_HIGH_HHI)
    from kg.analysis.power.dominance import FLAG_RULES, FLAG_THRESHOLDS
    from kg.analysis.power.money import MAJORITY_SHARE_PCT
    from kg.analysis.power.voting import NON_PARTICIPANT_VOTES_MAX

    # the HHI thresholds: no other module of the analysis or the products, and no template,
    # writes one of them as a number
    numbers = {MG2023_HIGH_HHI, HMG2010_MODERATE_HHI, HMG2010_HIGH_HHI}
    pattern = re.compile("|".join(rf"\b{n // 1000},?{n % 1000:03d}\b" for n in numbers))
    sources = [p for folder in ("analysis", "products") for p in (ROOT / "kg" / folder).rglob("*")
               if p.suffix in (".py", ".j2", ".js")]
    assert len(sources) > 10
    for path in sources:
        if path.name != "concentration.py":
            assert not pattern.search(path.read_text(encoding="utf-8")), path
    # the flags' texts are built from the constants
    assert f"{NON_PARTICIPANT_VOTES_MAX:.0%}".replace("%", "pct") in "over-25pct-of-votes"
    assert FLAG_THRESHOLDS["majority-capture"].startswith(f"more than {MAJORITY_SHARE_PCT}%")
    assert set(FLAG_THRESHOLDS) == set(FLAG_RULES)
    # a competency question cannot import the constant: its figures are checked against it
    cq10 = (ROOT / "queries" / "cq-10-large-share-withdrawn-resources.rq").read_text()
    figures = re.findall(r"\?share(?:Exact|Min) [>=] (\d+)", cq10)
    assert figures and {int(f) for f in figures} == {MAJORITY_SHARE_PCT}


@pytest.mark.parametrize("share, change, acos, raised", [
    (31.0, 101.0, 10, True),
    (30.0, 101.0, 10, False),   # at the share threshold: not above it
    (31.0, 100.0, 10, False),   # at the change threshold
    (31.0, 101.0, 9, False),    # a market smaller than the minimum is not flagged
])
def test_market_share_flag_at_its_thresholds(share, change, acos, raised):
    from kg.analysis.power.dominance import market_evidence

    partners = pd.DataFrame({"partner_id": ["p"], "firm_id": ["p"]})
    market = {"scope": "TX", "year": 2023, "measure": "acos", "links": "reported"}
    shares = pd.DataFrame([{**market, "firm_id": "p", "acos": 3, "share_pct": share}])
    markets = pd.DataFrame([{**market, "acos": acos, "rollup_delta_hhi": change,
                             "reason": "HHI 2,000 in TX"}])
    evidence = market_evidence(partners, shares, markets, min_market_acos=10)
    assert evidence.columns == {"p": {"max_market_share_pct": share}}
    assert [f["flag"] for f in evidence.flags["p"]] == (["market-share"] if raised else [])


def test_milbank_partners_are_ranked_with_veto_seats_and_savings_share(curated_tables):
    ranking = curated_tables["partners"].set_index("partner_id")
    access = ranking.loc["access-aco-management-partner"]
    collab = ranking.loc["collaborative-aco-management-partner"]
    assert access["rank"] == 1 and collab["rank"] == 2
    assert access["voting_seats"] == 2 and access["boards_with_veto"] == 1
    assert "the board's size is not reported" in access["governance"]
    assert pd.isna(access["max_banzhaf"])  # unknown, not invented
    assert access["savings_share"] == "under 30% (moderate) at Access ACO"
    assert access["capture_rate_max"] == pytest.approx(0.30)
    assert "Milbank Quarterly" in access["citations"]
    assert "Role on board" in access["citations"]
    assert collab["voting_seats"] == 0 and collab["boards_with_veto"] == 0
    assert collab["savings_share"] == "significant, no figure at Collaborative ACO"
    assert pd.isna(collab["captured_usd_min"]) and pd.isna(collab["captured_usd_max"])
    assert collab["public_share_min"] == 1.0  # Medicaid money
    assert collab["warnings_present"] == 4
    assert collab["max_dependency"] == pytest.approx(5 / 6)


def test_flags_carry_reason_threshold_and_citation(curated_tables):
    flags = curated_tables["flags"].set_index(["partner_id", "flag"])
    veto = flags.loc[("access-aco-management-partner", "veto")]
    assert veto["status"] == "raised"
    assert veto["reason"] == "holds a veto on 1 board (Access ACO board)"
    assert "Murray GF" in veto["citation"] and "Role on board" in veto["locator"]
    capture = flags.loc[("collaborative-aco-management-partner", "majority-capture")]
    assert capture["status"] == "unknown"
    assert "'significant' with no figure" in capture["reason"]
    assert "Collaborative ACO Analysis" in capture["locator"]


def test_early_warnings_are_cited_indicators(curated_tables):
    warnings = curated_tables["warnings"]
    collab = warnings[warnings["partner_id"] == "collaborative-aco-management-partner"]
    assert set(collab["indicator"]) == {"capture-while-withdrawing", "mission-mismatch",
                                        "no-prior-relationship", "tensions-left-to-fester"}
    assert (collab["present"] == "yes").all()
    assert collab["citation"].str.contains("Milbank Quarterly").all()
    assert collab["locator"].str.len().gt(0).all()
    assert collab["basis"].str.contains("Milbank Quarterly. 2018").all()
    access = warnings[warnings["partner_id"] == "access-aco-management-partner"]
    assert (access["present"] == "no").all()


def test_contract_years_stay_contract_years(curated_tables):
    captured = curated_tables["savings_captured"]
    access = captured[captured["partner_id"] == "access-aco-management-partner"]
    assert access["year_label"].tolist() == [f"contract year {k}" for k in range(1, 5)]
    assert access["captured_usd_max"].tolist() == [450_000.0, 1_500_000.0, 1_500_000.0,
                                                   1_650_000.0]


def test_a_fully_described_board_gets_exact_indices(tiny_store):
    """The tiny fixture: partner-1 holds 2 of 8 seats, quota 5, and a reserved veto."""
    tables = analyze(tiny_store)
    board = tables["board_power"].set_index("player")
    assert board.loc["partner-1", "banzhaf"] == pytest.approx(0.4117647)
    assert board.loc["partner-1", "shapley_shubik"] == pytest.approx(4 / 7)
    assert board.loc["partner-1", "is_veto_player"]
    assert len(board) == 7  # partner-1 and six one-vote seats
    captured = tables["savings_captured"].set_index("year")
    assert captured.loc[2015, "captured_status"] == "no savings"  # a loss year
    assert captured.loc[2016, "captured_status"] == "unknown"  # savings not reported
    flags = tables["flags"]
    assert "over-25pct-of-votes" not in set(flags["flag"])  # 2 of 8 is exactly 25%


def test_json_unknowns_are_null(curated_tables):
    document = analysis_json(curated_tables)
    assert document["schema_version"] == "1"
    rows = {r["partner_id"]: r for r in document["tables"]["partners"]}
    assert rows["collaborative-aco-management-partner"]["captured_usd_max"] is None
    json.dumps(document)  # every value is JSON


@pytest.mark.slow
def test_cli_analyze_json_and_csv(curated_store, tmp_path):
    result = run_cli("analyze", "--store", str(curated_store), "--format", "json",
                     "--out", str(tmp_path / "a.json"))
    assert result.returncode == 0, result.stderr
    document = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    for name, (_, columns) in SCHEMA.items():
        for row in document["tables"][name]:
            assert list(row) == [c for c, _, _ in columns]
    result = run_cli("analyze", "--store", str(curated_store), "--format", "csv",
                     "--out", str(tmp_path / "csv"))
    assert result.returncode == 0, result.stderr
    for name, (_, columns) in SCHEMA.items():
        header = (tmp_path / "csv" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header == ",".join(c for c, _, _ in columns)
    result = run_cli("analyze", "--store", str(tmp_path / "missing"))
    assert result.returncode == 2 and "no Oxigraph store" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("analyze", "--store", str(curated_store), "--format", "csv")
    assert result.returncode == 2 and "--out FOLDER" in result.stderr


# --- CSV output: one writer, read back ---------------------------------------------------------

#: Organization names a spreadsheet would run as formulas, or that break a careless writer.
FORMULA_NAMES = {"partner-1": '=HYPERLINK("http://evil.example","click")',
                 "aco-1": "@SUM(1)\rcarriage return", "holding-1": "-2+3"}


@pytest.fixture(scope="module")
def formula_store(tmp_path_factory):
    """The tiny fixture with FORMULA_NAMES as organization names, built once."""
    import csv
    import shutil
    base = tmp_path_factory.mktemp("formula")
    shutil.copytree(TINY, base / "data")
    path = base / "data" / "organizations.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        row[1] = FORMULA_NAMES.get(row[0], row[1])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows(rows)  # quotes the "\r" too
    build(base / "data", base / "out")
    return base / "out" / "store"


def _same_cell(original, text: str) -> bool:
    """Is `text` (as Python's csv reader gives it) the CSV form of `original`?"""
    from kg.core.delimited import FORMULA_PREFIX, FORMULA_STARTS
    from kg.products.formats import cell_value
    value = cell_value(original)
    if value is None:
        return text == ""
    if isinstance(value, bool):
        return text == ("true" if value else "false")
    if isinstance(value, (int, float)):
        return float(text) == value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return text == FORMULA_PREFIX + value
    return text == str(value)


def test_analysis_csv_reads_back_as_the_tables(formula_store, tmp_path, capsys):
    """`aco-kg analyze --format csv`: read back with csv and pandas, every cell equals the
    table's value, text a spreadsheet would run has the documented ' prefix, numbers
    (losses too) stay numbers, unknowns stay empty."""
    import csv
    from kg.cli import main
    from kg.core.delimited import FORMULA_STARTS
    tables = analyze(formula_store)
    assert main(["analyze", "--store", str(formula_store), "--format", "csv",
                 "--out", str(tmp_path)]) == 0
    for name, frame in tables.items():
        path = tmp_path / f"{name}.csv"
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == list(frame.columns) and len(rows) == len(frame) + 1, name
        for original, back in zip(frame.itertuples(index=False, name=None), rows[1:]):
            assert all(_same_cell(o, t) for o, t in zip(original, back)), (name, original, back)
            # whatever starts like a formula is a number, never text
            assert all(float(t) is not None for t in back if t.startswith(FORMULA_STARTS))
        read = pd.read_csv(path, keep_default_na=True)
        for column in frame.columns:
            if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column]):
                assert pd.api.types.is_numeric_dtype(read[column]), (name, column)
                expected = pd.to_numeric(frame[column]).astype(float).to_numpy()
                assert read[column].astype(float).to_numpy() == pytest.approx(expected, nan_ok=True)
    partners = (tmp_path / "partners.csv").read_bytes().decode("utf-8")  # a bare \r kept
    assert "'=HYPERLINK(" in partners and ",=HYPERLINK(" not in partners
    captured = pd.read_csv(tmp_path / "savings_captured.csv")
    assert (captured["earned_savings_usd"] < 0).any()  # a loss, read back as a number
    names = set(pd.read_csv(tmp_path / "centrality.csv", keep_default_na=False)["name"])
    assert {"'" + n for n in FORMULA_NAMES.values()} <= names
    # one table on stdout is the same text as its file
    capsys.readouterr()
    assert main(["analyze", "--store", str(formula_store), "--format", "csv", "--table", "partners"]) == 0
    assert capsys.readouterr().out == partners
