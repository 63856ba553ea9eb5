"""Stage 3, sparql: queries over the published store or a SPARQL 1.1 endpoint.

- :mod:`kg.sparql.catalogue`: the ``.rq`` files, their headers and parameters;
- :mod:`kg.sparql.check`: refusing queries that could reach the network or change a store;
- :mod:`kg.sparql.limits`: a time limit and a row cap, in a worker process;
- :mod:`kg.sparql.select`: typed DataFrames from Oxigraph;
- :mod:`kg.sparql.order`: the row order a query's header declares;
- :mod:`kg.sparql.endpoint`: remote stores (SPARQL 1.1 Protocol, Graph Store Protocol);
- :mod:`kg.sparql.runner`: :func:`kg.query`, which ties them together.
"""
