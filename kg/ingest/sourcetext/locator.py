"""Locators: where in a source a fact is, parsed and resolved to the passages they name.

A locator is one or more passages separated by ``;``; a remark in parentheses says what a
passage supports and is not resolved. A passage is

- a section, by the names of the headings that lead to it, ``>`` between them
  (``Results > Access ACO > Partnership Formation``), followed by selectors:
  ``para 1``, ``paras 2-4``, ``paras 1 and 7``, ``paras 1, 3 and 5`` (its paragraphs),
  ``item 2``, ``items 1-2`` (its list items), ``item 2, sub-item 3``, ``question 2``
  (the second question, a sentence ending in ``?``, of what is selected so far), and
  ``heading`` (the printed heading itself);
- a table cell, row or column: ``Table 1, row 'Year 2' under 'Approximate shared savings
  earned', column 'Access ACO'`` (the group, ``under``, only where the row label repeats);
  ``rows under 'G'``; ``columns 'A' and 'B'``; ``Table 2`` alone for the whole table.

Names and labels are as printed (Markdown and trailing colons aside). Section names that
the source does not print are those the outline gives (``Abstract``, ``Introduction``).

Examples
--------
>>> split_passages("Table 1, row 'Includes a hospital' under 'ACO composition', column "
...                "'Access ACO' (hospital); Methods, paras 2 and 3")
["Table 1, row 'Includes a hospital' under 'ACO composition', column 'Access ACO'", 'Methods, paras 2 and 3']
>>> numbers("1, 3 and 5-7")
[1, 3, 5, 6, 7]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.ingest.sourcetext.document import Document, LocatorError

__all__ = ["Passage", "split_passages", "numbers", "resolve", "LocatorError"]

_SELECTORS = ("paras", "para", "items", "item", "sub-item", "question", "heading")
_QUOTE = re.compile(r"'((?:[^']|'(?=\w))*)'")


@dataclass(frozen=True)
class Passage:
    """A piece of the source: its text, the lines of the copy it spans, and how the locator
    named it."""

    text: str
    first_line: int
    last_line: int
    name: str


def _outside_quotes(text: str, pattern: str) -> list[int]:
    """Positions of `pattern` in `text` that are not inside a quoted label."""
    inside, found = False, []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "'" and (inside or i == 0 or not text[i - 1].isalnum()):
            if not inside or i + 1 == len(text) or not text[i + 1].isalnum():
                inside = not inside
        elif not inside and text.startswith(pattern, i):
            found.append(i)
        i += 1
    return found


def split_passages(locator: str) -> list[str]:
    """The passages of a locator, without their remarks in parentheses."""
    text, depth, out = locator, 0, []
    inside = False
    for i, char in enumerate(text):
        if char == "'" and (inside or i == 0 or not text[i - 1].isalnum()):
            if not inside or i + 1 == len(text) or not text[i + 1].isalnum():
                inside = not inside
        if not inside and char == "(":
            depth += 1
            continue
        if not inside and char == ")" and depth:
            depth -= 1
            continue
        out.append(char if depth == 0 else "")
    cleaned = "".join(out)
    cuts = [-1] + _outside_quotes(cleaned, ";") + [len(cleaned)]
    parts = [cleaned[a + 1:b].strip() for a, b in zip(cuts, cuts[1:])]
    return [re.sub(r"\s+", " ", p) for p in parts if p]


def numbers(text: str) -> list[int]:
    """The numbers of a selector: ``3``, ``2-4``, ``1 and 7``, ``1, 3 and 5``."""
    out: list[int] = []
    for part in re.split(r",|\band\b", text):
        part = part.strip()
        if re.fullmatch(r"\d+-\d+", part):
            a, b = map(int, part.split("-"))
            out += list(range(a, b + 1))
        elif part.isdigit():
            out.append(int(part))
        else:
            raise LocatorError(f"{text!r} is not a number, a range or a list of numbers")
    return out


def _pick(kind: str, wanted: list[int], available: int) -> list[int]:
    missing = [n for n in wanted if not 1 <= n <= available]
    if missing:
        raise LocatorError(f"there is no {kind} {missing[0]} (there are {available})")
    return [n - 1 for n in wanted]


def _table(document: Document, part: str) -> list[Passage]:
    tokens = [t.strip() for t in _split_top(part)]
    table = document.table(tokens[0])
    row = group = None
    columns: list[str] | None = None
    for token in tokens[1:]:
        if m := re.fullmatch(r"row '(.+)' under '(.+)'", token):
            row, group = m.group(1), m.group(2)
        elif m := re.fullmatch(r"row '(.+)'", token):
            row = m.group(1)
        elif m := re.fullmatch(r"rows under '(.+)'", token):
            group = m.group(1)
        elif m := re.fullmatch(r"columns? (.+)", token):
            columns = _QUOTE.findall(m.group(1))
        else:
            raise LocatorError(f"{token!r}: expected row '...', rows under '...' or column '...'")
    for column in columns or []:
        if column not in table.columns:
            raise LocatorError(f"{table.name} has no column {column!r} ({', '.join(table.columns)})")
    picked = [r for r in table.rows
              if (row is None or r[1] == row) and (group is None or r[0] == group)]
    if not picked:
        what = f"row {row!r}" if row else "row"
        raise LocatorError(f"{table.name} has no {what}" + (f" under {group!r}" if group else ""))
    if row is not None and group is None and len(picked) > 1:
        raise LocatorError(f"{table.name}: row {row!r} is in several groups; say which (under '...')")
    indexes = [table.columns.index(c) for c in columns] if columns else range(len(table.columns))
    passages = []
    for g, label, cells, line in picked:
        values = [cells[i] if i < len(cells) else "" for i in indexes]
        passages.append(Passage(f"{g} {label}: ".lstrip() + " | ".join(values), line, line,
                                f"{table.name}, row {label!r}"))
    return passages


def _split_top(text: str) -> list[str]:
    cuts = [-2] + _outside_quotes(text, ", ") + [len(text)]
    return [text[a + 2:b] for a, b in zip(cuts, cuts[1:])]


def _section(document: Document, part: str) -> list[Passage]:
    tokens = _split_top(part)
    first = next((i for i, t in enumerate(tokens) if t.split(" ")[0] in _SELECTORS), len(tokens))
    path_text = ", ".join(tokens[:first])
    path = [name.strip().strip("'") for name in path_text.split(" > ")]
    selectors: list[str] = []
    for token in tokens[first:]:
        if token.split(" ")[0] in _SELECTORS:
            selectors.append(token)
        elif selectors:
            selectors[-1] += ", " + token
        else:
            raise LocatorError(f"{token!r}: expected para, item or question")
    section = document.section(path)
    name = " > ".join(path)
    passages = [Passage(b.raw, b.first_line, b.last_line, f"{name}, para {k}")
                for k, b in enumerate(section.paragraphs, 1)]
    items = None
    for selector in selectors:
        word, _, rest = selector.partition(" ")
        if word == "heading":
            if section.heading is None:
                raise LocatorError(f"{name} has no printed heading")
            h = section.heading
            passages = [Passage(h.raw, h.first_line, h.last_line, f"{name}, heading")]
        elif word in ("para", "paras"):
            chosen = _pick("paragraph", numbers(rest), len(section.paragraphs))
            passages = [passages[i] for i in chosen]
        elif word in ("item", "items"):
            items = [section.items[i] for i in _pick("item", numbers(rest), len(section.items))]
            passages = [Passage(it.text, it.line, it.line, f"{name}, item {section.items.index(it) + 1}")
                        for it in items]
        elif word == "sub-item":
            if not items or len(items) != 1:
                raise LocatorError("sub-item follows one item")
            subs = items[0].subitems
            parent = passages[0].name
            passages = [Passage(subs[i].text, subs[i].line, subs[i].line, f"{parent}, sub-item {i + 1}")
                        for i in _pick("sub-item", numbers(rest), len(subs))]
        else:  # question: a sentence ending in '?', with the lines of its passage
            questions = [(q.strip(), p) for p in passages
                         for q in re.findall(r"[^.?!]*\?", p.text.replace("\n", " "))]
            chosen = _pick("question", numbers(rest), len(questions))
            passages = [Passage(questions[i][0], questions[i][1].first_line,
                                questions[i][1].last_line, f"{name}, question {i + 1}")
                        for i in chosen]
    if not passages:
        raise LocatorError(f"{name} has no paragraph of its own: cite its subsections")
    return passages


def resolve(document: Document, locator: str) -> list[Passage]:
    """The passages of `document` that `locator` names.

    Raises
    ------
    LocatorError
        If a passage names no part of the document (the message says which and why).
    """
    passages = []
    for part in split_passages(locator):
        try:
            if re.match(r"Table \d+\b", part):
                passages += _table(document, part)
            else:
                passages += _section(document, part)
        except LocatorError as exc:
            raise LocatorError(f"{part!r}: {exc}") from None
    return passages
