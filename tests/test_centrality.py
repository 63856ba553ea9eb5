"""Network power: Bonacich against the direct matrix formula, PageRank direction, brokerage."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from kg.analysis.power.centrality import (betweenness, bonacich_power, brokerage, control_pagerank,
                                 default_betas, spectral_radius)


def direct_bonacich(graph, beta, weight="weight"):
    """c = alpha (I - beta A)^-1 A 1 with a dense inverse, alpha so that sum(c^2) = n."""
    nodes = list(graph)
    a = nx.to_numpy_array(graph, nodelist=nodes, weight=weight)
    raw = np.linalg.inv(np.eye(len(nodes)) - beta * a) @ a @ np.ones(len(nodes))
    return raw * np.sqrt(len(nodes) / np.sum(raw ** 2))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("sign", [1, -1])
def test_bonacich_matches_the_direct_matrix_formula(seed, sign):
    graph = nx.gnp_random_graph(40, 0.1, seed=seed, directed=True)
    rng = np.random.default_rng(seed)
    for u, v in graph.edges:
        graph[u][v]["weight"] = float(rng.integers(1, 4))
    beta = sign * 0.8 / spectral_radius(graph)
    got = bonacich_power(graph, beta)
    assert got.to_numpy() == pytest.approx(direct_bonacich(graph, beta), rel=1e-9, abs=1e-9)
    assert float(np.sum(got ** 2)) == pytest.approx(len(graph))


def test_bonacich_matches_networkx_katz_relation():
    """(I - bA)^-1 A 1 = (k - 1)/b with k from networkx's Katz on the reversed graph."""
    graph = nx.karate_club_graph()
    beta = 0.3 / spectral_radius(graph, weight=None)
    katz = nx.katz_centrality_numpy(graph.reverse() if graph.is_directed() else graph,
                                    alpha=beta, beta=1.0, normalized=False, weight=None)
    raw = (np.array([katz[n] for n in graph]) - 1) / beta
    expected = raw * np.sqrt(len(raw) / np.sum(raw ** 2))
    assert bonacich_power(graph, beta, weight=None).to_numpy() == pytest.approx(expected)


def test_negative_beta_rewards_ties_to_weak_others():
    path = nx.path_graph(5)
    positive, negative = bonacich_power(path, 0.3), bonacich_power(path, -0.3)
    assert positive.idxmax() == 2
    assert negative[1] > negative[2] and negative[3] > negative[2]


def test_beta_zero_is_scaled_degree_and_empty_graph_is_zero():
    star = nx.star_graph(4)
    assert bonacich_power(star, 0).to_numpy() == pytest.approx(
        direct_bonacich(star, 0.0))
    edgeless = nx.empty_graph(3)
    assert bonacich_power(edgeless, 0.5).tolist() == [0.0, 0.0, 0.0]


def test_singular_beta_is_refused():
    graph = nx.complete_graph(3)  # eigenvalue 2: beta = 1/2 makes I - beta A singular
    with pytest.raises(ValueError, match="singular"):
        bonacich_power(graph, 0.5, weight=None)


def test_default_betas_stay_inside_the_convergence_radius():
    graph = nx.complete_graph(5)
    plus, minus = default_betas(graph)
    assert plus == pytest.approx(0.5 / 4) and minus == -plus
    assert default_betas(nx.DiGraph([("a", "b")])) == (0.5, -0.5)  # acyclic: lambda_max = 0


def test_pagerank_credits_the_controller():
    graph = nx.DiGraph([("p", "a1"), ("p", "a2"), ("p", "a3"), ("h", "a1")])
    scores = control_pagerank(graph)
    assert scores.idxmax() == "p"
    assert scores.sum() == pytest.approx(1)
    assert scores["p"] > scores["h"]


def test_brokerage_samples_with_a_seed_on_large_graphs():
    graph = nx.connected_watts_strogatz_graph(300, 4, 0.1, seed=7)
    first = brokerage(graph, seed=3, sample_size=40, sample_above=100)
    again = brokerage(graph, seed=3, sample_size=40, sample_above=100)
    exact = brokerage(graph, sample_above=10_000)
    assert first.equals(again)
    assert not first.equals(exact)  # it really sampled
    assert np.corrcoef(first, exact)[0, 1] > 0.8


def _pair_dependencies(graph, source):
    """Brute force: for each node v, the sum over targets t of the share of shortest
    source-t paths that pass through v (v neither source nor target)."""
    totals = dict.fromkeys(graph, 0.0)
    for target in graph:
        if target == source or not nx.has_path(graph, source, target):
            continue
        paths = list(nx.all_shortest_paths(graph, source, target))
        for v in graph:
            if v not in (source, target):
                totals[v] += sum(v in p for p in paths) / len(paths)
    return totals


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_betweenness_matches_networkx_when_exact(seed):
    graph = nx.gnp_random_graph(60, 0.05, seed=seed, directed=True)  # several components
    expected = nx.betweenness_centrality(graph.to_undirected(), normalized=True)
    got = betweenness(graph)
    assert list(got) == list(graph)
    assert [got[v] for v in graph] == pytest.approx([expected[v] for v in graph], rel=1e-12,
                                                    abs=1e-15)


def test_sampled_betweenness_is_the_scaled_sum_over_the_sampled_sources():
    import random

    graph = nx.connected_watts_strogatz_graph(40, 4, 0.2, seed=5)
    k, n = 7, 40
    sources = random.Random(11).sample(list(graph), k)
    raw = dict.fromkeys(graph, 0.0)
    for s in sources:
        for v, share in _pair_dependencies(graph, s).items():
            raw[v] += share
    got = betweenness(graph, k=k, seed=11)
    for v in graph:
        scale = 1 / ((k - 1) * (n - 2)) if v in sources else 1 / (k * (n - 2))
        assert got[v] == pytest.approx(raw[v] * scale, rel=1e-12, abs=1e-15)


def test_brokerage_reads_a_directed_graph_as_undirected():
    chain = nx.DiGraph([("a", "b"), ("c", "b")])  # a -> b <- c: b lies between a and c
    assert brokerage(chain).to_dict() == {"a": 0.0, "b": 1.0, "c": 0.0}


def test_spectral_radius_of_a_large_graph_ignores_isolated_nodes_and_is_reproducible():
    graph = nx.complete_graph(4)
    graph.add_nodes_from(range(4, 600))  # above the dense limit: ARPACK on the tied nodes
    graph.add_edges_from([(10, 11), (11, 12)])  # a path: radius sqrt(2)
    assert spectral_radius(graph) == pytest.approx(3.0, rel=1e-9)
    assert spectral_radius(graph) == spectral_radius(graph)
    assert spectral_radius(nx.empty_graph(500)) == 0.0


def test_control_pagerank_is_networkx_pagerank_on_the_reversed_graph():
    graph = nx.gnp_random_graph(80, 0.05, seed=4, directed=True)
    for u, v in graph.edges:
        graph[u][v]["weight"] = 1.0 + (u * v) % 3
    expected = nx.pagerank(graph.reverse(copy=True), weight="weight")
    assert control_pagerank(graph).to_dict() == expected
