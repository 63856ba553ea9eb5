"""Reading a CSV file into records, the same way for a build and for an import.

:func:`read_csv_file` reads the file through :func:`kg.core.input_file.read_input_file`
(regular files only, at most :data:`~kg.core.input_file.MAX_INPUT_BYTES`), decodes it as
UTF-8 (a byte order mark is dropped), and splits it with the standard library's CSV
reader in strict mode, keeping the physical line on which each record starts (a quoted
cell may span lines). Whatever goes wrong is said, never raised: the caller accounts for
every record, including those of a file it rejects.

Two limits apply to every cell, and :func:`cell_problem` states them:

* at most :data:`MAX_CELL_CHARS` characters (Python's CSV reader would stop a whole file at
  131,072 characters, its ``field_size_limit``; this limit rejects the one row instead);
* no control character but tab, line feed and carriage return (:data:`CONTROL_CHARACTERS`):
  a NUL or an escape sequence in a name is damage, not text.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
>>> _ = p.write_bytes("\\ufeffa,b\\r\\n1,\\"x\\r\\ny\\"\\r\\n\\r\\n2,z\\r\\n".encode())
>>> f = read_csv_file(p)
>>> f.header, f.records, f.problems, f.ends_with_line_end
(['a', 'b'], [(2, ['1', 'x\\r\\ny']), (5, ['2', 'z'])], [], True)
>>> _ = p.write_text('a,b\\n1,2\\n3,"open\\n4,5\\n')
>>> f = read_csv_file(p)
>>> f.records, f.unread, [str(x) for x in f.problems]  # doctest: +ELLIPSIS
([(2, ['1', '2'])], (3, '...'), ['...x.csv:3: malformed CSV: unexpected end of data (a quoted cell of the record on line 3 is never closed)'])
>>> cell_problem("AB\\x00C"), cell_problem("two\\nlines")
("holds the control character '\\\\x00' at position 3 (only tabs and line breaks may appear in a cell)", None)
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.core.errors import Problem
from kg.core.input_file import MAX_INPUT_BYTES, InputFileError, read_input_file

__all__ = ["MAX_CELL_CHARS", "CONTROL_CHARACTERS", "CsvFile", "read_csv_file", "cell_problem"]

#: The longest cell aco-kg reads, in characters. Cells hold names, codes, locators and
#: short quoted passages; the longest in the curated data has 351 characters, and the
#: CMS files none over 300. A longer cell rejects its row.
MAX_CELL_CHARS = 10_000

#: Control characters refused in a cell: C0 controls but tab, line feed and carriage
#: return; DEL; C1 controls (U+0080 to U+009F).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class CsvFile:
    """One CSV file as split into records.

    Attributes
    ----------
    file : str
        The file as named in messages.
    header : list of str
        The first record (empty when the file could not be read).
    records : list of (int, list of str)
        Every record after the header that could be split, with the physical line it
        starts on.
    problems : list of Problem
        Whole-file problems: unreadable, not UTF-8, empty, malformed CSV.
    unread : (int, str) or None
        Where a malformed file stopped being readable: the line of the record that could
        not be split and the sha256 of the text from there on, so that a ledger can
        account for it as one rejected entry.
    sha256 : str or None
        The sha256 of the file's bytes (None when they could not be read).
    ends_with_line_end : bool
        True when the last record is followed by a line end.
    """

    file: str
    header: list[str] = field(default_factory=list)
    records: list[tuple[int, list[str]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unread: tuple[int, str] | None = None
    sha256: str | None = None
    ends_with_line_end: bool = True
    #: True when the file ends with the closing quote of its last cell (so that cell is whole).
    ends_with_closing_quote: bool = False
    #: True when nothing exists at the path.
    missing: bool = False
    #: False when no cell can break a limit of :func:`cell_problem`: the text holds no
    #: control character and is no longer than one cell may be (one scan of the text).
    may_hold_bad_cells: bool = True


@contextlib.contextmanager
def _field_limit(limit: int):
    """Let the CSV reader take cells of up to `limit` characters (it is process-wide state)."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(limit, previous))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def read_csv_file(path: str | Path, *, display: str | None = None, skip_blank_records: bool = False,
                  max_bytes: int = MAX_INPUT_BYTES) -> CsvFile:
    """Read and split one CSV file; see the module docstring.

    Parameters
    ----------
    path : str or Path
        The file.
    display : str, optional
        How to name the file in messages (default: `path` as given).
    skip_blank_records : bool
        Skip records whose cells are all blank (``,,,``), as spreadsheet exports leave
        them; a completely empty line is never a record.
    max_bytes : int
        The most bytes to read.

    Returns
    -------
    CsvFile
    """
    name = display or str(path)
    try:
        raw = read_input_file(path, max_bytes=max_bytes)
    except InputFileError as exc:
        return CsvFile(name, problems=[Problem(name, None, None, exc.reason)], sha256=None,
                       missing=exc.missing)
    result = CsvFile(name, sha256=hashlib.sha256(raw).hexdigest())
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        result.problems.append(Problem(name, line, None, f"not UTF-8 text (byte {raw[exc.start]:#04x})"))
        text = raw.decode("utf-8", errors="replace")  # still split it, to account for its rows
    text = text.removeprefix("\ufeff")
    if not text.strip():
        result.problems = [Problem(name, None, None, "file is empty: a header row is required")]
        return result
    result.ends_with_line_end = text.endswith(("\n", "\r"))
    result.may_hold_bad_cells = len(text) > MAX_CELL_CHARS or CONTROL_CHARACTERS.search(text) is not None
    with _field_limit(len(text) + 1):
        _split(text, result, skip_blank_records)
    last = result.records[-1][1] if result.records else result.header
    if not result.ends_with_line_end and last and result.unread is None:
        result.ends_with_closing_quote = text.endswith('"' + last[-1].replace('"', '""') + '"')
    return result


def _split(text: str, result: CsvFile, skip_blank_records: bool) -> None:
    try:
        parsed = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        parsed = None  # the line-by-line reading below says where
    physical = text.count("\n") + (not text.endswith("\n"))
    if parsed is not None and len(parsed) == physical and all(parsed):
        # one record per line, no blank line (the usual file): record i is on line i + 1
        result.header = parsed[0]
        result.records = [(line, record) for line, record in zip(range(2, len(parsed) + 1), parsed[1:])
                          if not skip_blank_records or any(c.strip() for c in record)]
        return
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start, header = 1, None
    try:
        for record in reader:
            if record and (not skip_blank_records or any(c.strip() for c in record)):
                if header is None:
                    header = result.header = record
                else:
                    result.records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        reason = str(exc)
        if reason == "unexpected end of data":
            reason += f" (a quoted cell of the record on line {start} is never closed)"
        result.problems.append(Problem(result.file, start, None, f"malformed CSV: {reason}"))
        rest = "".join(text.splitlines(keepends=True)[start - 1:])
        result.unread = (start, hashlib.sha256(rest.encode("utf-8")).hexdigest())


def cell_problem(cell: str) -> str | None:
    """Why a cell cannot be read (too long, a control character), or None when it can."""
    if len(cell) > MAX_CELL_CHARS:
        return f"has {len(cell):,} characters, over the limit of {MAX_CELL_CHARS:,} (MAX_CELL_CHARS)"
    control = CONTROL_CHARACTERS.search(cell)
    if control:
        return (f"holds the control character {control.group()!r} at position {control.start() + 1} "
                "(only tabs and line breaks may appear in a cell)")
    return None
