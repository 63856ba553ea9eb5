"""Importers of public data files into aco-kg's own CSV format (see data/datapackage.yaml).

Each importer reads one kind of file as it comes (aliases for drifting column names,
units checked per column, suppressed and not-applicable cells kept unknown), accounts
for every input row in a ledger, and writes rows into an output folder that
``aco-kg build --data data --data FOLDER`` then checks and builds with the curated data.

An import is all or nothing: the output folder is written only when every row of every
file loaded; otherwise only the ledgers are, and ``aco-kg build`` refuses the folder.

Modules: :mod:`kg.ingest.cms.source_file` (reading a file, the records an importer can
read, cut files), :mod:`kg.ingest.cms.cells` (reading one cell), :mod:`kg.ingest.cms.folder`
(the output folder: rows, what it holds and from which file, all-or-nothing writing),
:mod:`kg.ingest.cms.ledger` (the ledger, the report, what a build checks),
:mod:`kg.ingest.cms.sources` (the source row each file cites), :mod:`kg.ingest.cms.crosswalk`,
:mod:`kg.ingest.cms.results`, :mod:`kg.ingest.cms.participants` and :mod:`kg.ingest.cms.roster`.
Which operator runs an ACO is operator discovery's business (:mod:`kg.ingest.operators`).
"""

__all__: list[str] = []
