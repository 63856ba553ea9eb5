"""Network power: Bonacich power centrality, PageRank on control ties, and brokerage.

Bonacich power (Bonacich 1987) of node ``i`` is ``c(beta) = alpha (I - beta A)^-1 A 1``,
with ``A[i, j]`` the weight of the tie from ``i`` to ``j``. With ``beta > 0`` a node is
powerful when tied to well-connected others (centrality); with ``beta < 0`` when tied to
others who have few alternatives (bargaining power in exchange networks). ``alpha`` is
chosen so that ``sum(c**2) = n``, the normalisation of R's ``igraph::power_centrality`` and
``sna::bonpow``. The power series reading needs ``|beta| < 1 / lambda_max``; the formula
itself only needs ``I - beta A`` to be invertible.

It is computed through its relation to Katz centrality (Katz 1953): with
``k = (I - beta A)^-1 1`` (a Katz vector with attenuation ``beta`` and constant 1),
``(I - beta A)^-1 A 1 = (k - 1) / beta``. ``k`` comes from one sparse solve
(``scipy.sparse.linalg.spsolve``), so graphs of tens of thousands of nodes take seconds.
For ``beta = 0`` the power is ``alpha A 1``, the weighted out-degree.

Examples
--------
>>> import networkx as nx
>>> path = nx.path_graph(5)  # 0 - 1 - 2 - 3 - 4
>>> bonacich_power(path, beta=0.3).round(3).tolist()  # the centre is best connected
[0.631, 1.143, 1.261, 1.143, 0.631]
>>> bonacich_power(path, beta=-0.3).round(3).tolist()  # 1 and 3 face ends with no option
[0.487, 1.338, 0.973, 1.338, 0.487]
"""

from __future__ import annotations

from collections import deque

import networkx as nx
import numpy as np
import pandas as pd

from kg.analysis.schema import Column, TableSpec

__all__ = ["bonacich_power", "spectral_radius", "default_betas", "control_pagerank",
           "betweenness", "brokerage", "centrality_table", "SAMPLE_ABOVE", "CENTRALITY"]

#: Betweenness is estimated from a seeded sample of sources above this many nodes.
SAMPLE_ABOVE = 2000

#: The ``centrality`` table that :func:`centrality_table` makes.
CENTRALITY = TableSpec("centrality", "one organization in the control graph", (
    Column("node", "string", "organization id"),
    Column("name", "string", "name"),
    Column("kind", "string", "org kind"),
    Column("pagerank", "number", "PageRank, read upwards"),
    Column("bonacich_positive", "number", "Bonacich power with beta_positive"),
    Column("bonacich_negative", "number", "Bonacich power with beta_negative"),
    Column("beta_positive", "number", "0.5 / lambda_max (0.5 if acyclic)"),
    Column("beta_negative", "number", "-beta_positive"),
    Column("betweenness", "number",
           "normalized betweenness (sampled with a seed above 2,000 nodes)"),
))


def _adjacency(graph: nx.Graph, weight: str | None):
    nodes = list(graph)
    return nodes, nx.to_scipy_sparse_array(graph, nodelist=nodes, weight=weight,
                                           format="csc", dtype=float)


def spectral_radius(graph: nx.Graph, weight: str | None = "weight") -> float:
    """Largest absolute eigenvalue of the adjacency matrix (0 for an empty or acyclic graph).

    >>> round(spectral_radius(nx.complete_graph(4)), 6)
    3.0
    """
    if graph.number_of_nodes() == 0:
        return 0.0
    _, matrix = _adjacency(graph, weight)
    if matrix.shape[0] <= 400:
        return float(np.max(np.abs(np.linalg.eigvals(matrix.toarray()))))
    from scipy.sparse.linalg import eigs
    # nodes without a tie add only zero eigenvalues: leave them out (on the national
    # control graph, 19,000 of 31,500 nodes)
    tied = np.flatnonzero((abs(matrix).sum(axis=0) + abs(matrix).sum(axis=1)) > 0)
    if len(tied) == 0:
        return 0.0
    matrix = matrix[tied][:, tied]
    try:
        # a fixed start vector: ARPACK's default is random, which made the radius (and
        # every Bonacich score) differ in the last digits from one run to the next; the
        # ones vector is never orthogonal to the Perron vector of a non-negative matrix
        values = eigs(matrix, k=1, which="LM", return_eigenvectors=False, maxiter=5000,
                      v0=np.ones(matrix.shape[0]))
        return float(np.abs(values[0]))
    except Exception:  # ARPACK may not converge on some structures; fall back on a bound
        return float(abs(matrix).sum(axis=1).max())


