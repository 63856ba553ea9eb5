"""The researcher's workbench, ``aco-kg serve``: a read-only SPARQL endpoint and a browser
editor (YASGUI) with the query catalogue as examples, on 127.0.0.1.

- :mod:`kg.products.workbench.protocol`: the SPARQL 1.1 Protocol, read-only: which
  requests are queries and which results format to answer with;
- :mod:`kg.products.workbench.page`: the editor page and its examples;
- :mod:`kg.products.workbench.server`: the HTTP server (standard library) that ties them
  to :func:`kg.sparql.runner.solutions`.
"""

from kg.products.workbench.server import make_server, serve

__all__ = ["make_server", "serve"]
