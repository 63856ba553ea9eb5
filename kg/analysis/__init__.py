"""Stage 4, analysis: networks and measures of power and concentration.

- :mod:`kg.analysis.analyze`: loads what the measures need from the store (the queries of
  ``queries/analysis/``) and assembles the analysis tables;
- :mod:`kg.analysis.networks`: networkx projections of those tables;
- :mod:`kg.analysis.power`: the measures, pure functions on DataFrames and graphs.
"""
