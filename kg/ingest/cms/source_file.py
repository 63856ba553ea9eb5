"""Reading a public CSV file as it comes, and the checks every record of it passes.

:func:`read_source` reads the file as a build reads its own (:mod:`kg.ingest.csv_records`:
regular files only, a size cap, UTF-8 with or without a byte order mark, CRLF, strict
CSV, physical line numbers), with header names stripped and all-blank records
(``,,,``) skipped. :func:`checked_records` then gives an importer only the records it
can read, and rejects the others in the import's ledger, each with its reason:

* a record with fewer or more cells than the header (a file cut inside a record);
* a cell over :data:`~kg.ingest.csv_records.MAX_CELL_CHARS` characters or holding a
  control character (:func:`~kg.ingest.csv_records.cell_problem`);
* the last record, when the file does not end with a line end and the record's last
  cell is one the importer reads and could be the beginning of a longer value: the file
  may have been cut inside that cell (:func:`cut_inside_last_cell`).

What the format cannot tell: a file cut exactly at the end of a record, with its line
end, reads as a complete shorter file. CMS's files carry no row count or total to check
against; see the README, "CMS import", for what is and is not detected.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
>>> _ = p.write_bytes("\\ufeffa, b\\r\\n1,\\"x\\r\\ny\\"\\r\\n,\\r\\n2,z\\r\\n".encode())
>>> source = read_source(p)
>>> source.header, source.records
(['a', 'b'], [(2, ['1', 'x\\r\\ny']), (5, ['2', 'z'])])
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

from kg.ingest.csv_records import CsvFile, cell_problem, read_csv_file

__all__ = ["read_source", "locate_columns", "cut_inside_last_cell", "checked_records",
           "differences"]


def read_source(path: str | Path) -> CsvFile:
    """Read a CMS file into records; whole-file problems are in ``problems`` (never raised)."""
    source = read_csv_file(path, skip_blank_records=True)
    source.header = [h.strip() for h in source.header]
    return source


def locate_columns(header: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Map each quantity to the position of its first alias present in `header`.

    >>> locate_columns(["ACO_Name", "N_AB"], {"name": ("aco_name", "ACO_Name"), "ab": ("N_AB",),
    ...                                      "state": ("ACO_State",)})
    {'name': 0, 'ab': 1}
    """
    where = {}
    for quantity, names in aliases.items():
        for name in names:
            if name in header:
                where[quantity] = header.index(name)
                break
    return where


def cut_inside_last_cell(source: CsvFile, read: Collection[int],
                         complete: Mapping[int, Collection[str]] | None = None) -> str | None:
    """Why the file's last record may have been cut inside its last cell, or None.

    A file that ends without a line end may have been cut anywhere in its last line. Cut
    inside a quoted cell, it is malformed; cut between cells, its last record is short;
    cut inside an unquoted last cell, it looks complete, and only the value can be
    wrong. That matters only when the importer reads the cell, and only when the value
    could be the start of a longer one: a flag that is ``0`` or ``1`` cannot be.

    Parameters
    ----------
    source : CsvFile
    read : collection of int
        The positions of the columns the importer reads.
    complete : mapping of int to collection of str, optional
        For a column, the values that no longer valid value begins with (``{"0", "1"}``
        for a flag).

    Examples
    --------
    >>> f = CsvFile("f.csv", header=["id", "usd"], records=[(2, ["A1", "12"])],
    ...             ends_with_line_end=False)
    >>> cut_inside_last_cell(f, read={0, 1})  # doctest: +ELLIPSIS
    "the file ends inside this record's last cell (usd '12') without a line end: ..."
    >>> cut_inside_last_cell(f, read={0}) is None, cut_inside_last_cell(f, {1}, {1: {"12"}}) is None
    (True, True)
    """
    if source.ends_with_line_end or source.ends_with_closing_quote or not source.records:
        return None
    _, record = source.records[-1]
    last = len(source.header) - 1
    if len(record) != len(source.header) or last not in read:
        return None
    if record[last] in (complete or {}).get(last, ()):
        return None
    return (f"the file ends inside this record's last cell ({source.header[last]} "
            f"{record[last]!r}) without a line end: it may have been cut there. If the record "
            "is complete, end the file with a line break and import it again")


def checked_records(source: CsvFile, report, read: Collection[int],
                    complete: Mapping[int, Collection[str]] | None = None
                    ) -> Iterator[tuple[int, list[str]]]:
    """The records of `source` an importer can read; the others are rejected in `report`.

    Parameters
    ----------
    source : CsvFile
    report : kg.ingest.cms.ledger.ImportReport
        Whose ledger records each rejection.
    read, complete
        As for :func:`cut_inside_last_cell`.
    """
    cut = cut_inside_last_cell(source, read, complete)
    width = len(source.header)
    for index, (line, record) in enumerate(source.records):
        if len(record) != width:
            report.ledger.rejected(source.file, line, "", f"expected {width} cells, found {len(record)}"
                                   + (" (the file may have been cut inside this record)"
                                      if index == len(source.records) - 1 and len(record) < width
                                      else ""))
            continue
        bad = next(((position, why) for position, cell in enumerate(record)
                    if (why := cell_problem(cell))), None) if source.may_hold_bad_cells else None
        if bad:
            report.ledger.rejected(source.file, line, source.header[bad[0]], f"the cell {bad[1]}")
            continue
        if cut and index == len(source.records) - 1:
            report.ledger.rejected(source.file, line, source.header[-1], cut)
            continue
        yield line, record


def differences(header: list[str], first: list[str], again: list[str]) -> str:
    """Say how a repeated record differs from the first: the columns whose cells differ.

    >>> differences(["ACO_ID", "N_AB", "GenSaveLoss"], ["A1", "10", "5"], ["A1", "12", "6"])
    'the records differ in N_AB (10 then 12), GenSaveLoss (5 then 6)'
    >>> differences(["ACO_ID"], ["A1"], ["A1"])
    'an exact copy of that record'
    """
    changed = [f"{h} ({a.strip()} then {b.strip()})" if len(a) + len(b) < 60 else h
               for h, a, b in zip(header, first, again) if a.strip() != b.strip()]
    if not changed:
        return "an exact copy of that record"
    shown = ", ".join(changed[:6]) + (f" and {len(changed) - 6} more" if len(changed) > 6 else "")
    return f"the records differ in {shown}"
