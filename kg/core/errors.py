"""The errors a user can cause, each with file, line, column and reason.

Examples
--------
>>> p = Problem("data/organizations.csv", 7, "kind", "'hospitl' is not in code list org-kind")
>>> str(p)
"data/organizations.csv:7: column kind: 'hospitl' is not in code list org-kind"
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "InvalidDataError", "UsageError"]


@dataclass(frozen=True, order=True)
class Problem:
    """One reason why an input was rejected.

    Parameters
    ----------
    file : str
        The input file, as the user named it.
    line : int or None
        Physical line (1 = header) where the record starts; None for a whole-file problem.
    column : str or None
        The column concerned, if one is.
    reason : str
        What is wrong, in words a data curator understands.
    """

    file: str
    line: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        column = f" column {self.column}:" if self.column else ""
        return f"{where}:{column} {self.reason}"


class InvalidDataError(Exception):
    """The input data are invalid; nothing was published.

    Attributes
    ----------
    report : kg.graph.build.BuildReport
        The ledger and every problem found.
    """

    def __init__(self, report):
        self.report = report
        n = len(report.problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the input data; nothing was published")


class UsageError(Exception):
    """The command was used wrongly (a missing folder, a bad option value)."""
