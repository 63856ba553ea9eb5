"""Writing CSV and TSV: the one writer behind every delimited file aco-kg writes.

Query and analysis output (:mod:`kg.products.formats`), ledgers, import folders and
synthetic data all go through :func:`delimited`, so that they quote alike and read back
alike: RFC 4180 quoting, a header row, ``\\n`` line ends, and a cell holding a carriage
return quoted like one holding a line feed (the :mod:`csv` module quotes only the
characters of the line terminator it writes, so with ``\\n`` rows it would leave a bare
``\\r``, which a reader takes for the end of the record).

Cells are plain values: ``None`` is an empty cell (unknown, never 0), ``True``/``False``
are ``true``/``false``, numbers are written as Python writes them, text as it is.

Files that people open in a spreadsheet (query and analysis output, ledgers) are written
with ``defuse_formulas=True``: a *text* cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return gets a leading ``'`` (:data:`FORMULA_PREFIX`), so that a
spreadsheet shows it instead of running it as a formula (OWASP, "CSV Injection").
Numbers are never prefixed: a loss of ``-250000.5`` stays a number. Files that aco-kg
reads back as data (an import folder, synthetic data) are written exactly.

Examples
--------
>>> delimited([["name", "usd"], ["=HYPERLINK(1)", -1.5], ["a\\rb", None]], defuse_formulas=True)
'name,usd\\n\\'=HYPERLINK(1),-1.5\\n"a\\rb",\\n'
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path
from typing import Any, Iterable, Sequence

__all__ = ["FORMULA_PREFIX", "FORMULA_STARTS", "cell_text", "delimited", "write_delimited",
           "frame_rows"]

#: What a text cell that a spreadsheet would run as a formula is prefixed with.
FORMULA_PREFIX = "'"
#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any, *, defuse_formulas: bool = False) -> str:
    """The text of one cell: see the module docstring.

    >>> cell_text(None), cell_text(True), cell_text(3.0), cell_text("-3"), cell_text(-3)
    ('', 'true', '3.0', '-3', '-3')
    >>> cell_text("-3", defuse_formulas=True), cell_text(-3, defuse_formulas=True)
    ("'-3", '-3')
    """
    if value is None:
        return ""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # a numpy scalar
    if isinstance(value, str):
        if defuse_formulas and value.startswith(FORMULA_STARTS):
            return FORMULA_PREFIX + value
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


def delimited(rows: Iterable[Sequence[Any]], *, delimiter: str = ",",
              defuse_formulas: bool = False) -> str:
    """Return `rows` (the header first) as CSV, or TSV with ``delimiter="\\t"``.

    Parameters
    ----------
    rows : iterable of sequences
        The header row, then the records, as plain values (see :func:`cell_text`).
    delimiter : str
        ``","`` (CSV) or ``"\\t"`` (TSV).
    defuse_formulas : bool
        Prefix text cells that a spreadsheet would run as formulas (see the module
        docstring); for files people open, never for data aco-kg reads back.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    careful = None
    for row in rows:
        cells = [cell_text(v, defuse_formulas=defuse_formulas) for v in row]
        if any("\r" in cell for cell in cells):
            # written with "\r\n" ends, which quotes a cell holding "\r"; the end is put back to "\n"
            if careful is None:
                careful_buffer = io.StringIO()
                careful = csv.writer(careful_buffer, delimiter=delimiter, lineterminator="\r\n")
            careful_buffer.seek(0)
            careful_buffer.truncate()
            careful.writerow(cells)
            buffer.write(careful_buffer.getvalue()[:-2] + "\n")
        else:
            writer.writerow(cells)
    return buffer.getvalue()


def write_delimited(path: str | Path, rows: Iterable[Sequence[Any]], *, delimiter: str = ",",
                    defuse_formulas: bool = False) -> Path:
    """Write :func:`delimited` text to `path` (UTF-8), replacing it in one step.

    The text goes to a temporary file beside `path`, which then takes its name, so a
    reader never sees half a file.
    """
    path = Path(path)
    text = delimited(rows, delimiter=delimiter, defuse_formulas=defuse_formulas)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8", newline="")
    os.replace(partial, path)
    return path


def frame_rows(frame) -> Iterable[Sequence[Any]]:
    """The header and the records of a pandas DataFrame whose cells are plain values.

    (A frame that may hold ``pd.NA`` or timestamps is converted cell by cell first, as
    :mod:`kg.products.formats` does.)
    """
    yield list(frame.columns)
    yield from frame.itertuples(index=False, name=None)
