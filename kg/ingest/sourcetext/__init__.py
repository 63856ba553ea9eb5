"""The source check: do the figures and quoted labels of the data occur in their sources?

A row of ``data/*.csv`` cites a source (``source_id``) and a place in it (``locator``).
For the sources whose plain-text copy is described in ``data/source_texts.yaml`` (the
documents themselves stay out of the repository), :func:`check_sources` resolves each
locator to its passage and looks there for every number and every quoted or printed label
of the row. Modules:

- :mod:`~kg.ingest.sourcetext.outline`: ``source_texts.yaml``, which document is which
  source and how its headings, tables and lists are found;
- :mod:`~kg.ingest.sourcetext.document`: a plain-text copy as blocks, sections, tables
  and list items;
- :mod:`~kg.ingest.sourcetext.locator`: locators, parsed and resolved to passages;
- :mod:`~kg.ingest.sourcetext.figures`: how numbers and labels of the data are looked
  for in a passage (thousands separators, "$2 m", number words, fractions, lost hyphens);
- :mod:`~kg.ingest.sourcetext.check`: the check over the data folders.
"""

from kg.ingest.sourcetext.check import SourceCheckReport, check_sources

__all__ = ["SourceCheckReport", "check_sources"]
