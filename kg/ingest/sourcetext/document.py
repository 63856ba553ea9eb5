"""A plain-text copy of a source as blocks, sections, tables and list items.

A block is a run of non-blank lines (or each non-blank line, for a copy whose outline says
``blocks: lines``). A block holding a tab is a table; a heading block opens a section (see
:mod:`kg.ingest.sourcetext.outline` for how headings are found). A section holds the
blocks up to the next section start; its paragraphs are those of its blocks that are no
table and no note the outline sets apart (``notParagraphs``), numbered from 1 in the
order of the text; its list items are its lines that begin with ``-`` (a sub-item begins
with a blank, then ``-``). A paragraph split by a page break is two blocks, so two
paragraphs.

Examples
--------
>>> from kg.ingest.sourcetext.outline import SectionRule, SourceText
>>> text = "Title\\n\\n# Methods\\n\\nWe asked 12 people.\\n\\nThen 3 more.\\n\\n- one\\n - a\\n- two\\n"
>>> outline = SourceText("s", "s.txt", "0" * 64, markdown_headings=True)
>>> document = Document(text, outline)
>>> section = document.section(["Methods"])
>>> [p.text for p in section.paragraphs]
['We asked 12 people.', 'Then 3 more.', '- one - a - two']
>>> [(item.text, [s.text for s in item.subitems]) for item in section.items]
[('one', ['a']), ('two', [])]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.ingest.sourcetext.figures import normalise
from kg.ingest.sourcetext.outline import SourceText

__all__ = ["Block", "Item", "Section", "Table", "Document", "LocatorError"]


class LocatorError(ValueError):
    """A locator names no part of the document (the message says which part and why)."""


@dataclass(frozen=True)
class Block:
    """Lines of the copy: (line number, text) pairs, and what the block is."""

    lines: tuple[tuple[int, str], ...]
    kind: str = "paragraph"  # paragraph, heading, table or other

    @property
    def first_line(self) -> int:
        return self.lines[0][0]

    @property
    def last_line(self) -> int:
        return self.lines[-1][0]

    @property
    def raw(self) -> str:
        return "\n".join(text for _, text in self.lines)

    @property
    def text(self) -> str:
        """The block's text, normalised (:func:`kg.ingest.sourcetext.figures.normalise`)."""
        return normalise(self.raw)


@dataclass(frozen=True)
class Item:
    """A list item: its text (without the dash), its line, and its sub-items."""

    text: str
    line: int
    subitems: tuple["Item", ...] = ()


@dataclass
class Section:
    """A section: its name, its heading block (if printed) and the blocks it holds."""

    name: str
    heading: Block | None
    blocks: list[Block] = field(default_factory=list)
    not_paragraphs: tuple[str, ...] = ()
    #: The section a locator must name before this one (see the outline's ``under``).
    under: str | None = None

    @property
    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "paragraph"
                and not any(b.text.startswith(t) for t in self.not_paragraphs)]

    @property
    def items(self) -> list[Item]:
        """The list items of the section's paragraphs, sub-items under their item."""
        items: list[tuple[str, int, list]] = []
        for block in self.paragraphs:
            for number, line in block.lines:
                plain = line.replace("\u00a0", " ")
                if re.match(r"-\s", plain):
                    items.append((normalise(plain[1:]), number, []))
                elif re.match(r"\s+-\s", plain) and items:
                    items[-1][2].append(Item(normalise(plain.strip()[1:]), number))
        return [Item(text, line, tuple(subs)) for text, line, subs in items]


