"""What a build makes from the finished store, inside the same atomic release.

``aco-kg build`` publishes, beside the graph and the store, the power and concentration
report (``report.html``, its CSV tables in ``report-tables/``) and the interactive map
(``map.html``) of the graph it built, so
the three never disagree and a failed report or map publishes nothing. The analysis is
run once and serves both: the map shows each organization's PageRank on the control graph
(see :mod:`kg.analysis.networks`) and sizes it by its assigned beneficiaries.
"""

from __future__ import annotations

from pathlib import Path

from kg.core.iris import mint

__all__ = ["PRODUCTS", "products", "map_power"]

#: The products a build can make, in the order they are made.
PRODUCTS = ("report", "map")


def map_power(tables) -> dict[str, float] | None:
    """The map's power scores: each organization's PageRank on the control graph.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tables of :func:`kg.analysis.analyze.analyze`.

    Returns
    -------
    dict of str to float, or None
        Organization IRI to PageRank; None when the analysis has no centrality rows (a map
        without results to size its nodes by then sizes them by their degree).

    Examples
    --------
    >>> import pandas as pd
    >>> map_power({"centrality": pd.DataFrame({"node": ["p1"], "pagerank": [0.5]})})
    {'https://w3id.org/aco-kg/id/organization/p1': 0.5}
    >>> map_power({}) is None
    True
    """
    centrality = tables.get("centrality")
    if centrality is None or not len(centrality):
        return None
    return {mint("organization", node): float(score)
            for node, score in zip(centrality["node"], centrality["pagerank"])}


def products(names=PRODUCTS):
    """Return the ``(name, make)`` pairs for :func:`kg.graph.build.build`.

    Each ``make(staging, store)`` reads the graph from `store` (the build's in-memory store,
    several times faster to query than the published one) and writes into `staging`.

    Parameters
    ----------
    names : iterable of str
        Any of :data:`PRODUCTS`.

    Raises
    ------
    ValueError
        For an unknown product name.

    Examples
    --------
    >>> [name for name, _ in products(["map"])]
    ['map']
    """
    names = list(names)
    unknown = set(names) - set(PRODUCTS)
    if unknown:
        raise ValueError(f"unknown product {sorted(unknown)}: choose from {', '.join(PRODUCTS)}")
    cache: dict = {}

    def analysis(store):
        if "tables" not in cache:
            from kg.analysis.analyze import analyze
            cache["tables"] = analyze(store)
        return cache["tables"]

    def report(staging: Path, store) -> None:
        from kg.products.report import write_report_files
        write_report_files(analysis(store), staging / "report.html")

    def map_(staging: Path, store) -> None:
        from kg.products.maps import write_map
        write_map(store, staging / "map.html", power=map_power(analysis(store)))

    makers = {"report": report, "map": map_}
    return tuple((name, makers[name]) for name in names)
