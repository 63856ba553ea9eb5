"""Evidence per statement: the checks of rows that mark one value of another row inferred.

A row of a resource with ``statementOf`` in the data dictionary (``statement_evidence.csv``)
names one cell of another file: the file, the row's key and the column. The rest of that
row keeps its own evidence; the cell's value is marked inferred, with the basis of the
inference and the source and locator it draws on. The mapping makes such a row a reified
statement of the cell's triple (:mod:`kg.graph.mapping`).

:func:`check_statements` rejects, with the file, line and column of the statement, a row
that names no file of the dictionary (or one whose rows carry no provenance), no row of
that file, a column that is not a fact of the row (the key, a provenance column, a
column that maps to nothing), a blank cell (an unknown value: nothing to qualify), or
whose own evidence is not ``inferred`` (a row's evidence already covers the values the
source reports).

Examples
--------
>>> import tempfile, pathlib
>>> from kg.core.dictionary import load_dictionary
>>> from kg.ingest.tables import read_table
>>> d = load_dictionary()
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "statement_evidence.csv").write_text(
...     "statement_id,file,row_id,column,basis,source_id,locator,evidence\\n"
...     "st-1,alliances.csv,no-such-alliance,outcome,Read from the timeline.,s1,p. 2,inferred\\n")
>>> _ = (folder / "alliances.csv").write_text(
...     "alliance_id,name,alliance_kind,initiated_by,prior_relationship,alliance_model,outcome,"
...     "outcome_as_of,description,source_id,locator,evidence\\n"
...     "a1,A and B,aco-management-partner,,,,dissolved,,,s1,p. 2,reported\\n")
>>> tables = {r: read_table(folder / d.resource(r).path, d.resource(r))
...           for r in ("alliances", "statement_evidence")}
>>> check_statements(tables, d)
>>> print(tables["statement_evidence"].problems[0])  # doctest: +ELLIPSIS
/.../statement_evidence.csv:2: column row_id: 'no-such-alliance' is not a alliance_id in alliances.csv
"""

from __future__ import annotations

from kg.core.dictionary import Dictionary, Resource
from kg.ingest.tables import Table

__all__ = ["INFERRED", "check_statements", "statement_target"]

#: The only evidence a statement may give its value (see the module docstring).
INFERRED = "inferred"


def statement_target(dictionary: Dictionary, file: str, column: str) -> tuple[Resource, str | None]:
    """The resource a statement's `file` names, and why `column` cannot be a statement of it.

    Returns
    -------
    (Resource or None, str or None)
        The resource (None if `file` names none that can be qualified) and the reason the
        file or column is refused (None when both are fine).

    Examples
    --------
    >>> from kg.core.dictionary import load_dictionary
    >>> d = load_dictionary()
    >>> statement_target(d, "alliances.csv", "outcome")[1] is None
    True
    >>> statement_target(d, "alliances.csv", "evidence")[1]
    'evidence is a provenance column of alliances.csv, not a value'
    """
    try:
        target = dictionary.resource_at(file)
    except KeyError:
        return None, f"{file} is not a file of the data dictionary"
    if not target.provenance or target.statement_of:
        return None, f"{file} holds no facts with provenance whose values could be qualified"
    if column not in target.columns:
        return target, f"{column} is not a column of {file} ({', '.join(target.columns)})"
    if column == target.primary_key:
        return target, f"{column} is the key of {file}, not a value"
    if any(column == f.name for f in dictionary.provenance_fields):
        return target, f"{column} is a provenance column of {file}, not a value"
    if not target.field(column).rdf_path:
        return target, f"{column} of {file} becomes no statement of the graph"
    return target, None


def check_statements(tables: dict[str, Table], dictionary: Dictionary) -> None:
    """Reject each statement row whose cell does not exist, is blank, or is not inferred.

    Run after the other tables are read (and their keys checked): a statement names a row
    by its key, across every folder read.

    Parameters
    ----------
    tables : dict of str to Table
        Every table of the build, by resource name.
    dictionary : Dictionary
    """
    for table in tables.values():
        r = table.resource
        if not r.statement_of or table.file_problems or table.frame.empty:
            continue
        file_col, row_col, column_col = r.statement_of
        evidence_col = next((f.name for f in dictionary.provenance_fields
                             if f.code_scheme == "evidence" and f.name in r.columns), None)
        frame = table.frame
        for pos in frame.index:
            file, row_id, column = (frame.at[pos, c] for c in (file_col, row_col, column_col))
            if "" in (file, row_id, column):
                continue  # a required column is blank: check_values said so
            target, refused = statement_target(dictionary, file, column)
            if target is None:
                table.reject([pos], file_col, [refused])
                continue
            if refused:
                table.reject([pos], column_col, [refused])
                continue
            rows = tables.get(target.name)
            if rows is None:
                table.reject([pos], file_col, [f"{file} is not among the files read"])
                continue
            if rows.file_problems:
                continue  # the file is rejected as a whole; it says why
            found = rows.frame.index[rows.frame[target.primary_key] == row_id]
            if len(found) == 0:
                table.reject([pos], row_col, [f"{row_id!r} is not a {target.primary_key} in {file}"])
                continue
            where = rows.file_of(found[0]), rows.lines[found[0]]
            if rows.frame.at[found[0], column] == "":
                table.reject([pos], column_col, [
                    f"{column} of {row_id!r} ({where[0]}:{where[1]}) is blank: an unknown "
                    "value has no evidence to qualify"])
                continue
            if evidence_col and frame.at[pos, evidence_col] not in ("", INFERRED):
                table.reject([pos], evidence_col, [
                    f"a statement marks a value {INFERRED}: the evidence of the row "
                    f"{row_id!r} already covers its {frame.at[pos, evidence_col]} values"])