@dataclass(frozen=True)
class Table:
    """A table: its name, column names and rows as (group, label, cells, line)."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, str, tuple[str, ...], int], ...]
    block: Block


class Document:
    """A plain-text copy of a source, read with its outline.

    Parameters
    ----------
    text : str
        The copy's text.
    outline : SourceText
        How its headings, sections and tables are found.
    """

    def __init__(self, text: str, outline: SourceText):
        self.outline = outline
        self.lines = text.split("\n")
        blocks = self._blocks()
        blocks = self._split_inline(blocks)
        self.blocks, starts = self._starts(blocks)
        self.sections = self._sections(starts)
        self.tables = self._tables()

    # --- reading -------------------------------------------------------------------------------

    def _blocks(self) -> list[Block]:
        if self.outline.blocks == "lines":
            return [Block(((n, line),)) for n, line in enumerate(self.lines, 1) if line.strip()]
        blocks, current = [], []
        for n, line in enumerate(self.lines, 1):
            if line.strip():
                current.append((n, line))
            elif current:
                blocks.append(Block(tuple(current)))
                current = []
        if current:
            blocks.append(Block(tuple(current)))
        return [Block(b.lines, "table") if any("\t" in t for _, t in b.lines) else b for b in blocks]

    def _split_inline(self, blocks: list[Block]) -> list[Block]:
        """Split blocks where a run-in label of the outline begins inside them."""
        labels = [rule.text for rule in self.outline.sections if rule.kind == "inline"]
        if not labels:
            return blocks
        pattern = re.compile(r"(?<=\s)(?=(?:" + "|".join(re.escape(t) for t in labels) + r")\b)")
        out = []
        for block in blocks:
            if block.kind != "paragraph" or len(block.lines) != 1:
                out.append(block)
                continue
            number, line = block.lines[0]
            out += [Block(((number, piece.strip()),)) for piece in pattern.split(line)
                    if piece.strip()]
        return out

    def _starts(self, blocks: list[Block]) -> tuple[list[Block], list[tuple]]:
        """The blocks (headings marked) and the section starts: (block, order, name, under)."""
        rules = self.outline.sections
        starts: list[tuple] = []
        out = []
        used_at = set()
        for i, block in enumerate(blocks):
            text = block.text
            kind = block.kind
            if kind == "paragraph" and self.outline.markdown_headings and len(block.lines) == 1 \
                    and block.lines[0][1].lstrip().startswith("#"):
                kind = "heading"
                starts.append((i, 1, text.rstrip(":").strip(), None))
            for order, rule in enumerate(rules):
                if rule.kind == "heading" and kind == "paragraph" and \
                        text.rstrip(":").strip() == rule.text.rstrip(":").strip():
                    kind = "heading"
                    starts.append((i, 1, rule.name, rule.under))
                elif rule.kind in ("runIn", "inline") and kind == "paragraph" and \
                        text.startswith(rule.text):
                    starts.append((i, 2, rule.name, rule.under))
                elif rule.kind == "at" and order not in used_at and text.startswith(rule.text):
                    used_at.add(order)
                    starts.append((i, 0, rule.name, rule.under))
            out.append(Block(block.lines, kind))
        return out, sorted(starts)

    def _sections(self, starts) -> list[Section]:
        sections = []
        for k, (i, _, name, under) in enumerate(starts):
            end = starts[k + 1][0] if k + 1 < len(starts) else len(self.blocks)
            heading = self.blocks[i] if self.blocks[i].kind == "heading" else None
            first = i + 1 if heading is not None else i
            sections.append(Section(name, heading, self.blocks[first:end] if end > i else [],
                                    self.outline.not_paragraphs, under))
        return sections

    def _tables(self) -> dict[str, Table]:
        blocks = [b for b in self.blocks if b.kind == "table"]
        tables = {}
        for rule, block in zip(self.outline.tables, blocks):
            rows, group, pending = [], "", []
            for number, line in block.lines[rule.header_lines:]:
                cells = [normalise(c) for c in line.split("\t")]
                if not any(cells[1:]):
                    pending.append(cells[0])  # a group label, maybe over several lines
                    continue
                if pending:
                    group, pending = " ".join(pending), []
                rows.append((group, cells[0], tuple(cells[1:]), number))
            tables[rule.name] = Table(rule.name, rule.columns, tuple(rows), block)
        return tables

    # --- finding -------------------------------------------------------------------------------

    def section(self, path: list[str]) -> Section:
        """The section a path of names leads to: each name the first section so named
        after the one before it.

        Raises
        ------
        LocatorError
            If a name is found nowhere after its predecessor.
        """
        position = 0
        found = None
        for depth, name in enumerate(path):
            parent = path[depth - 1] if depth else None
            for k in range(position, len(self.sections)):
                section = self.sections[k]
                if section.name == name and section.under in (None, parent):
                    found, position = section, k + 1
                    break
            else:
                known = sorted({s.name for s in self.sections[position:]})
                raise LocatorError(f"no section {name!r}" + (f" after {path[path.index(name) - 1]!r}"
                                                             if path.index(name) else "")
                                   + f" (sections: {', '.join(known[:12])}"
                                   + (", ..." if len(known) > 12 else "") + ")")
        return found

    def table(self, name: str) -> Table:
        """The table the outline calls `name`."""
        if name not in self.tables:
            raise LocatorError(f"no table {name!r} (tables: {', '.join(self.tables) or 'none'})")
        return self.tables[name]
