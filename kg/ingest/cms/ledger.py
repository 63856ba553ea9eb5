"""What an import did with each input row: the ledger, the report, and what a build checks.

An :class:`ImportLedger` records every row of an imported file: ``loaded`` (with the row
it produced) or ``rejected`` (with the column and the reason); loaded + rejected = the
rows read. An :class:`ImportReport` adds the file's identity (kind, performance year,
sha256, the source row it cites), notes on the decisions the importer took, and the
problems that stopped it from reading the file at all.

An import is all or nothing: if any row is rejected, or the file cannot be read, no row
of it is written (see :mod:`kg.ingest.cms.folder`). Its ledger is still written into the
import folder, and :func:`ledger_problems` makes ``aco-kg build`` refuse a folder that
holds such a ledger, or a ledger of an import that did not finish.

Examples
--------
>>> report = ImportReport("x/mssp_results_2024.csv", kind="cms-mssp")
>>> report.ledger.loaded(report.file, 2, "mssp-A1001-2024")
>>> report.ledger.rejected(report.file, 3, "N_AB", "'many' is not a number")
>>> report.ok, report.summary(), report.ledger_name
(False, 'x/mssp_results_2024.csv: 2 rows read, 1 loaded, 1 rejected', 'import-mssp_results_2024.ledger.csv')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kg.core.delimited import frame_rows, write_delimited
from kg.core.errors import Problem
from kg.ingest.csv_records import read_csv_file

__all__ = ["LEDGER_COLUMNS", "MANIFEST", "MANIFEST_COLUMNS", "ImportLedger", "ImportReport",
           "ledger_name", "read_manifest", "read_ledger", "ledger_problems"]

LEDGER_COLUMNS = ["file", "line", "status", "column", "reason", "produced"]
#: The list of the files whose rows an import folder holds (written with those rows).
MANIFEST = "import-manifest.csv"
MANIFEST_COLUMNS = ["ledger", "file", "sha256", "kind", "year", "source_id", "rows_read",
                    "rows_loaded"]


def ledger_name(file: str | Path) -> str:
    """The name of the ledger of an imported file: ``import-STEM.ledger.csv``."""
    return f"import-{Path(file).stem}.ledger.csv"


@dataclass
class ImportLedger:
    """One entry per input row: loaded or rejected, with file, line, column and reason."""

    entries: list[tuple[str, int, str, str, str, str]] = field(default_factory=list)

    def loaded(self, file: str, line: int, produced: str) -> None:
        self.entries.append((file, line, "loaded", "", "", produced))

    def rejected(self, file: str, line: int, column: str, reason: str) -> None:
        self.entries.append((file, line, "rejected", column, reason, ""))

    def frame(self) -> pd.DataFrame:
        """The ledger as a table (``file, line, status, column, reason, produced``), by line."""
        frame = pd.DataFrame(self.entries, columns=LEDGER_COLUMNS)
        return frame.sort_values("line", kind="stable").reset_index(drop=True)

    def counts(self) -> dict[str, int]:
        statuses = [e[2] for e in self.entries]
        return {"read": len(statuses), "loaded": statuses.count("loaded"),
                "rejected": statuses.count("rejected")}


@dataclass
class ImportReport:
    """What an import of one file did.

    Attributes
    ----------
    file : str
        The file as named by the user.
    kind : str
        The importer (``cms-mssp``, ``cms-roster``, ``cms-participants``).
    year : int or None
        The performance year the file is about.
    sha256 : str or None
        The checksum of the file's bytes.
    source_id : str
        The row of sources.csv that the imported facts cite.
    ledger : ImportLedger
    notes : list of str
        The importer's decisions (units, corrections, links), for the notes file.
    file_problems : list of str
        Why the file could not be imported at all (unreadable, malformed, a required
        column missing, a conflict with the folder).
    refused : bool
        True when the file was refused before its rows were read; no ledger is written
        then, so that the ledger of an earlier import of the same name stays.
    """

    file: str
    kind: str = ""
    year: int | None = None
    sha256: str | None = None
    source_id: str = ""
    ledger: ImportLedger = field(default_factory=ImportLedger)
    notes: list[str] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    rows_read: int = 0
    refused: bool = False

    @property
    def ok(self) -> bool:
        """True when the file was read and every row of it loaded."""
        return not self.file_problems and self.ledger.counts()["rejected"] == 0

    @property
    def ledger_name(self) -> str:
        return ledger_name(self.file)

    def summary(self) -> str:
        c = self.ledger.counts()
        refused = "; refused, nothing read" if self.refused else ""
        return (f"{self.file}: {c['read']} rows read, {c['loaded']} loaded, "
                f"{c['rejected']} rejected{refused}")

    def write(self, folder: str | Path) -> Path:
        """Write the ledger and the notes into `folder` (text a spreadsheet would run as a
        formula starts with ``'``, see :mod:`kg.core.delimited`)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.ledger_name
        write_delimited(path, frame_rows(self.ledger.frame()), defuse_formulas=True)
        sha = f"sha256 {self.sha256}" if self.sha256 else "not read"
        head = [self.summary(), f"kind {self.kind}, performance year {self.year or 'unknown'}, {sha}, "
                                f"cites source {self.source_id or '(none)'}"]
        (folder / path.name.replace(".ledger.csv", ".notes.txt")).write_text(
            "\n".join(head) + "\n" + "".join(f"- {n}\n" for n in self.notes), encoding="utf-8")
        return path


def read_manifest(folder: str | Path) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    """The imports an import folder records: ``{ledger name: manifest row}``, and problems.

    A folder without a manifest has none.
    """
    path = Path(folder) / MANIFEST
    if not path.exists() and not path.is_symlink():
        return {}, []
    source = read_csv_file(path)
    if source.problems:
        return {}, source.problems
    if source.header != MANIFEST_COLUMNS:
        return {}, [Problem(str(path), 1, None, "not an import manifest: the columns must be "
                                                + ", ".join(MANIFEST_COLUMNS))]
    rows = {}
    for line, record in source.records:
        if len(record) != len(MANIFEST_COLUMNS):
            return {}, [Problem(str(path), line, None, f"expected {len(MANIFEST_COLUMNS)} cells, "
                                                       f"found {len(record)}")]
        rows[record[0]] = dict(zip(MANIFEST_COLUMNS, record))
    return rows, []


def read_ledger(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """The entries of an import ledger with their line in it, and problems reading it."""
    source = read_csv_file(path)
    if source.problems:
        return [], source.problems
    if source.header != LEDGER_COLUMNS:
        return [], [Problem(str(path), 1, None, "not an import ledger: the columns must be "
                                                + ", ".join(LEDGER_COLUMNS))]
    return [(line, dict(zip(LEDGER_COLUMNS, record))) for line, record in source.records
            if len(record) == len(LEDGER_COLUMNS)], []


def ledger_problems(folder: str | Path) -> list[Problem]:
    """Why `folder`, an import folder, must not be built (empty when it may be).

    A folder holding a ledger (``import-*.ledger.csv``) is an import folder. It is built
    only when every ledger in it records a finished import: listed in the folder's
    :data:`MANIFEST` (which is written with the rows) and without a rejected row. A
    ledger with rejected rows is that of an import that wrote nothing; a ledger missing
    from the manifest is that of an import that failed or did not finish.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> ledger_problems(folder)
    []
    >>> report = ImportReport(str(folder / "roster_2023.csv"), kind="cms-roster")
    >>> report.ledger.rejected(report.file, 7, "aco_id", "'X' is not a CMS ACO_ID")
    >>> _ = report.write(folder)
    >>> [p.reason for p in ledger_problems(folder)]  # doctest: +ELLIPSIS
    ["the import of ...roster_2023.csv rejected 1 of its 1 rows (first: line 7, column aco_id: 'X' is not a CMS ACO_ID), so it wrote none; ..."]
    """
    folder = Path(folder)
    ledgers = sorted(folder.glob("import-*.ledger.csv"))
    if not ledgers and not (folder / MANIFEST).exists():
        return []
    manifest, problems = read_manifest(folder)
    for path in ledgers:
        entries, unreadable = read_ledger(path)
        if unreadable:
            problems += unreadable
            continue
        rejected = [(line, e) for line, e in entries if e["status"] != "loaded"]
        imported = entries[0][1]["file"] if entries else path.name
        if rejected:
            _, first = rejected[0]
            problems.append(Problem(str(path), rejected[0][0], None,
                                    f"the import of {imported} rejected {len(rejected)} of its "
                                    f"{len(entries)} rows (first: line {first['line']}, column "
                                    f"{first['column'] or '-'}: {first['reason']}), so it wrote "
                                    "none; an import folder is built only when every import into "
                                    "it loaded every row: correct the file and import it again "
                                    "(or delete this ledger if the file is not to be imported)"))
        elif not (folder / MANIFEST).exists():
            problems.append(Problem(str(path), None, None,
                                    f"the folder has no {MANIFEST} (it was written by an earlier "
                                    "aco-kg, or by hand), so what it holds cannot be traced to its "
                                    "imports: import its files again into an empty folder"))
            break
        elif path.name not in manifest:
            problems.append(Problem(str(path), None, None,
                                    f"the import of {imported} did not finish: {MANIFEST} does not "
                                    "list it, so its rows were not written (another file of the "
                                    "same import failed?): import it again (or delete this "
                                    "ledger if the file is not to be imported)"))
    for name, row in manifest.items():
        if not (folder / name).is_file():
            problems.append(Problem(str(folder / MANIFEST), None, None,
                                    f"the ledger {name} of the import of {row['file']} is missing"))
    return problems