def default_betas(graph: nx.Graph, weight: str | None = "weight",
                  fraction: float = 0.5) -> tuple[float, float]:
    """The attenuation pair ``(+b, -b)`` with ``b = fraction / lambda_max`` (``fraction``
    when the graph has no cycle, so ``lambda_max = 0``)."""
    radius = spectral_radius(graph, weight)
    b = fraction / radius if radius > 0 else fraction
    return b, -b


def bonacich_power(graph: nx.Graph, beta: float, weight: str | None = "weight") -> pd.Series:
    """Bonacich power centrality of every node, via the Katz relation and a sparse solve.

    Parameters
    ----------
    graph : networkx.Graph or DiGraph
        On a DiGraph, ``A[i, j]`` is the edge ``i -> j``: a node's power comes from the
        nodes it points to (point edges from controller to controlled).
    beta : float
        Attenuation; negative for bargaining power.
    weight : str or None
        Edge attribute holding the tie strength (missing: 1); ``None`` for 0/1 ties.

    Returns
    -------
    pandas.Series
        Indexed by node, normalised so that the sum of squares is the number of nodes
        (all zeros when the graph has no edge).

    Raises
    ------
    ValueError
        If ``I - beta A`` is singular for this `beta`.
    """
    from scipy.sparse import identity
    from scipy.sparse.linalg import MatrixRankWarning, spsolve
    import warnings

    nodes, matrix = _adjacency(graph, weight)
    n = len(nodes)
    if n == 0:
        return pd.Series(dtype=float, name="bonacich")
    ones = np.ones(n)
    if beta == 0:
        raw = matrix @ ones
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error", MatrixRankWarning)
            try:
                katz = spsolve((identity(n, format="csc") - beta * matrix).tocsc(), ones)
            except MatrixRankWarning:
                katz = np.full(n, np.nan)
        if not np.all(np.isfinite(katz)):
            raise ValueError(f"I - beta*A is singular for beta={beta}: choose another beta")
        raw = (katz - 1.0) / beta
    norm = float(np.sqrt(np.sum(raw ** 2)))
    scaled = raw * np.sqrt(n) / norm if norm > 0 else np.zeros(n)
    return pd.Series(scaled, index=pd.Index(nodes, name="node"), name="bonacich")


def control_pagerank(graph: nx.DiGraph, weight: str | None = "weight",
                     damping: float = 0.85) -> pd.Series:
    """PageRank of the control graph read upwards: each controlled node passes its score
    to those that control it, so the score measures control over important nodes.

    Edges point from controller to controlled; PageRank ranks nodes by what points *to*
    them, so the graph is reversed first.

    >>> g = nx.DiGraph([("partner", "aco-1"), ("partner", "aco-2"), ("hospital", "aco-1")])
    >>> control_pagerank(g).idxmax()
    'partner'
    """
    if graph.number_of_nodes() == 0:
        return pd.Series(dtype=float, name="pagerank")
    # the reversed graph as graph.reverse(copy=True) builds it, without deep-copying every
    # node's and edge's attributes (PageRank reads only the weights)
    reverse = nx.DiGraph()
    reverse.add_nodes_from(graph)
    reverse.add_edges_from((v, u, data) for u, v, data in graph.edges(data=True))
    scores = nx.pagerank(reverse, alpha=damping, weight=weight)
    return pd.Series(scores, name="pagerank").rename_axis("node")


def _neighbours(graph: nx.Graph) -> dict:
    """Undirected adjacency lists in a fixed order: successors, then predecessors not
    already listed (networkx's undirected view iterates a set, whose order is arbitrary)."""
    if not graph.is_directed():
        return {v: list(graph.adj[v]) for v in graph}
    succ, pred = graph.succ, graph.pred
    return {v: list(succ[v]) + [u for u in pred[v] if u not in succ[v]] for v in graph}


def _dependencies(adjacency: dict, source, betweenness: dict) -> None:
    """Add the pair dependencies of one source to `betweenness` (Brandes 2001).

    The same breadth-first search and accumulation as networkx's
    ``betweenness_centrality``, operation for operation, except that the per-node state is
    created for the nodes the search reaches, not for the whole graph: on a graph of many
    small components (the control graph) a source costs the size of its component.
    """
    order = []
    predecessors = {source: []}
    paths = {source: 1.0}
    distance = {source: 0}
    queue = deque([source])
    while queue:
        v = queue.popleft()
        order.append(v)
        next_distance = distance[v] + 1
        paths_v = paths[v]
        for w in adjacency[v]:
            if w not in distance:
                queue.append(w)
                distance[w] = next_distance
                paths[w] = 0.0
                predecessors[w] = []
            if distance[w] == next_distance:
                paths[w] += paths_v
                predecessors[w].append(v)
    delta = dict.fromkeys(order, 0)
    while order:
        w = order.pop()
        coeff = (1 + delta[w]) / paths[w]
        for v in predecessors[w]:
            delta[v] += paths[v] * coeff
        if w != source:
            betweenness[w] += delta[w]


