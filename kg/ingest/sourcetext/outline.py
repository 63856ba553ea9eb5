"""The outline file (``data/source_texts.yaml``): which text is which source, and its parts.

The plain-text copies of the sources are not in the repository. The outline says, for
each source of ``sources.csv`` that has one, the file name and sha256 of the copy the
locators were written against, and how a locator finds its parts: how blocks are
separated, which lines are headings (Markdown ``#`` lines, or printed headings listed
here), which sections have no printed heading of their own, and the name and columns of
each table (the copies print no table captions).

A section entry gives exactly one of:

``heading: TEXT``
    every block (or line) that reads TEXT (a trailing colon aside) is a heading;
``runIn: TEXT``
    every block that begins with TEXT opens a section and stays its first paragraph;
``inline: TEXT``
    every place where TEXT starts, inside a block, opens a section (a run-in label in the
    middle of a block: the block is split there);
``at: TEXT``
    a section without a printed heading begins at the first block that begins with TEXT;

and may give ``name`` (how locators call it; by default TEXT without a trailing colon) and
``under`` (the name of the section it belongs to: a locator reaches it only through that
section, as ``Abstract > Methods`` apart from the article's ``Methods``).

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "source_texts.yaml"
>>> _ = path.write_text('''
... src-a:
...   file: a.txt
...   sha256: "0000000000000000000000000000000000000000000000000000000000000000"
...   sections:
...     - {heading: Methods}
...     - {at: "We asked", name: Introduction}
...   tables:
...     - {name: Table 1, headerLines: 1, columns: [North, South]}
... ''')
>>> outline = load_outline(path)
>>> outline["src-a"].tables[0].columns
('North', 'South')
>>> [s.kind for s in outline["src-a"].sections]
['heading', 'at']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kg.core.errors import UsageError

__all__ = ["SectionRule", "TableRule", "SourceText", "load_outline", "SECTION_KINDS"]

#: The ways a section is found (see the module docstring).
SECTION_KINDS = ("heading", "runIn", "inline", "at")
_KEYS = {"file", "sha256", "blocks", "markdownHeadings", "sections", "tables", "notParagraphs"}


@dataclass(frozen=True)
class SectionRule:
    """How one kind of section start is found: `kind` (see :data:`SECTION_KINDS`), the
    printed `text` it is found by, and the `name` locators give it."""

    kind: str
    text: str
    name: str
    under: str | None = None


@dataclass(frozen=True)
class TableRule:
    """A table of the copy (the n-th block holding tabs): its name, how many lines its
    column header takes, and its column names (the first column, the row labels, aside)."""

    name: str
    header_lines: int
    columns: tuple[str, ...]


@dataclass(frozen=True)
class SourceText:
    """The plain-text copy of one source and how its parts are found."""

    source_id: str
    file: str
    sha256: str
    blocks: str = "paragraphs"
    markdown_headings: bool = False
    sections: tuple[SectionRule, ...] = ()
    tables: tuple[TableRule, ...] = ()
    not_paragraphs: tuple[str, ...] = ()


def _section(spec, where: str) -> SectionRule:
    kinds = [k for k in SECTION_KINDS if k in (spec or {})]
    unknown = set(spec or {}) - set(SECTION_KINDS) - {"name", "under"}
    if len(kinds) != 1 or unknown:
        raise UsageError(f"{where}: a section gives exactly one of {', '.join(SECTION_KINDS)} "
                         f"(and maybe name and under), not {spec}")
    text = str(spec[kinds[0]])
    return SectionRule(kinds[0], text, str(spec.get("name") or text.rstrip(":")),
                       str(spec["under"]) if spec.get("under") else None)


def load_outline(path: str | Path) -> dict[str, SourceText]:
    """Read an outline file: ``{source_id: SourceText}``.

    Raises
    ------
    UsageError
        If the file cannot be read or an entry is malformed.
    """
    path = Path(path)
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise UsageError(f"cannot read the outline {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not YAML: {exc}") from None
    outline = {}
    for source_id, entry in spec.items():
        where = f"{path}: {source_id}"
        if not isinstance(entry, dict) or not {"file", "sha256"} <= set(entry):
            raise UsageError(f"{where}: give at least file and sha256")
        if set(entry) - _KEYS:
            raise UsageError(f"{where}: unknown keys {sorted(set(entry) - _KEYS)}")
        if not re.fullmatch(r"[0-9a-f]{64}", str(entry["sha256"])):
            raise UsageError(f"{where}: sha256 must be 64 lower-case hex digits")
        if entry.get("blocks", "paragraphs") not in ("paragraphs", "lines"):
            raise UsageError(f"{where}: blocks is paragraphs or lines")
        tables = []
        for t in entry.get("tables", []):
            if set(t) != {"name", "headerLines", "columns"}:
                raise UsageError(f"{where}: a table gives name, headerLines and columns")
            tables.append(TableRule(str(t["name"]), int(t["headerLines"]),
                                    tuple(str(c) for c in t["columns"])))
        outline[str(source_id)] = SourceText(
            source_id=str(source_id), file=str(entry["file"]), sha256=str(entry["sha256"]),
            blocks=entry.get("blocks", "paragraphs"),
            markdown_headings=bool(entry.get("markdownHeadings", False)),
            sections=tuple(_section(s, f"{where}: sections") for s in entry.get("sections", [])),
            tables=tuple(tables),
            not_paragraphs=tuple(str(t) for t in entry.get("notParagraphs", [])),
        )
    return outline
