"""Stage 2, graph: checked tables to a validated, published RDF graph.

- :mod:`kg.graph.mapping`: rows to N-Triples, driven by the data dictionary;
- :mod:`kg.graph.ontology`, :mod:`kg.graph.shapes`, :mod:`kg.graph.shape_queries`: the
  ontology files, and SHACL (pySHACL, or the shapes compiled to SPARQL for Oxigraph);
- :mod:`kg.graph.column_shapes`: the SHACL shapes of the columns, generated from the
  data dictionary;
- :mod:`kg.graph.store`: the Oxigraph store;
- :mod:`kg.graph.publish`: all-or-nothing publication;
- :mod:`kg.graph.build`: the build that ties them together.
"""
