"""The output folder of an import: rows in aco-kg's CSV format, and the ledger.

An :class:`ImportFolder` holds every resource of the data dictionary as rows keyed by
their primary key. It starts from what the folder already holds, so several importers
(results of each year, the roster, the participants file) can write into one folder,
and an organization named by several files is one row: a later import fills blanks and
may update the fields it is told to (``update=``), never adds a second row.
:meth:`ImportFolder.write` writes every file of the dictionary (a header-only file when
a resource has no rows), so the folder is a complete input of ``aco-kg build``.

The :class:`ImportLedger` records every input row: ``loaded`` (with the rows it
produced) or ``rejected`` (with the column and the reason); loaded + rejected = read.

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

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kg.core.delimited import frame_rows, write_delimited
from kg.core.dictionary import Dictionary, load_dictionary

__all__ = ["ImportFolder", "ImportLedger", "ImportReport"]


class ImportFolder:
    """The rows an import writes, per resource of the data dictionary."""

    def __init__(self, path: str | Path, dictionary: Dictionary | None = None):
        self.path = Path(path)
        self.dictionary = dictionary or load_dictionary()
        self.rows: dict[str, dict[str, dict[str, str]]] = {}
        for r in self.dictionary.resources:
            self.rows[r.name] = {}
            existing = self.path / r.path
            if existing.is_file():
                with open(existing, newline="", encoding="utf-8-sig") as handle:
                    for row in csv.DictReader(handle):
                        self.rows[r.name][row[r.primary_key]] = {c: row.get(c) or "" for c in r.columns}

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

    def write(self) -> None:
        """Write every resource of the dictionary into the folder (sorted by key)."""
        self.path.mkdir(parents=True, exist_ok=True)
        for r in self.dictionary.resources:
            rows = [self.rows[r.name][k] for k in sorted(self.rows[r.name])]
            write_delimited(self.path / r.path,
                            [r.columns] + [[row[c] for c in r.columns] for row in rows])


@dataclass
class ImportLedger:
    """One entry per input row: loaded or rejected, with file, line, column and reason."""

    entries: list[tuple[str, int, str, str, str, str]] = field(default_factory=list)

    def loaded(self, file: str, line: int, produced: str) -> None:
        self.entries.append((file, line, "loaded", "", "", produced))

    def rejected(self, file: str, line: int, column: str, reason: str) -> None:
        self.entries.append((file, line, "rejected", column, reason, ""))

    def frame(self) -> pd.DataFrame:
        """The ledger as a table: ``file, line, status, column, reason, produced``."""
        return pd.DataFrame(self.entries,
                            columns=["file", "line", "status", "column", "reason", "produced"])

    def counts(self) -> dict[str, int]:
        statuses = [e[2] for e in self.entries]
        return {"read": len(statuses), "loaded": statuses.count("loaded"),
                "rejected": statuses.count("rejected")}


@dataclass
class ImportReport:
    """What an import did: its ledger, notes (unit decisions, corrections, links) and totals."""

    file: str
    ledger: ImportLedger = field(default_factory=ImportLedger)
    notes: list[str] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        """True when every input row loaded."""
        return self.ledger.counts()["rejected"] == 0

    def summary(self) -> str:
        c = self.ledger.counts()
        return f"{self.file}: {c['read']} rows read, {c['loaded']} loaded, {c['rejected']} rejected"

    def write(self, folder: str | Path, stem: str) -> Path:
        """Write the ledger and the notes next to the imported CSV files."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"import-{stem}.ledger.csv"
        write_delimited(path, frame_rows(self.ledger.frame()), defuse_formulas=True)
        (folder / f"import-{stem}.notes.txt").write_text(
            self.summary() + "\n" + "".join(f"- {n}\n" for n in self.notes), encoding="utf-8")
        return path


def start_import(path: str | Path, aliases: dict[str, tuple[str, ...]],
                 required: tuple[str, ...]):
    """Read a CMS file and find its columns; reject every row if a required one is missing.

    Returns
    -------
    report : ImportReport
        With the rows read, a note on ignored columns, and the rejections if any.
    header, records
        As :func:`kg.ingest.cms.source_file.read_records` gives them.
    where : dict or None
        Quantity -> column position; None when the file was rejected.
    """
    from kg.ingest.cms.source_file import locate_columns, read_records

    report = ImportReport(str(path))
    header, records = read_records(path)
    report.rows_read = len(records)
    where = locate_columns(header, aliases)
    unknown = [h for h in header if h not in {header[i] for i in where.values()}]
    if unknown:
        report.notes.append("ignored columns: " + ", ".join(unknown))
    missing = [q for q in required if q not in where]
    if missing:
        reason = "file rejected: required column missing: " + "; ".join(
            f"{q} (one of: {', '.join(aliases[q])})" for q in missing)
        for line, _ in records:
            report.ledger.rejected(str(path), line, missing[0], reason)
        report.notes.append(f"{path}: {reason}")
        return report, header, records, None
    return report, header, records, where
