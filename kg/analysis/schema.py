"""Declared columns: each analysis table's maker says which columns it makes, once.

A :class:`TableSpec` names a table, says what one row is, and lists its :class:`Column`
objects (name, JSON type, meaning). The function that builds a table declares its spec
next to it (``BOARD_POWER`` beside :func:`kg.analysis.power.voting.board_power`, ...) and
builds the frame through :meth:`TableSpec.from_records` or checks it with
:meth:`TableSpec.check`: a column missing, added or moved raises :class:`ColumnDriftError`
instead of being filled with blanks or dropped by a reindex. :data:`kg.analysis.analyze.SCHEMA`
(and the README's schema section) is assembled from these declarations.

Examples
--------
>>> spec = TableSpec("pairs", "one pair", (Column("a", "integer", "first"),
...                                        Column("b", "string", "second")))
>>> spec.from_records([{"a": 1, "b": "x"}]).columns.tolist()
['a', 'b']
>>> spec.from_records([]).columns.tolist()
['a', 'b']
>>> spec.from_records([{"a": 1, "c": "x"}])
Traceback (most recent call last):
...
kg.analysis.schema.ColumnDriftError: table pairs: missing b; not declared c
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import pandas as pd

__all__ = ["COLUMN_TYPES", "Column", "TableSpec", "ColumnDriftError"]

#: The types a column may declare (as the JSON output writes them).
COLUMN_TYPES = ("string", "integer", "number", "boolean")


class ColumnDriftError(RuntimeError):
    """A table's columns differ from those its maker declares (a bug, never bad data)."""


@dataclass(frozen=True)
class Column:
    """One column of an analysis table: its name, JSON type and meaning."""

    name: str
    type: str
    meaning: str

    def __post_init__(self):
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column {self.name}: type {self.type!r} is not one of "
                             f"{', '.join(COLUMN_TYPES)}")


@dataclass(frozen=True)
class TableSpec:
    """An analysis table: its name, what one row is, and its columns in order."""

    name: str
    row: str
    columns: tuple[Column, ...]

    def __post_init__(self):
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name}: a column is declared twice")

    @property
    def names(self) -> list[str]:
        """The column names, in order."""
        return [c.name for c in self.columns]

    def check(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return `frame` unchanged if its columns are exactly the declared ones, in order.

        Raises
        ------
        ColumnDriftError
            Naming the missing, undeclared or misplaced columns.
        """
        actual, declared = list(frame.columns), self.names
        if actual == declared:
            return frame
        missing = [c for c in declared if c not in actual]
        extra = [c for c in actual if c not in declared]
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + \
                ([f"not declared {', '.join(map(str, extra))}"] if extra else [])
        if not parts:
            parts = [f"columns in the order {', '.join(map(str, actual))}, declared "
                     f"{', '.join(declared)}"]
        raise ColumnDriftError(f"table {self.name}: {'; '.join(parts)}")

    def from_records(self, records: Iterable[Mapping]) -> pd.DataFrame:
        """A frame of `records` (dicts whose keys are the columns), checked.

        No record may lack a declared column or carry another: the frame is built from
        the records' own keys, so a drift is caught rather than filled with blanks. With
        no record, an empty frame with the declared columns.
        """
        records = list(records)
        if not records:
            return pd.DataFrame(columns=self.names)
        frame = pd.DataFrame.from_records(records)
        return self.check(frame)
