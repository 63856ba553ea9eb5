"""IRIs minted from identifiers: valid in every engine, reversible, distinct."""

from __future__ import annotations

import warnings

import pyoxigraph as ox
from hypothesis import given, settings, strategies as st
from rdflib import Graph, Literal, URIRef

from kg.core.iris import compact, expand, mint, parse_instance_iri, PREFIXES

ids = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
kinds = st.sampled_from(["organization", "alliance", "seat", "result"])


@given(kinds, ids)
@settings(max_examples=400)
def test_iri_round_trip_and_valid_everywhere(kind, identifier):
    iri = mint(kind, identifier)
    assert parse_instance_iri(iri) == (kind, identifier)
    ox.NamedNode(iri)  # Oxigraph validates IRIs strictly and raises on a bad one
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # rdflib only warns about invalid IRIs
        g = Graph()
        g.add((URIRef(iri), URIRef(expand("rdfs:label")), Literal("x")))
        text = g.serialize(format="nt")
    assert len(list(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))) == 1


@given(kinds, ids, ids)
@settings(max_examples=300)
def test_distinct_ids_give_distinct_iris(kind, a, b):
    assert (mint(kind, a) == mint(kind, b)) == (a == b)


def test_iri_cannot_be_confused_across_kinds():
    assert mint("seat", "a/b") != mint("seat/a", "b")


def test_compact_and_expand_are_inverse():
    for prefix, namespace in PREFIXES.items():
        assert compact(expand(f"{prefix}:Thing")) == f"{prefix}:Thing"
