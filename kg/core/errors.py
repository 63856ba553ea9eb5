"""The errors a user can cause, each with file, line, column and reason.

Examples
--------
>>> p = Problem("data/organizations.csv", 7, "kind", "'hospitl' is not in code list org-kind")
>>> str(p)
"data/organizations.csv:7: column kind: 'hospitl' is not in code list org-kind"
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AcoKgError", "Problem", "InvalidDataError", "InputRowError", "UsageError"]


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


class AcoKgError(Exception):
    """The base of every error that aco-kg raises on purpose.

    The library raises these, with messages in the library's terms (parameter names, not
    command-line options); :mod:`kg.cli` alone turns them into messages and exit codes.
    """


class InvalidDataError(AcoKgError):
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


class UsageError(AcoKgError):
    """A request that cannot be carried out as asked: a bad argument, a missing folder or
    store, an unknown name.

    Parameters
    ----------
    message : str
        What is wrong, in the library's terms.
    argument : str, optional
        The name of the parameter at fault, if one is (``"max_nodes"``); the command line
        shows it as the option that sets it (``--max-nodes``).

    Examples
    --------
    >>> error = UsageError("must be at least 1, got 0", argument="max_nodes")
    >>> error.argument, str(error)
    ('max_nodes', 'must be at least 1, got 0')
    """

    def __init__(self, message: str, *, argument: str | None = None):
        super().__init__(message)
        self.argument = argument


class InputRowError(AcoKgError):
    """A row (or the header) of an input table is wrong: the message names ``file:line``,
    the column and the reason. Nothing was written (the command line exits 1).

    >>> str(InputRowError("data/operators/review.csv:3: column decision: unknown decision 'ok'"))
    "data/operators/review.csv:3: column decision: unknown decision 'ok'"
    """
