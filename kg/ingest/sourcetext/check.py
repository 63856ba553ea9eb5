"""The source check: every number and every quoted or printed label of a row that cites a
source with a plain-text copy occurs in the passage its locator names.

What is checked, per cell of such a row (the dictionary says what each column is):

- a number column (integer, decimal, year; a date's year): its value, in the passage;
- a text column: each number in it (digits, and the number words two to twelve) and each
  label it quotes ('...' or "..."); a column marked ``printed`` in the dictionary (or, with
  ``printed: COLUMN``, where that boolean column is yes): its whole value, as printed;
- skipped: keys, references, codes, booleans, the provenance columns, the columns that
  name a statement's cell, columns marked ``ordinal`` (a position the curator gives), a
  number that the row's own key carries (the curator's numbering, as in
  ``case2-health-system-3``), places in the source (``Table 1``), and a value that
  ``statement_evidence.csv`` marks inferred (its statement is checked instead: the basis
  against its own locator, where the inferred value itself may be named);
- a row of ``sources.csv`` that has a copy: the numbers of its columns in the whole text.

How numbers and labels are matched is :mod:`kg.ingest.sourcetext.figures`; locators are
resolved by :mod:`kg.ingest.sourcetext.locator`. A locator that names no part of its
source is a problem too.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.core.dictionary import Dictionary, Resource, load_dictionary
from kg.core.errors import Problem, UsageError
from kg.core.resources import data_dir
from kg.ingest.sourcetext.document import Document, LocatorError
from kg.ingest.sourcetext.figures import (data_numbers, find_label, find_number, normalise,
                                          passage_numbers, quoted_labels)
from kg.ingest.sourcetext.locator import resolve
from kg.ingest.sourcetext.outline import SourceText, load_outline
from kg.ingest.tables import Table, read_table

__all__ = ["DEFAULT_OUTLINE", "SourceCheckReport", "check_sources"]

#: The outline of the project's own data.
DEFAULT_OUTLINE = "source_texts.yaml"


@dataclass
class SourceCheckReport:
    """What the source check found.

    Attributes
    ----------
    problems : list of Problem
        Each figure or label not found, each locator that names nothing, each copy missing
        or different from the one the locators were written against.
    rows : int
        Rows checked (rows citing a source that has a copy).
    found : collections.Counter
        Figures and labels found, by the rule that found them ("as printed",
        "thousands separator", "number in words", ...).
    """

    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    found: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line: rows, figures and labels found, problems."""
        rules = ", ".join(f"{n} {rule}" for rule, n in self.found.most_common())
        return (f"{self.rows} rows checked; {sum(self.found.values())} figures and labels found"
                + (f" ({rules})" if rules else "") + f"; {len(self.problems)} problems")


def _documents(outline: dict[str, SourceText], sources: Path,
               report: SourceCheckReport) -> dict[str, Document]:
    documents = {}
    for source_id, entry in outline.items():
        path = sources / entry.file
        if not path.is_file():
            report.problems.append(Problem(str(path), None, None,
                                           f"missing: the plain-text copy of {source_id}"))
            continue
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != entry.sha256:
            report.problems.append(Problem(str(path), None, None, (
                f"sha256 {digest[:12]}... is not that of the copy the locators of {source_id} "
                f"were written against ({entry.sha256[:12]}...)")))
            continue
        documents[source_id] = Document(raw.decode("utf-8"), entry)
    return documents


def _inferred_cells(tables: list[Table]) -> dict[tuple[str, str, str], str]:
    """The value of each cell a statement marks inferred, by (file, row key, column)."""
    values = {}
    for table in tables:
        if table.resource.statement_of:
            file_col, row_col, column_col = table.resource.statement_of
            for _, row in table.frame.iterrows():
                values[(row[file_col], row[row_col], row[column_col])] = ""
    for table in tables:
        r = table.resource
        for _, row in table.frame.iterrows():
            for f in r.fields:
                if (r.path, row[r.primary_key], f.name) in values:
                    values[(r.path, row[r.primary_key], f.name)] = row[f.name]
    return values


def _statement_value(row, resource: Resource, inferred: dict) -> set[Decimal]:
    """The number a statement row marks inferred: its basis may name it, the source not."""
    if not resource.statement_of:
        return set()
    value = inferred.get(tuple(row[c] for c in resource.statement_of), "")
    try:
        return {Decimal(value[:4] if len(value) in (7, 10) and value[4] == "-" else value)}
    except (InvalidOperation, IndexError):
        return set()


