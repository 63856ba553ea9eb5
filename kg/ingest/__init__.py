"""Stage 1, ingest: CSV files in, checked tables and a ledger out.

- :mod:`kg.ingest.tables`: strict reading and checking of aco-kg's own CSV files against
  the data dictionary, with a ledger row for every input record;
- :mod:`kg.ingest.cms`: importers of public CMS files into aco-kg's CSV format;
- :mod:`kg.ingest.synth`: synthetic datasets in that format, for tests and benchmarks.
"""
