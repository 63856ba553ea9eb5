"""Strict reading and checking of the CSV files, and the ledger of every input row.

Nothing is coerced silently: every cell is read as text (``00123`` stays ``00123``,
``NA`` is a name), a blank cell is unknown, and each value is then checked against its
column in the data dictionary. Files are read and split into records by
:mod:`kg.ingest.csv_records` (regular files only, a size cap, physical line numbers: quoted
cells may span lines, a cell limit, no control characters); the checks run on pandas
columns, so they stay fast on large files.

Examples
--------
>>> import tempfile, pathlib
>>> from kg.core.dictionary import load_dictionary
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "sources.csv").write_text(
...     "source_id,title,authors,year,citation,source_kind,identifier\\n"
...     "s1,A title,,20x4,A citation,essay,\\n")
>>> table = read_table(folder / "sources.csv", load_dictionary().resource("sources"))
>>> check_values(table, {"source-kind": {"essay": "https://w3id.org/aco-kg/code/source-kind/essay"}},
...              load_dictionary())
>>> [str(p) for p in table.problems]  # doctest: +ELLIPSIS
["...sources.csv:2: column year: '20x4' is not a year (YYYY)"]
"""

from __future__ import annotations

import calendar
import hashlib
import re
from decimal import Decimal
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kg.core.dictionary import Dictionary, Field, Resource
from kg.core.errors import Problem
from kg.ingest.csv_records import CONTROL_CHARACTERS, MAX_CELL_CHARS, cell_problem, read_csv_file

__all__ = [
    "ID_PATTERN",
    "Table",
    "read_table",
    "check_values",
    "check_keys",
    "check_references",
    "concat_tables",
    "ledger",
]

