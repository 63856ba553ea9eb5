"""aco-kg: a knowledge graph of the alliances between ACOs and their management partners.

The public API:

- :func:`build` and :func:`validate` turn the CSV files in ``data/`` into the published
  graph (or say, file by file and line by line, why they cannot);
- :func:`load_dictionary` reads the data dictionary;
- :class:`InvalidDataError`, :class:`Problem`: what invalid data raise and report;
- :func:`query` runs a canned query (``aco-kg queries``), a ``.rq`` file or a query text
  on the published store or a SPARQL 1.1 endpoint and returns a typed DataFrame.
- :func:`voting_power` (exact Banzhaf and Shapley-Shubik indices with reserved vetoes),
  :func:`hhi` and :func:`concentration` (market concentration): see :mod:`kg.power`.
"""

from kg.build import BuildReport, build, validate
from kg.dictionary import load_dictionary
from kg.errors import InvalidDataError, Problem, UsageError
from kg.power.concentration import concentration, hhi
from kg.power.voting import voting_power
from kg.query_runner import query

__all__ = ["build", "validate", "BuildReport", "load_dictionary", "InvalidDataError",
           "Problem", "UsageError", "query", "voting_power", "hhi", "concentration"]
__version__ = "0.1.0"
