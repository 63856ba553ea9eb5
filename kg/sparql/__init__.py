"""Stage 3, sparql: queries over the published store or a SPARQL 1.1 endpoint.

- :mod:`kg.sparql.catalogue`: the ``.rq`` files, their headers and parameters;
- :mod:`kg.sparql.check`: refusing queries that could reach the network or change a store;
- :mod:`kg.sparql.limits`: a time limit and a row cap, in a worker process;
- :mod:`kg.sparql.terms`: parameters as RDF terms, results as plain cells (no pandas);
- :mod:`kg.sparql.solutions`: a result as RDF terms, and what the sealed worker runs;
- :mod:`kg.sparql.select`: typed DataFrames from Oxigraph;
- :mod:`kg.sparql.results`: SPARQL 1.1 results documents (JSON, CSV, TSV);
- :mod:`kg.sparql.order`: the row order a query's header declares;
- :mod:`kg.sparql.endpoint`: remote stores (SPARQL 1.1 Protocol, Graph Store Protocol);
- :mod:`kg.sparql.runner`: :func:`kg.query` and ``solutions``, which tie them together.
"""
