"""aco-kg: a knowledge graph of the alliances between ACOs and their management partners.

The package follows the pipeline, one stage per subpackage, each importing only the
stages below it (``tests/test_layers.py`` holds the code to that):

=================  ============================================================
``kg.core``        errors, IRIs, the data dictionary, shipped resources
``kg.ingest``      strict CSV reading and the ledger; CMS importers; synthetic data
``kg.graph``       rows to RDF, SHACL, the Oxigraph store, all-or-nothing publication
``kg.sparql``      the query catalogue, safety checks, limits, endpoints
``kg.analysis``    networkx projections, voting power, concentration, dominance
``kg.products``    the report, the maps, the documentation site, output formats
``kg.cli``         the ``aco-kg`` command: parse, call one function, format, exit
=================  ============================================================

The public API (imported on first use, so that ``import kg`` and ``aco-kg --help`` stay
fast):

- :func:`build` and :func:`validate` turn the CSV files in ``data/`` into the published
  graph (or say, file by file and line by line, why they cannot);
- :func:`load_dictionary` reads the data dictionary;
- :class:`InvalidDataError`, :class:`Problem`: what invalid data raise and report;
- :func:`query` runs a canned query (``aco-kg queries``), a ``.rq`` file or a query text
  on the published store or a SPARQL 1.1 endpoint and returns a typed DataFrame.
- :func:`voting_power` (exact Banzhaf and Shapley-Shubik indices with reserved vetoes),
  :func:`hhi` and :func:`concentration` (market concentration): see
  :mod:`kg.analysis.power`.

Examples
--------
>>> import kg
>>> kg.hhi([50, 50])
5000.0
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "build": "kg.graph.build",
    "validate": "kg.graph.build",
    "BuildReport": "kg.graph.build",
    "load_dictionary": "kg.core.dictionary",
    "InvalidDataError": "kg.core.errors",
    "Problem": "kg.core.errors",
    "UsageError": "kg.core.errors",
    "query": "kg.sparql.runner",
    "voting_power": "kg.analysis.power.voting",
    "hhi": "kg.analysis.power.concentration",
    "concentration": "kg.analysis.power.concentration",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    # PEP 562: the heavy libraries (pandas, rdflib, pyoxigraph) load on first use only
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_EXPORTS])
