"""Rows to graph and back: nothing lost, nothing changed."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from rdflib import Graph

from conftest import TINY
from kg.core.dictionary import load_dictionary
from kg.graph.mapping import map_tables, rows_from_graph
from kg.graph.ontology import code_lists
from kg.ingest.tables import check_keys, check_references, check_values, read_table

DICTIONARY = load_dictionary()
CODES = code_lists()


def checked_tables(folder: Path):
    tables = {}
    for r in DICTIONARY.resources:
        t = read_table(folder / r.path, r)
        check_values(t, CODES, DICTIONARY)
        check_keys(t)
        tables[r.name] = t
    check_references(tables)
    return tables


def normalised(frame: pd.DataFrame, resource) -> pd.DataFrame:
    """The CSV values as the graph should give them back (booleans as true/false)."""
    frame = frame.copy()
    for f in resource.fields:
        if f.type == "boolean":
            frame[f.name] = frame[f.name].map(
                lambda v: "" if v == "" else "true" if v in DICTIONARY.true_values else "false")
    return frame.sort_values(resource.primary_key).reset_index(drop=True)


@pytest.fixture(scope="module")
def tiny_mapped():
    """The tiny fixture's checked tables and the graph they map to (read once)."""
    tables = checked_tables(TINY)
    assert not any(t.problems for t in tables.values())
    mapped = map_tables(tables, DICTIONARY, CODES)
    return tables, Graph().parse(data=mapped.ntriples, format="nt")


@pytest.mark.parametrize("resource", DICTIONARY.resources, ids=lambda r: r.name)
def test_tiny_fixture_round_trips(resource, tiny_mapped):
    tables, graph = tiny_mapped
    back = rows_from_graph(graph, resource, CODES)
    pd.testing.assert_frame_equal(back, normalised(tables[resource.name].frame, resource))


# legal text: no control character but tab and line breaks (kg.ingest.csv_records)
text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n\r"),
               max_size=30)
ident = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,10}", fullmatch=True)
org_rows = st.lists(
    st.fixed_dictionaries({
        "org_id": ident,
        "name": text.filter(lambda s: s != ""),
        "kind": st.sampled_from(sorted(CODES["org-kind"])),
        "profit_status": st.sampled_from([""] + sorted(CODES["profit-status"])),
        "geographic_scope": st.sampled_from([""] + sorted(CODES["geographic-scope"])),
        "is_pseudonym": st.sampled_from(["", "yes", "no", "true", "false"]),
        "parent_org": st.just(""),
        "state": st.sampled_from(["", "TX", "NM"]),
        "description": text,
        "source_id": st.just("src-a"),
        "locator": text.filter(lambda s: s != ""),
        "evidence": st.sampled_from(sorted(CODES["evidence"])),
    }),
    min_size=1, max_size=6, unique_by=lambda r: r["org_id"])


@given(org_rows)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_organization_rows_round_trip(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("orgs")
    resource = DICTIONARY.resource("organizations")
    with open(folder / "organizations.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=resource.columns)
        writer.writeheader()
        writer.writerows(rows)
    (folder / "sources.csv").write_text((TINY / "sources.csv").read_text())
    tables = {}
    for name in ("sources", "organizations"):
        r = DICTIONARY.resource(name)
        tables[name] = read_table(folder / r.path, r)
        check_values(tables[name], CODES, DICTIONARY)
        check_keys(tables[name])
    check_references(tables)
    problems = [p for t in tables.values() for p in t.problems]
    # leading/trailing blanks are legal in free text; everything generated is valid
    assert problems == []
    mapped = map_tables(tables, DICTIONARY, CODES)
    graph = Graph().parse(data=mapped.ntriples, format="nt")
    back = rows_from_graph(graph, resource, CODES)
    pd.testing.assert_frame_equal(back, normalised(tables["organizations"].frame, resource))
