"""Query results as text: an aligned table, CSV, TSV or JSON records.

Cells keep their meaning across formats: a missing value is empty in CSV/TSV and
``null`` in JSON (never 0); numbers stay numbers; booleans are ``true``/``false``;
dates are ISO 8601. CSV and TSV are written by :mod:`kg.core.delimited`, which defends
spreadsheet users against formula injection: a *text* cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (numbers, such as a
loss of ``-250000.5``, are left alone). Query output and the analysis tables
(:func:`write_csv_tables`, :func:`analysis_json`) are written here.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"name": ["=HYPERLINK(1)", "Access"], "usd": [-1.5, None]})
>>> print(to_csv(frame), end="")
name,usd
'=HYPERLINK(1),-1.5
Access,
>>> to_json(frame)
'[{"name": "=HYPERLINK(1)", "usd": -1.5}, {"name": "Access", "usd": null}]'
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from kg.core.delimited import cell_text, delimited, write_delimited
from kg.core.iris import BASE, compact

__all__ = ["FORMATS", "cell_value", "to_csv", "to_tsv", "to_json", "to_table", "render",
           "write_csv_tables", "analysis_json"]

FORMATS = ("table", "csv", "tsv", "json")


def cell_value(value: Any) -> Any:
    """Return a plain Python value for a cell: None, bool, int, float, or str.

    >>> cell_value(pd.NA) is None, cell_value(pd.Timestamp("2017-03-01"))
    (True, '2017-03-01')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalars
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return value  # keep floats as floats: the column's type is the query's
    return value


def _text(value: Any) -> str:
    return cell_text(cell_value(value))


def _rows(frame: pd.DataFrame):
    yield list(frame.columns)
    for row in frame.itertuples(index=False, name=None):
        yield [cell_value(v) for v in row]


def to_csv(frame: pd.DataFrame) -> str:
    """Return the frame as CSV (RFC 4180 quoting, a header row, ``\\n`` line ends)."""
    return delimited(_rows(frame), defuse_formulas=True)


def to_tsv(frame: pd.DataFrame) -> str:
    """Return the frame as tab-separated values (quoted where a cell holds a tab or newline)."""
    return delimited(_rows(frame), delimiter="\t", defuse_formulas=True)


def write_csv_tables(tables: dict[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write one ``NAME.csv`` per table into `folder` (created), as :func:`to_csv` writes it.

    This is how the analysis tables are written (``aco-kg analyze --format csv``): unknown
    values are empty cells, numbers stay numbers, text that a spreadsheet would run as a
    formula starts with ``'``.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> [p.name for p in write_csv_tables({"partners": pd.DataFrame({"name": ["@x"]})}, folder)]
    ['partners.csv']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_delimited(folder / f"{name}.csv", _rows(frame), defuse_formulas=True)
            for name, frame in tables.items()]


def to_json(frame: pd.DataFrame) -> str:
    """Return the frame as a JSON array of records with JSON types (null when unknown)."""
    records = [{c: cell_value(v) for c, v in zip(frame.columns, row)}
               for row in frame.itertuples(index=False, name=None)]
    return json.dumps(records, ensure_ascii=False)


def analysis_json(tables: dict[str, pd.DataFrame]) -> dict:
    """The analysis tables as one JSON document: ``{"schema_version", "tables": {name: [row]}}``.

    Unknown values are null, never 0 (``aco-kg analyze --format json``).

    Examples
    --------
    >>> analysis_json({"t": pd.DataFrame({"x": [1.5, None]})})["tables"]
    {'t': [{'x': 1.5}, {'x': None}]}
    """
    from kg.analysis.analyze import SCHEMA_VERSION
    return {"schema_version": SCHEMA_VERSION,
            "tables": {name: [{c: cell_value(v) for c, v in row.items()}
                              for row in frame.to_dict("records")]
                       for name, frame in tables.items()}}


#: Characters a terminal would act on rather than show: C0 and C1 controls, DEL, and the
#: bidirectional overrides that reorder what is displayed.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _inert(text: str) -> str:
    r"""Show control characters as escapes, so that a cell cannot drive the terminal.

    >>> _inert("\x1b[31mred\x1b[0m")
    '\\x1b[31mred\\x1b[0m'
    """
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                         else f"\\u{ord(m.group()):04x}", text)


def to_table(frame: pd.DataFrame, max_width: int = 60) -> str:
    """Return the frame as an aligned plain-text table, long cells cut at `max_width`.

    For reading on a screen, aco-kg IRIs are shown as CURIEs (``id:organization/a``);
    CSV, TSV and JSON keep them in full.

    >>> print(to_table(pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": ["x", "y"]})))
    a  b
    -  -
    1  x
       y
    (2 rows)
    """
    def show(value):
        text = _inert(_text(value).replace("\n", " "))
        if text.startswith(BASE):
            text = compact(text)
        return text if len(text) <= max_width else text[:max_width - 1] + "…"

    header = [str(c) for c in frame.columns]
    body = [[show(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in body]
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines)


def render(frame: pd.DataFrame, fmt: str) -> str:
    """Return the frame in format `fmt` (one of :data:`FORMATS`)."""
    if fmt == "csv":
        return to_csv(frame)
    if fmt == "tsv":
        return to_tsv(frame)
    if fmt == "json":
        return to_json(frame) + "\n"
    if fmt == "table":
        return to_table(frame) + "\n"
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
