"""The output folder of an import: rows in aco-kg's CSV format, written all or nothing.

An :class:`ImportFolder` holds every resource of the data dictionary as rows keyed by
their primary key. It starts from what the folder already holds, so several importers
(results of each year, the roster, the participants file) can write into one folder,
and an organization named by several files is one row: a later import fills blanks and
may update the fields it is told to (``update=``), never adds a second row.

What the folder holds is recorded, so that no fact is written twice or silently
replaced:

* its **manifest** (``import-manifest.csv``, :data:`~kg.ingest.cms.ledger.MANIFEST`)
  lists each imported file with its kind, performance year, sha256 and source, and the
  ledger that accounts for its rows;
* each loaded row **claims** what it produced for its kind and year (a results row,
  the result of its ACO in its year). A row whose claim another file already holds is
  rejected, naming both ``file:line``: the same ACO and year in two files (two revisions
  of one year's file) is refused, not overwritten (:meth:`ImportFolder.claim`);
* a file is imported into a folder once: a second file of the same name is refused,
  unless it is the same file (the same sha256), whose rows are then the same.

:meth:`ImportFolder.write` writes every file of the dictionary (a header-only file when
a resource has no rows), so the folder is a complete input of ``aco-kg build``, and the
manifest. The command line calls it only when every file of an import loaded every row;
otherwise nothing is written but the ledgers, and the build refuses the folder until the
import succeeds (:func:`~kg.ingest.cms.ledger.ledger_problems`).

Examples
--------
>>> import tempfile
>>> out = ImportFolder(tempfile.mkdtemp())
>>> out.put("organizations", {"org_id": "a", "name": "A", "kind": "aco",
...         "source_id": "s", "locator": "l", "evidence": "reported"})
'a'
>>> _ = out.put("organizations", {"org_id": "a", "name": "A2", "state": "FL"}, update=("state",))
>>> out.rows["organizations"]["a"]["name"], out.rows["organizations"]["a"]["state"]
('A', 'FL')
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from kg.core.delimited import write_delimited
from kg.core.dictionary import Dictionary, load_dictionary
from kg.core.errors import UsageError
from kg.core.resources import data_dir
from kg.ingest.cms.ledger import (MANIFEST, MANIFEST_COLUMNS, ImportReport, read_ledger,
                                  read_manifest)
from kg.ingest.cms.source_file import locate_columns, read_source
from kg.ingest.cms.sources import cites_file, generated_source, read_curated_sources, source_id_for
from kg.ingest.csv_records import CsvFile
from kg.ingest.tables import read_table

__all__ = ["CURATED_SOURCES", "Claim", "ImportFolder", "open_import", "find_columns",
           "year_of"]

#: The curated sources table that describes the CMS files shipped with the project.
CURATED_SOURCES = data_dir() / "sources.csv"


@dataclass(frozen=True)
class Claim:
    """Where a fact of the folder comes from: the file and line of the row that made it."""

    file: str
    line: int
    ledger: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class ImportFolder:
    """The rows an import writes, per resource of the data dictionary.

    Parameters
    ----------
    path : str or Path
        The folder (it need not exist yet).
    dictionary : Dictionary, optional
        The data dictionary (the project's own by default).
    curated_sources : str or Path or None
        The curated sources table whose rows describe imported files (see
        :mod:`kg.ingest.cms.sources`); default :data:`CURATED_SOURCES`; None for none.

    Raises
    ------
    UsageError
        If a file the folder already holds cannot be read (it is not a CSV file of the
        dictionary, its manifest or a ledger is damaged).
    """

    def __init__(self, path: str | Path, dictionary: Dictionary | None = None,
                 curated_sources: str | Path | None = CURATED_SOURCES):
        self.path = Path(path)
        self.dictionary = dictionary or load_dictionary()
        self.curated_sources = Path(curated_sources) if curated_sources else None
        self._curated: dict[str, tuple[int, dict[str, str]]] | None = None
        self.rows: dict[str, dict[str, dict[str, str]]] = {}
        for r in self.dictionary.resources:
            self.rows[r.name] = {}
            existing = self.path / r.path
            if not existing.exists() and not existing.is_symlink():
                continue
            table = read_table(existing, r)
            if table.problems:
                raise UsageError(f"cannot import into {self.path}: {table.problems[0]}")
            for row in table.frame.to_dict("records"):
                self.rows[r.name][row[r.primary_key]] = row
        manifest, problems = read_manifest(self.path)
        if problems:
            raise UsageError(f"cannot import into {self.path}: {problems[0]}")
        #: ledger name -> manifest row, for every file whose rows the folder holds
        self.imports: dict[str, dict[str, str]] = manifest
        #: (kind, year, produced) -> the row that produced it
        self.claims: dict[tuple[str, str, str], Claim] = {}
        for name, entry in manifest.items():
            entries, problems = read_ledger(self.path / name)
            if problems:
                raise UsageError(f"cannot import into {self.path}: {problems[0]}")
            for _, e in entries:
                if e["status"] == "loaded":
                    self.claims.setdefault((entry["kind"], entry["year"], e["produced"]),
                                           Claim(e["file"], int(e["line"]), name))
        self._reports: list[ImportReport] = []

    # --- rows ---------------------------------------------------------------------------

    def put(self, resource: str, row: dict[str, str], update: tuple[str, ...] = ()) -> str:
        """Add `row` (missing columns blank), or merge it into the row with its key.

        A merge fills the existing row's blank cells and overwrites the `update`
        columns where the new row has a value. Returns the key.
        """
        r = self.dictionary.resource(resource)
        key = row[r.primary_key]
        current = self.rows[resource].get(key)
        if current is None:
            self.rows[resource][key] = {c: (row.get(c) or "") for c in r.columns}
        else:
            for column, value in row.items():
                if value and (not current[column] or column in update):
                    current[column] = value
        return key

    def has(self, resource: str, key: str) -> bool:
        """True when `resource` holds a row with `key`."""
        return key in self.rows[resource]

    # --- what the folder holds ----------------------------------------------------------

    def claim(self, report: ImportReport, line: int, produced: str) -> Claim | None:
        """Claim `produced` for the row on `line` of the report's file; return the earlier
        claim of another file when there is one (the row must then be rejected).

        A claim is the kind of file, its performance year and what the row produced
        (``mssp-A1001-2022``, ``cms-aco-A1001``): two files of one kind and year that
        produce the same fact give the same ACO and year twice.
        """
        key = (report.kind, str(report.year), produced)
        held = self.claims.get(key)
        if held is not None and held.ledger != report.ledger_name:
            return held
        if held is None:
            self.claims[key] = Claim(report.file, line, report.ledger_name)
        return None

    def admit(self, report: ImportReport) -> bool:
        """Take the report's file into the import, or refuse it (see the module docstring).

        Returns False, with the reason in ``report.file_problems`` and ``report.refused``
        set, when a different file of the same name was imported into the folder before.
        """
        earlier = self.imports.get(report.ledger_name)
        if earlier is not None and earlier["sha256"] != report.sha256:
            report.file_problems.append(
                f"{report.file}: a different file of the same name was imported into {self.path} "
                f"before ({earlier['file']}, sha256 {earlier['sha256'][:12]}...; this one has "
                f"{(report.sha256 or '')[:12]}...): a file is imported into a folder once; import "
                "into an empty folder to replace it")
            report.refused = True
            return False
        for other in self._reports:
            if other.ledger_name == report.ledger_name and other.sha256 != report.sha256:
                report.file_problems.append(
                    f"{report.file}: another file of the same name, {other.file}, is part of this "
                    "import: their ledgers would have one name; rename one of them")
                report.refused = True
                return False
        self._reports.append(report)
        return True

    def cite(self, report: ImportReport, title: str, source_id: str | None = None,
             file: str | None = None, sha256: str | None = None) -> str | None:
        """Set the source that the report's facts cite; return why it cannot be, or None.

        The source is `source_id` (default :func:`~kg.ingest.cms.sources.source_id_for`
        the file). A curated row with that id must name the file; otherwise a row is
        generated into the folder's sources.csv (see :mod:`kg.ingest.cms.sources`).
        `file` and `sha256` describe another file than the report's own (the crosswalk
        that an import reads beside it).
        """
        file = file or report.file
        sha256 = sha256 or report.sha256
        source_id = source_id or source_id_for(file)
        name = Path(file).name
        curated = self._curated_rows()
        if source_id in curated:
            line, row = curated[source_id]
            if not cites_file(row, name):
                return (f"source {source_id} is a curated row ({_shown(self.curated_sources)}:{line}) that "
                        f"describes another file: neither its title nor its citation names {name}; "
                        "give this file its own source id")
            report.notes.append(f"{name} cites the curated source {source_id} "
                                f"({_shown(self.curated_sources)}:{line})")
            return None
        existing = self.rows["sources"].get(source_id)
        if existing is not None and sha256 not in existing["citation"]:
            return (f"source {source_id} already describes another file in {self.path / 'sources.csv'} "
                    f"({existing['citation']}); give this file its own source id")
        self.put("sources", generated_source(source_id, title, file, sha256))
        report.notes.append(f"{name} cites the source {source_id}, generated into "
                            f"{self.path / 'sources.csv'} (no curated row describes it)")
        return None

    def _curated_rows(self) -> dict[str, tuple[int, dict[str, str]]]:
        if self._curated is None:
            self._curated = ({} if self.curated_sources is None
                             else read_curated_sources(self.curated_sources, self.dictionary))
        return self._curated

    # --- writing ------------------------------------------------------------------------

    def write(self, reports: list[ImportReport] = ()) -> None:
        """Write every resource of the dictionary (sorted by key) and the manifest.

        `reports` are the imports whose rows are written: each becomes (or stays) a row
        of the manifest. Call it only when each of them is ``ok``.
        """
        if any(not r.ok for r in reports):
            raise ValueError("an import with a rejected row or file is never written")
        self.path.mkdir(parents=True, exist_ok=True)
        for r in self.dictionary.resources:
            rows = [self.rows[r.name][k] for k in sorted(self.rows[r.name])]
            write_delimited(self.path / r.path,
                            [r.columns] + [[row[c] for c in r.columns] for row in rows])
        for report in reports:
            counts = report.ledger.counts()
            self.imports[report.ledger_name] = {
                "ledger": report.ledger_name, "file": report.file, "sha256": report.sha256 or "",
                "kind": report.kind, "year": str(report.year or ""), "source_id": report.source_id,
                "rows_read": str(counts["read"]), "rows_loaded": str(counts["loaded"])}
        write_delimited(self.path / MANIFEST, [MANIFEST_COLUMNS] + [
            [entry[c] for c in MANIFEST_COLUMNS] for _, entry in sorted(self.imports.items())])


def _shown(path: Path) -> str:
    """A path as a reader finds it: through the links of kg/resources, relative to here."""
    real = Path(os.path.realpath(path))
    try:
        return str(real.relative_to(Path.cwd()))
    except ValueError:
        return str(real)


def year_of(path: str | Path, year: int | None) -> int:
    """The performance year of a file: `year` if given, else the one ``20YY`` in its name.

    >>> year_of("mssp_aco_roster_2024.csv", None), year_of("roster.csv", 2023)
    (2024, 2023)

    Raises
    ------
    UsageError
        If `year` is None and the name holds no year, or several.
    """
    if year is not None:
        return year
    found = re.findall(r"(20\d\d)", Path(path).stem)
    if len(set(found)) != 1:
        raise UsageError(f"{path}: cannot tell the performance year from the file's name; "
                         "give the year", argument="year")
    return int(found[0])


def open_import(path: str | Path, kind: str, out: ImportFolder) -> tuple[ImportReport, CsvFile | None]:
    """Read a file to import into `out`; account for every record if it cannot be imported.

    Returns the report and the file's records, or None for the records when the file is
    unreadable, malformed, or refused by the folder (see :meth:`ImportFolder.admit`):
    each record read is then rejected in the ledger with the reason.
    """
    report = ImportReport(str(path), kind=kind)
    source = read_source(path)
    report.sha256 = source.sha256
    report.rows_read = len(source.records) + (source.unread is not None)
    if source.sha256 is None:  # nothing could be read: missing, not a regular file, too large
        report.file_problems += [str(p) for p in source.problems]
        report.refused = True
        return report, None
    if not out.admit(report):
        return report, None
    if source.problems:
        reject_file(report, source, "; ".join(str(p) for p in source.problems))
        return report, None
    return report, source


def reject_file(report: ImportReport, source: CsvFile, reason: str) -> None:
    """Reject every record of `source` (and the part of it that could not be read)."""
    report.file_problems.append(reason)
    for line, _ in source.records:
        report.ledger.rejected(report.file, line, "", f"file rejected: {reason}")
    if source.unread is not None:
        report.ledger.rejected(report.file, source.unread[0], "",
                               f"file rejected: {reason}; the file could not be read from here on")


def find_columns(report: ImportReport, source: CsvFile, aliases: dict[str, tuple[str, ...]],
                 required: tuple[str, ...]) -> dict[str, int] | None:
    """Find the columns of `aliases` in the file's header; reject the file if a required
    one is missing (return None then). Unknown columns are listed in the notes."""
    where = locate_columns(source.header, aliases)
    unknown = [h for h in source.header if h not in {source.header[i] for i in where.values()}]
    if unknown:
        report.notes.append("ignored columns: " + ", ".join(unknown))
    missing = [q for q in required if q not in where]
    if missing:
        reject_file(report, source, "required column missing: " + "; ".join(
            f"{q} (one of: {', '.join(aliases[q])})" for q in missing))
        return None
    return where
