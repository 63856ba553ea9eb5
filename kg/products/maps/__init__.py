"""Interactive network maps of the alliances: one self-contained HTML file per map.

A map is drawn from the published store in four steps, one module each:

1. :mod:`~kg.products.maps.load`: :func:`load_map_graph` reads the organizations and
   every link between them from the store, each fact with its source;
2. :mod:`~kg.products.maps.select`: :func:`restrict` keeps the part that was asked for
   (a year, a partner, a state, N links around one organization),
   :func:`aggregate_participants` folds the participants whose only link is their ACO,
   :func:`cap` keeps at most ``max_nodes`` nodes so that links survive, and
   :func:`summarise` folds the ACOs with no operator and no shared participant into one
   node per state and per Census division (the page expands them on click);
   :func:`node_beneficiaries` gives the measure that sizes the nodes, per year;
3. :mod:`~kg.products.maps.layout`: :func:`~kg.products.maps.layout.layout` computes the
   positions with a seed (not re-exported: the name would hide the module);
4. :mod:`~kg.products.maps.render`: :func:`render_map` writes the page (vis-network from
   pyvis inline, Jinja2 with autoescaping, no request to any server).

:func:`write_map` (:mod:`~kg.products.maps.write`) runs the four and writes the file;
:mod:`~kg.products.maps.model` holds the data the steps pass along.
"""

from kg.products.maps.load import load_map_graph
from kg.products.maps.model import (EDGE_KINDS, NODE_KINDS, Fact, MapEdge, MapGraph, MapNode,
                                    Source)
from kg.products.maps.render import render_map
from kg.products.maps.select import (AGGREGATE_ABOVE, DEFAULT_MAX_NODES, NO_RESULTS_NOTE,
                                     PARTICIPANTS_NOTE, SUMMARIES_NOTE, aggregate_participants, cap,
                                     node_beneficiaries, node_scores, organization_iri, restrict,
                                     summarise)
from kg.products.maps.write import MapSummary, write_map

__all__ = ["NODE_KINDS", "EDGE_KINDS", "DEFAULT_MAX_NODES", "AGGREGATE_ABOVE",
           "PARTICIPANTS_NOTE", "SUMMARIES_NOTE", "NO_RESULTS_NOTE",
           "Source", "Fact", "MapNode", "MapEdge", "MapGraph", "MapSummary",
           "load_map_graph", "organization_iri", "restrict", "aggregate_participants",
           "summarise", "node_beneficiaries", "node_scores", "cap", "render_map", "write_map"]
