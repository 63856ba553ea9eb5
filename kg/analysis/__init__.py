"""Stage 4, analysis: networks and measures of power and concentration.

- :mod:`kg.analysis.read`: the read queries (``queries/tables/``) that the analysis and
  the map share, one table of the graph each;
- :mod:`kg.analysis.analyze`: loads what the measures need from the store and assembles
  the analysis tables;
- :mod:`kg.analysis.schema`: the declared columns of those tables, checked;
- :mod:`kg.analysis.networks`: networkx projections of those tables;
- :mod:`kg.analysis.power`: the measures, pure functions on DataFrames and graphs.
"""