#: What an identifier may contain: it becomes part of an IRI and of file names.
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"
_PATTERNS = {
    "integer": (r"-?[0-9]+", "an integer"),
    "number": (r"-?[0-9]+(\.[0-9]+)?", "a decimal number (digits, optional '.', no '$', ',' or exponent)"),
    "year": (r"[0-9]{4}", "a year (YYYY)"),
    "date": (r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", "a date (YYYY, YYYY-MM or YYYY-MM-DD)"),
}


def _show(value: str, limit: int = 60) -> str:
    """Quote a cell for a message, shortened and with control characters visible."""
    text = value if len(value) <= limit else value[: limit - 3] + "..."
    return repr(text)


@dataclass
class Table:
    """One CSV file as read: its records as text, and what is wrong with them.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per well-formed record, every column as text (blank = unknown).
    lines : list of int
        The physical line on which each row of `frame` starts.
    rows_read : int
        Every record in the file (well-formed or not), the header excluded.
    problems : list of Problem
        Every problem found so far.
    """

    resource: Resource
    file: str
    frame: pd.DataFrame
    lines: list[int]
    hashes: list[str]
    rows_read: int
    file_problems: list[Problem] = field(default_factory=list)
    row_problems: dict[int, list[Problem]] = field(default_factory=dict)
    ragged: list[tuple[int, str, Problem]] = field(default_factory=list)
    #: The file of each row of `frame` when the table joins files of several folders
    #: (see :func:`concat_tables`); None when every row comes from `file`.
    row_files: list[str] | None = None
    #: The sha256 of each file's bytes as read (None for a file that could not be read).
    digests: dict[str, str | None] = field(default_factory=dict)

    def file_of(self, pos: int) -> str:
        """The file that the row at position `pos` of `frame` was read from."""
        return self.row_files[pos] if self.row_files is not None else self.file

    @property
    def files(self) -> list[str]:
        """Every file this table was read from, in order."""
        return self.file.split(" + ")

    @property
    def problems(self) -> list[Problem]:
        """Every problem, whole-file problems first, then by line."""
        rows = [p for ps in self.row_problems.values() for p in ps] + [r[2] for r in self.ragged]
        return self.file_problems + sorted(rows, key=lambda p: (p.line or 0, p.column or ""))

    @property
    def accepted(self) -> pd.DataFrame:
        """The rows with no problem (none at all if the file itself is rejected)."""
        if self.file_problems:
            return self.frame.iloc[0:0]
        return self.frame.drop(index=list(self.row_problems))

    def reject(self, positions, column: str | None, reasons) -> None:
        """Record a problem for each row position (with its own reason)."""
        for pos, reason in zip(positions, reasons):
            problem = Problem(self.file_of(pos), self.lines[pos], column, reason)
            self.row_problems.setdefault(pos, []).append(problem)


def _digest(record: list[str]) -> str:
    """The sha256 a ledger gives one record (its cells joined by the unit separator)."""
    return hashlib.sha256("\x1f".join(record).encode("utf-8")).hexdigest()


def read_table(path: str | Path, resource: Resource, display: str | None = None) -> Table:
    """Read one CSV file strictly: header, records and line numbers; no value checks yet.

    The file must be a regular file of at most :data:`~kg.core.input_file.MAX_INPUT_BYTES`
    (a FIFO, a device, a directory or a link to one is refused without being opened for
    reading), UTF-8 text (a byte order mark and CRLF line ends are accepted). The header
    must name the dictionary's columns exactly (no missing, extra or repeated column);
    otherwise the whole file is rejected, and each of its records is accounted for as
    rejected. A record with too few or too many cells is rejected, and so is one with a
    cell over :data:`~kg.ingest.csv_records.MAX_CELL_CHARS` characters or a control
    character in a text column (:func:`~kg.ingest.csv_records.cell_problem`).

    Parameters
    ----------
    path : str or Path
        The CSV file.
    resource : Resource
        Its entry in the data dictionary.
    display : str, optional
        How to name the file in messages (default: `path` as given).
    """
    name = display or str(path)
    empty = pd.DataFrame(columns=resource.columns, dtype=str)
    source = read_csv_file(path, display=name)
    digests = {name: source.sha256}
    if source.sha256 is None or not source.header:  # unreadable or empty: no record to count
        return Table(resource, name, empty, [], [], 0, source.problems, digests=digests)
    file_problems = list(source.problems)
    header, records = source.header, source.records
    rows_read = len(records) + (source.unread is not None)

    if source.unread is None:
        expected = resource.columns
        seen = set()
        for column in header:
            if column in seen:
                file_problems.append(Problem(name, 1, column, "column appears more than once in the header"))
            seen.add(column)
        for column in expected:
            if column not in seen:
                file_problems.append(Problem(name, 1, column, "column is missing from the header"))
        for column in header:
            if column not in expected:
                file_problems.append(Problem(name, 1, column or "(blank)",
                                             f"unknown column (expected: {', '.join(expected)})"))
        if not file_problems and header != expected:  # right names, wrong order
            file_problems.append(Problem(name, 1, None, "columns are not in the dictionary's order: "
                                         + ", ".join(expected)))

    if file_problems:
        # every record is still accounted for in the ledger (as rejected), and so is the
        # part of a malformed file that could not be split into records
        because = f"file rejected: {file_problems[0].reason}"
        ragged = [(line, _digest(record), Problem(name, line, None, because)) for line, record in records]
        if source.unread is not None:
            line, digest = source.unread
            ragged.append((line, digest, Problem(name, line, None, f"{file_problems[-1].reason}; "
                                                 "the file could not be read from here on")))
        return Table(resource, name, empty, [], [], rows_read, file_problems, {}, ragged,
                     digests=digests)

    good, lines, hashes, ragged = [], [], [], []
    for line, record in records:
        if len(record) != len(header):
            ragged.append((line, _digest(record), Problem(
                name, line, None, f"expected {len(header)} cells, found {len(record)}")))
            continue
        good.append(record)
        lines.append(line)
        hashes.append(_digest(record))
    frame = pd.DataFrame(good, columns=header, dtype=str)
    table = Table(resource, name, frame, lines, hashes, rows_read, [], {}, ragged, digests=digests)
    if source.may_hold_bad_cells:
        _check_cells(table)
    return table


def _check_cells(table: Table) -> None:
    """Reject rows with a cell over the length limit or a control character in a text column.

    Called only for a file whose text may hold such a cell (most hold none, which one scan
    of the text tells: :attr:`~kg.ingest.csv_records.CsvFile.may_hold_bad_cells`).
    """
    frame = table.frame
    if frame.empty:
        return
    for f in table.resource.fields:
        s = frame[f.name]
        long = s.str.len() > MAX_CELL_CHARS
        control = (s.str.contains(CONTROL_CHARACTERS.pattern, regex=True) if f.type == "string"
                   else pd.Series(False, index=s.index))
        bad = long | control
        if bad.any():
            table.reject(s.index[bad], f.name, [cell_problem(v) for v in s[bad]])


def _by_value(values: pd.Series, function) -> pd.Series:
    """`function` of every cell, computed once per distinct value.

    A column repeats its values (dates, codes, references): a check written in Python
    then costs the distinct values, not the rows.

    >>> _by_value(pd.Series(["a", "bb", "a"]), len).tolist()
    [1, 2, 1]
    """
    seen: dict = {}
    results = [seen[v] if v in seen else seen.setdefault(v, function(v))
               for v in values.to_numpy(dtype=object)]
    return pd.Series(results, index=values.index)


def _date_bounds(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Earliest and latest day (as YYYY-MM-DD text) that partial dates may stand for."""
    def lower(v: str) -> str:
        return v + "-01-01" if len(v) == 4 else v + "-01" if len(v) == 7 else v

    def upper(v: str) -> str:
        if len(v) == 4:
            return v + "-12-31"
        if len(v) == 7:
            y, m = int(v[:4]), int(v[5:7])
            return f"{v}-{calendar.monthrange(y, m)[1]:02d}"
        return v
    return _by_value(values, lower), _by_value(values, upper)


def _is_calendar_date(v: str) -> bool:
    """Whether a YYYY[-MM[-DD]] text is a real calendar date.

    >>> _is_calendar_date("2024-02-29"), _is_calendar_date("2023-02-29"), _is_calendar_date("2023-13")
    (True, False, False)
    """
    parts = [int(x) for x in v.split("-")]
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        return False
    if len(parts) == 3 and not 1 <= parts[2] <= calendar.monthrange(parts[0], parts[1])[1]:
        return False
    return True


def _check_field(table: Table, f: Field, codes: dict[str, dict[str, str]],
                 dictionary: Dictionary, is_key: bool) -> pd.Series:
    """Check one column; return the mask of cells that hold a valid, non-blank value.

    The checks run in order on the cells that passed the earlier ones, each on a cell's
    text, once per distinct value (a column repeats its dates, codes and references), in
    plain Python: a data file has a few dozen columns and most have few rows, where
    pandas' cost per operation would outweigh the work.
    """
    column = table.frame[f.name]
    values = column.tolist()
    ok = [v != "" for v in values]
    if f.required:
        blank = [i for i, v in enumerate(values) if v == ""]
        table.reject(column.index[blank], f.name, ["is required but blank"] * len(blank))

    def fail(is_bad, message) -> None:
        verdicts: dict[str, bool] = {}
        bad = [i for i, v in enumerate(values) if ok[i]
               and (verdicts[v] if v in verdicts else verdicts.setdefault(v, is_bad(v)))]
        if bad:
            table.reject(column.index[bad], f.name, [message(values[i]) for i in bad])
            for i in bad:
                ok[i] = False

    def mismatch(pattern: str):
        regex = re.compile(pattern)
        return lambda v: regex.fullmatch(v) is None

    if f.type != "string" or is_key or f.reference or f.code_scheme:
        fail(lambda v: v.strip() != v, lambda v: f"{_show(v)} has leading or trailing spaces")
    if is_key or f.reference:
        fail(mismatch(ID_PATTERN),
             lambda v: f"{_show(v)} is not a valid identifier: use letters, digits, '.', '_' or '-' "
                       "(no spaces, '#', '%', '/' or quotes; at most 128 characters)")
    if f.type in _PATTERNS:
        regex, words = _PATTERNS[f.type]
        fail(mismatch(regex), lambda v: f"{_show(v)} is not {words}")
    if f.type == "date":
        fail(lambda v: not _is_calendar_date(v), lambda v: f"{_show(v)} is not a calendar date")
    if f.type == "boolean":
        allowed = dictionary.true_values | dictionary.false_values
        fail(lambda v: v not in allowed,
             lambda v: f"{_show(v)} is not a boolean (use {' or '.join(sorted(allowed))})")
    if f.type in ("integer", "number", "year") and (f.minimum is not None or f.maximum is not None):
        # the cells left passed the type's pattern: plain decimal numbers, compared exactly
        if f.minimum is not None:
            fail(lambda v: Decimal(v) < f.minimum, lambda v: f"{v} is below the minimum {f.minimum:g}")
        if f.maximum is not None:
            fail(lambda v: Decimal(v) > f.maximum, lambda v: f"{v} is above the maximum {f.maximum:g}")
    if f.min_length is not None:
        fail(lambda v: len(v) < f.min_length,
             lambda v: f"{_show(v)} is shorter than {f.min_length} characters")
    if f.pattern:
        fail(mismatch(f.pattern), lambda v: f"{_show(v)} does not match the pattern {f.pattern}")
    if f.code_scheme == "*":
        allowed = {f"{scheme}/{n}" for scheme, notes in codes.items() for n in notes}
        fail(lambda v: v not in allowed,
             lambda v: f"{_show(v)} is not a code SCHEME/NOTATION of ontology/codes.ttl")
    elif f.code_scheme:
        allowed = codes.get(f.code_scheme, {})
        fail(lambda v: v not in allowed,
             lambda v: f"{_show(v)} is not in code list {f.code_scheme} "
                       f"({', '.join(sorted(allowed)[:12])}{', ...' if len(allowed) > 12 else ''})")
    return pd.Series(ok, index=column.index, dtype=bool)


def check_values(table: Table, codes: dict[str, dict[str, str]], dictionary: Dictionary) -> None:
    """Check every cell against its column's type, range, pattern and code list, then the row checks."""
    if table.file_problems or table.frame.empty:
        return
    r = table.resource
    valid = {f.name: _check_field(table, f, codes, dictionary, f.name == r.primary_key)
             for f in r.fields}
    frame = table.frame
    for check in r.row_checks:
        cols = check.fields
        if check.rule == "anyOf":
            bad = ~pd.concat([frame[c] != "" for c in cols], axis=1).any(axis=1)
            table.reject(frame.index[bad], cols[0], [check.describe()] * int(bad.sum()))
        elif check.rule == "requires":
            bad = (frame[cols[0]] != "") & (frame[cols[1]] == "")
            table.reject(frame.index[bad], cols[0], [check.describe()] * int(bad.sum()))
        else:  # notAfter
            a, b = cols
            both = valid[a] & valid[b]
            if not both.any():
                continue
            fa, fb = r.field(a), r.field(b)
            if fa.type == "date" or fb.type == "date":
                low, _ = _date_bounds(frame.loc[both, a])
                _, high = _date_bounds(frame.loc[both, b])
                late = low > high
            else:
                late = pd.to_numeric(frame.loc[both, a]) > pd.to_numeric(frame.loc[both, b])
            rows = late[late].index
            table.reject(rows, a, [f"{a} {frame.at[i, a]} is after {b} {frame.at[i, b]}" for i in rows])


def check_keys(table: Table) -> None:
    """Reject a row whose primary key or unique key repeats an earlier row's."""
    if table.file_problems or table.frame.empty:
        return
    r = table.resource
    frame = table.frame
    for key in [(r.primary_key,)] + list(r.unique_keys):
        cols = list(key)
        filled = (frame[cols] != "").all(axis=1)
        sub = frame.loc[filled, cols]
        dup = sub.duplicated(keep="first")
        if not dup.any():
            continue
        first_line = {}
        for pos, values in zip(sub.index, map(tuple, sub.to_numpy())):
            where = (str(table.lines[pos]) if table.row_files is None
                     else f"{table.lines[pos]} of {table.file_of(pos)}")
            first_line.setdefault(values, where)
        rows = dup[dup].index
        words = "duplicate " + (cols[0] if len(cols) == 1 else "combination of " + ", ".join(cols))
        table.reject(rows, cols[0], [
            f"{words} {', '.join(_show(v) for v in frame.loc[i, cols])} "
            f"(first on line {first_line[tuple(frame.loc[i, cols])]})" for i in rows])


def check_references(tables: dict[str, Table]) -> None:
    """Reject a row whose reference names no row of the referenced file."""
    keys = {}
    for name, t in tables.items():
        if not t.file_problems:
            keys[name] = set(t.frame[t.resource.primary_key])
    for t in tables.values():
        if t.file_problems or t.frame.empty:
            continue
        for f in t.resource.fields:
            if not f.reference:
                continue
            target = tables.get(f.reference)
            if f.reference not in keys:
                continue  # the referenced file is itself rejected; it says why
            s = t.frame[f.name]
            bad = (s != "") & ~s.isin(keys[f.reference])
            t.reject(s.index[bad], f.name, [
                f"{_show(v)} is not a {target.resource.primary_key} in "
                f"{' or '.join(Path(f).name for f in dict.fromkeys(target.files))}"
                for v in s[bad]])


def concat_tables(parts: list[Table]) -> Table:
    """Join the tables of one resource read from several folders into one table.

    Rows keep their own file and line (:meth:`Table.file_of`), so every message and
    the ledger still name where a row came from; keys and references are then checked
    across all folders at once.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from kg.core.dictionary import load_dictionary
    >>> r = load_dictionary().resource("sources")
    >>> parts = []
    >>> for n in (1, 2):
    ...     folder = pathlib.Path(tempfile.mkdtemp())
    ...     _ = (folder / "sources.csv").write_text(
    ...         "source_id,title,authors,year,citation,source_kind,identifier\\n"
    ...         f"s{n},T,,2020,C,essay,\\n")
    ...     parts.append(read_table(folder / "sources.csv", r, display=f"f{n}/sources.csv"))
    >>> joined = concat_tables(parts)
    >>> list(joined.frame["source_id"]), joined.file_of(1), joined.rows_read
    (['s1', 's2'], 'f2/sources.csv', 2)
    """
    if len(parts) == 1:
        return parts[0]
    frames, lines, hashes, files, ragged, file_problems, digests = [], [], [], [], [], [], {}
    row_problems: dict[int, list[Problem]] = {}
    for part in parts:
        offset = len(lines)
        for pos, problems in part.row_problems.items():
            row_problems[offset + pos] = list(problems)
        frames.append(part.frame)
        lines += part.lines
        hashes += part.hashes
        files += [part.file] * len(part.frame)
        ragged += part.ragged
        file_problems += part.file_problems
        digests.update(part.digests)
    resource = parts[0].resource
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=resource.columns, dtype=str)
    if file_problems:
        # one folder's file is unreadable: every row of the resource is held back, and
        # the well-formed rows of the other folders are accounted for as rejected
        for part in parts:
            if not part.file_problems:
                ragged += [(line, digest, Problem(part.file, line, None,
                                                  "held back: another folder's file of this "
                                                  "resource was rejected"))
                           for line, digest in zip(part.lines, part.hashes)]
        frame = frame.iloc[0:0]
        lines, hashes, files, row_problems = [], [], [], {}
    return Table(resource, " + ".join(p.file for p in parts), frame, lines, hashes,
                 sum(p.rows_read for p in parts), file_problems, row_problems, ragged, files,
                 digests)


def ledger(tables: dict[str, Table], iris: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Return one ledger row per input record: loaded, or rejected with its reasons.

    Parameters
    ----------
    tables : dict of str to Table
    iris : dict of str to list of str, optional
        For each resource, the IRI minted for each row of its frame.

    Returns
    -------
    pandas.DataFrame
        Columns ``file, line, status, column, reason, sha256, iri``; one row per record,
        so that loaded plus rejected equals the records read.
    """
    rows = []
    for name, t in tables.items():
        minted = (iris or {}).get(name)
        for pos, (line, digest) in enumerate(zip(t.lines, t.hashes)):
            problems = t.row_problems.get(pos)
            file = t.file_of(pos)
            if problems or t.file_problems:
                reasons = problems or [Problem(file, line, None, "file rejected")]
                rows.append((file, line, "rejected",
                             "; ".join(sorted({p.column or "" for p in reasons} - {""})),
                             "; ".join(p.reason for p in reasons), digest, ""))
            else:
                rows.append((file, line, "loaded", "", "", digest,
                             minted[pos] if minted else ""))
        for line, digest, problem in t.ragged:
            rows.append((problem.file, line, "rejected", problem.column or "", problem.reason, digest, ""))
    frame = pd.DataFrame(rows, columns=["file", "line", "status", "column", "reason", "sha256", "iri"])
    return frame.sort_values(["file", "line"], kind="stable").reset_index(drop=True)
