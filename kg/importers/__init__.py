"""Importers of public data files into aco-kg's own CSV format (see data/datapackage.yaml).

Each importer reads one kind of file as it comes (aliases for drifting column names,
units checked per column, suppressed and not-applicable cells kept unknown), accounts
for every input row in a ledger, and writes rows into an output folder that
``aco-kg build --data data --data FOLDER`` then checks and builds with the curated data.

Modules: :mod:`kg.importers.cells` (reading one cell), :mod:`kg.importers.folder` (the
output folder and the ledger), :mod:`kg.importers.crosswalk`, :mod:`kg.importers.cms_mssp`,
:mod:`kg.importers.cms_participants`, :mod:`kg.importers.cms_roster` and
:mod:`kg.importers.partners` (inferred partner links from web hosts and e-mail domains).
"""

__all__: list[str] = []
