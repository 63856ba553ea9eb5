"""Reading a public CSV file as it comes: BOM, CRLF, physical line numbers, no coercion.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
>>> _ = p.write_bytes("\\ufeffa,b\\r\\n1,\\"x\\r\\ny\\"\\r\\n2,z\\r\\n".encode())
>>> header, records = read_records(p)
>>> header, [(line, row) for line, row in records]
(['a', 'b'], [(2, ['1', 'x\\r\\ny']), (4, ['2', 'z'])])
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kg.core.errors import UsageError

__all__ = ["read_records", "locate_columns"]


def read_records(path: str | Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Return the header and every record with the physical line it starts on.

    Raises
    ------
    UsageError
        If the file cannot be read, is not UTF-8 text, is empty or is not well-formed CSV
        (the message names the file and line).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UsageError(f"{path}:{line}: not UTF-8 text (byte {raw[exc.start]:#04x})") from None
    if not text.strip():
        raise UsageError(f"{path}: file is empty: a header row is required")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    try:
        header = [h.strip() for h in next(reader)]
        start = reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UsageError(f"{path}:{reader.line_num}: malformed CSV: {exc}") from None
    return header, records


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
