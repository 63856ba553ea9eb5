"""Reading the curated operator tables (registry, signals, review, exclusions) strictly.

Each table is a CSV file read through :mod:`kg.ingest.csv_records` (the safe reader):
every required column must be in the header and hold a value on every row; a problem is
a :class:`~kg.core.errors.InputRowError` naming ``file:line`` and the column.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_text("a,b\\n1, x \\n")
>>> read_rows(p, ("a", "b"))
[(2, {'a': '1', 'b': 'x'})]
"""

from __future__ import annotations

from pathlib import Path

from kg.core.errors import InputRowError
from kg.ingest.csv_records import cell_problem, read_csv_file

__all__ = ["read_rows"]


def read_rows(path: str | Path, required: tuple[str, ...],
              optional: tuple[str, ...] = ()) -> list[tuple[int, dict[str, str]]]:
    """The rows of `path` as ``(line, {column: stripped value})``.

    Raises
    ------
    InputRowError
        The file cannot be read, lacks a required column, or a row has the wrong number of
        cells, a blank required cell or a cell with a control character.
    """
    path = Path(path)
    source = read_csv_file(path, skip_blank_records=True)
    if source.problems:
        raise InputRowError(str(source.problems[0]))
    header = [h.strip() for h in source.header]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputRowError(f"{path}:1: column {missing[0]} is missing from the header "
                         f"(expected {', '.join(required + optional)})")
    rows = []
    for line, record in source.records:
        if len(record) != len(header):
            raise InputRowError(f"{path}:{line}: expected {len(header)} cells, found {len(record)}")
        row = {h: cell.strip() for h, cell in zip(header, record)}
        for column, cell in row.items():
            problem = cell_problem(cell)
            if problem:
                raise InputRowError(f"{path}:{line}: column {column}: {problem}")
        for column in required:
            if not row[column]:
                raise InputRowError(f"{path}:{line}: column {column} is blank")
        rows.append((line, row))
    return rows
