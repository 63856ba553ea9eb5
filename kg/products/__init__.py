"""Stage 5, products: what people read and open.

- :mod:`kg.products.report`: the offline HTML report for regulators (operators' footprint,
  flagged markets, governance evidence), its tables as CSV files beside it;
- :mod:`kg.products.charts`: the report's charts, drawn by matplotlib and inlined as SVG;
- :mod:`kg.products.maps`: the interactive network maps (load, select, layout, render);
- :mod:`kg.products.docs_site`: the ontology reference and the query catalogue;
- :mod:`kg.products.formats`: query and analysis results as a table, CSV, TSV or JSON;
- :mod:`kg.products.bundle`: the report and map a build publishes with the graph;
- :mod:`kg.products.workbench`: ``aco-kg serve``, a read-only SPARQL endpoint and editor.
"""