def betweenness(graph: nx.Graph, k: int | None = None, seed: int | None = None) -> dict:
    """Normalized betweenness (endpoints excluded) of every node, exact or from `k` sources.

    Same definition and results as ``networkx.betweenness_centrality(graph, k=k,
    seed=seed, normalized=True)`` (networkx 3.5 and later): the `k` sources are
    ``random.Random(seed).sample(list(graph), k)``; with sampling, a source's score is
    scaled by ``1 / ((k - 1)(n - 2))`` and any other node's by ``1 / (k (n - 2))`` (a
    source is never an endpoint of its own paths), and the exact score by
    ``1 / ((n - 1)(n - 2))``. Directed graphs are read as undirected.

    >>> betweenness(nx.star_graph(3))[0]
    1.0
    """
    import random

    adjacency = _neighbours(graph)
    n = len(adjacency)
    scores = dict.fromkeys(adjacency, 0.0)
    if k is not None and k >= n:
        k = None  # every node is a source: the exact computation
    sources = list(adjacency) if k is None else random.Random(seed).sample(list(adjacency), k)
    for source in sources:
        _dependencies(adjacency, source, scores)
    others = n - 1  # possible targets of a path through a node (endpoints excluded)
    if others < 2:
        return scores
    if k is None:
        scale = 1 / (others * (others - 1))
        for v in scores:
            scores[v] *= scale
        return scores
    scale_source = 1 / ((k - 1) * (others - 1)) if k > 1 else float("nan")
    scale_other = 1 / (k * (others - 1))
    sampled = set(sources)
    for v in scores:
        scores[v] *= scale_source if v in sampled else scale_other
    return scores


def brokerage(graph: nx.Graph, seed: int = 0, sample_size: int = 500,
              sample_above: int = SAMPLE_ABOVE) -> pd.Series:
    """Normalised betweenness centrality on the undirected view of `graph`.

    Above `sample_above` nodes it is estimated from `sample_size` source nodes drawn with
    `seed` (networkx's ``k`` sampling), so the result is reproducible. See
    :func:`betweenness`.

    >>> brokerage(nx.path_graph(3)).tolist()
    [0.0, 1.0, 0.0]
    """
    n = graph.number_of_nodes()
    if n == 0:
        return pd.Series(dtype=float, name="betweenness")
    k = min(sample_size, n) if n > sample_above else None
    scores = betweenness(graph, k=k, seed=seed if k else None)
    return pd.Series(scores, name="betweenness").rename_axis("node")


def centrality_table(control: nx.DiGraph) -> pd.DataFrame:
    """Every organization of the control graph with its network power.

    Parameters
    ----------
    control : networkx.DiGraph
        :func:`kg.analysis.networks.control_graph`: ties from controller to controlled,
        nodes with ``name`` and ``kind``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CENTRALITY`: PageRank read upwards, Bonacich power with
        ``beta = +-0.5 / lambda_max`` of the undirected graph, and brokerage.

    Examples
    --------
    >>> control = nx.DiGraph([("partner", "aco-1"), ("partner", "aco-2")])
    >>> nx.set_node_attributes(control, {"partner": "P", "aco-1": "A1", "aco-2": "A2"}, "name")
    >>> table = centrality_table(control)
    >>> table["node"].tolist(), float(table["betweenness"].iloc[0])
    (['partner', 'aco-1', 'aco-2'], 1.0)
    """
    # control.to_undirected() without deep-copying the attributes (only weights are read)
    undirected = nx.Graph()
    undirected.add_nodes_from(control)
    undirected.add_edges_from(control.edges(data=True))
    plus, minus = default_betas(undirected)
    frame = pd.DataFrame({
        "name": pd.Series(dict(control.nodes(data="name"))),
        "kind": pd.Series(dict(control.nodes(data="kind"))),
        "pagerank": control_pagerank(control),
        "bonacich_positive": bonacich_power(undirected, plus),
        "bonacich_negative": bonacich_power(undirected, minus),
    })
    frame["beta_positive"], frame["beta_negative"] = plus, minus
    frame["betweenness"] = brokerage(control)
    return CENTRALITY.check(frame.rename_axis("node").reset_index())