def _skipped(resource: Resource, dictionary: Dictionary) -> set[str]:
    names = {resource.primary_key} | {f.name for f in dictionary.provenance_fields}
    names |= set(resource.statement_of or ())
    names |= {f.name for f in resource.fields
              if f.reference or f.code_scheme or f.type == "boolean" or f.ordinal}
    return names


def _key_numbers(key: str) -> set[Decimal]:
    return {Decimal(d) for d in "".join(c if c.isdigit() else " " for c in key).split()}


def _check_row(where: tuple[str, int], row, resource: Resource, passage: str, names: str,
               dictionary: Dictionary, inferred: set, report: SourceCheckReport) -> None:
    numbers = passage_numbers(passage)
    own = _key_numbers(row[resource.primary_key]) | _statement_value(row, resource, inferred)

    def missing(column: str, what: str) -> None:
        report.problems.append(Problem(where[0], where[1], column,
                                       f"{what} is not in {names}: {passage[:90]!r}"
                                       + ("..." if len(passage) > 90 else "")))

    for f in resource.fields:
        value = row[f.name]
        if not value or f.name in _skipped(resource, dictionary):
            continue
        if (resource.path, row[resource.primary_key], f.name) in inferred:
            continue  # marked inferred: its statement is checked against its own locator
        if f.type in ("integer", "number", "year", "date"):
            try:
                number = Decimal(value[:4] if f.type == "date" else value)
            except InvalidOperation:
                continue  # the build rejects it
            rule = find_number(number, numbers)
            if rule:
                report.found[rule] += 1
            else:
                missing(f.name, value)
            continue
        if f.printed or (f.printed_when and row[f.printed_when] in dictionary.true_values):
            rule = find_label(value, passage)
            if rule:
                report.found["label " + rule] += 1
            else:
                missing(f.name, f"the label {value!r}")
            continue
        for written, number in data_numbers(value):
            if number in own:
                continue  # the curator's numbering in the row's key; a statement's own value
            rule = find_number(number, numbers)
            if rule:
                report.found[rule] += 1
            else:
                missing(f.name, f"{written!r}")
        for label in quoted_labels(value):
            rule = find_label(label, passage)
            if rule:
                report.found["label " + rule] += 1
            else:
                missing(f.name, f"the quoted label {label!r}")


def check_sources(data: str | Path | list, sources: str | Path, *,
                  outline: str | Path | None = None,
                  dictionary: str | Path | None = None) -> SourceCheckReport:
    """Check the rows of `data` that cite a source whose plain-text copy is in `sources`.

    Parameters
    ----------
    data : str or Path, or a list of them
        The data folder(s).
    sources : str or Path
        The folder holding the plain-text copies the outline names.
    outline : str or Path, optional
        The outline (``source_texts.yaml``); by default the one beside the data dictionary.
    dictionary : str or Path, optional
        The data dictionary (the project's own by default).

    Returns
    -------
    SourceCheckReport
        ``report.ok`` when every figure and label was found where its locator points.

    Raises
    ------
    UsageError
        If a folder does not exist or the outline cannot be read.
    """
    folders = [Path(d) for d in data] if isinstance(data, (list, tuple)) else [Path(data)]
    sources = Path(sources)
    for folder in folders + [sources]:
        if not folder.is_dir():
            raise UsageError(f"folder {folder} does not exist")
    d = load_dictionary(dictionary)
    texts = load_outline(outline or data_dir() / DEFAULT_OUTLINE)
    report = SourceCheckReport()
    documents = _documents(texts, sources, report)
    tables = [read_table(folder / r.path, r, display=str(folder / r.path))
              for folder in folders for r in d.resources if (folder / r.path).is_file()]
    inferred = _inferred_cells(tables)
    for table in tables:
        r = table.resource
        for pos, row in table.frame.iterrows():
            where = (table.file_of(pos), table.lines[pos])
            if r.name == "sources":
                source_id, locator = row[r.primary_key], None
            elif r.provenance:
                source_id, locator = row.get("source_id", ""), row.get("locator", "")
            else:
                continue
            if source_id not in documents:
                continue
            document = documents[source_id]
            report.rows += 1
            if locator is None:
                passage, names = normalise("\n".join(document.lines)), f"the text of {source_id}"
            else:
                try:
                    passages = resolve(document, locator)
                except LocatorError as exc:
                    report.problems.append(Problem(where[0], where[1], "locator",
                                                   f"names no part of {source_id}: {exc}"))
                    continue
                passage = " | ".join(normalise(p.text) for p in passages)
                names = "; ".join(dict.fromkeys(p.name for p in passages))
                if len(names) > 120:
                    names = names[:117] + "..."
            _check_row(where, row, r, passage, names, d, inferred, report)
    report.problems.sort(key=lambda p: (p.file, p.line or 0, p.column or ""))
    return report
