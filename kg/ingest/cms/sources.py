"""The row of ``sources.csv`` that an imported file's facts cite.

Every fact an import writes cites its file as a source (``source_id``, by default
``cms-`` and the file's name: :func:`source_id_for`). Where that row lives:

* a **curated** row, written by hand in the curated data (by default the project's
  ``data/sources.csv``), when one has that id: it says where the copy came from, which
  the file itself cannot. It must cite the file by name (its title or citation names
  it), or the import is refused: the id would then describe another file;
* otherwise a **generated** row in the import folder's own ``sources.csv``
  (:func:`generated_source`): the kind of file, the performance year, the file's name
  and its sha256. A new year's file thus builds without a hand-written row.

Either way a source id names one file: ``aco-kg build --data data --data FOLDER`` refuses
an id present in both folders, and the import refuses a generated id that already
describes another file (another sha256) in the folder.

Examples
--------
>>> source_id_for("x/mssp_results_2013.csv")
'cms-mssp-results-2013'
>>> row = generated_source("cms-mssp-results-2024", "Medicare Shared Savings Program ACO "
...                        "results, performance year 2024", "x/mssp_results_2024.csv", "ab" * 32)
>>> row["citation"]  # doctest: +ELLIPSIS
'Centers for Medicare & Medicaid Services. Medicare Shared Savings Program ACO results, performance year 2024. File mssp_results_2024.csv (sha256 abab...abab).'
>>> cites_file(row, "mssp_results_2024.csv"), row["year"]
(True, '')
"""

from __future__ import annotations

from pathlib import Path

from kg.core.dictionary import Dictionary
from kg.core.errors import UsageError
from kg.ingest.tables import read_table

__all__ = ["PUBLISHER", "source_id_for", "generated_source", "cites_file", "read_curated_sources"]

#: The publisher of the files these importers read.
PUBLISHER = "Centers for Medicare & Medicaid Services"


def source_id_for(path: str | Path) -> str:
    """The default source id of a CMS file: ``cms-`` + its name with hyphens."""
    return "cms-" + Path(path).stem.lower().replace("_", "-")


def generated_source(source_id: str, title: str, file: str | Path, sha256: str) -> dict[str, str]:
    """The sources.csv row of an imported file that no curated row describes.

    It says what the importer knows: the kind of file and its performance year (the
    title), its name and its checksum. The year of publication is not in the file, so it
    stays unknown; so does where the copy came from.
    """
    return {"source_id": source_id, "title": title, "authors": PUBLISHER, "year": "",
            "citation": f"{PUBLISHER}. {title}. File {Path(file).name} (sha256 {sha256}).",
            "source_kind": "data-file", "identifier": ""}


def cites_file(row: dict[str, str], name: str) -> bool:
    """True when a sources.csv row names the file `name` in its title or citation."""
    return name in row.get("citation", "") or name in row.get("title", "")


def read_curated_sources(path: str | Path, dictionary: Dictionary) -> dict[str, tuple[int, dict[str, str]]]:
    """The curated sources table: ``{source_id: (line, row)}``.

    Raises
    ------
    UsageError
        If the table cannot be read as the dictionary's sources.csv.
    """
    table = read_table(path, dictionary.resource("sources"))
    if table.file_problems or table.ragged:
        raise UsageError(f"cannot read the curated sources table: {table.problems[0]}",
                         argument="curated_sources")
    return {row["source_id"]: (line, row)
            for line, row in zip(table.lines, table.frame.to_dict("records"))}
