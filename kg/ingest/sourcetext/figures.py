"""How the numbers and labels of a data row are looked for in a passage of a source.

The plain-text copies of the sources carry their typesetting: Markdown marks (``**``,
``\\*``, ``\\$``), reference marks (``<sup>2</sup>``), no-break spaces, curly quotes,
dashes, hyphens lost at line breaks (``nostrings``), numbers with thousands separators
(``28,500``), in millions (``$2 m``), in words (``seven``, ``two-thirds``, ``4 in 10``),
glued to a label (``Issue number3``).
:func:`normalise` evens out the typesetting; :func:`passage_numbers` reads every number a
passage states, with the rule that read it; :func:`find_number` and :func:`find_label`
look for a value of the data among them.

Examples
--------
>>> normalise("the **partner’s** “virtual” plan\\u00a0– 2 m<sup>2</sup>")
'the partner\\'s "virtual" plan - 2 m'
>>> find_number(28500, passage_numbers("Approximate number of attributed patients 28,500"))
'thousands separator'
>>> find_number(2000000, passage_numbers(normalise("Year 1\\t\\\\$2 m")))
'$ N m (millions)'
>>> find_number(66.67, passage_numbers("in two-thirds of ACOs with partners"))
'fraction in words'
>>> find_label("Dedicated quality and care management systems",
...            normalise(" - Dedicated quality and care management systems** – Organization has"))
'as printed'
>>> find_label("quality and care management systems", "Dedicated Quality and care") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Number", "normalise", "loose", "passage_numbers", "data_numbers", "quoted_labels",
           "find_number", "find_label", "WORDS"]

#: Number words a passage or a data cell may use for a number, and their values.
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
#: Fractions in words, as percent (a rounded figure in the data matches within 0.01).
_FRACTIONS = {"one-third": Decimal(100) / 3, "two-thirds": Decimal(200) / 3, "half": Decimal(50),
              "one-quarter": Decimal(25), "three-quarters": Decimal(75)}
_TOLERANCE = Decimal("0.01")

_SUP = re.compile(r"<sup>.*?</sup>", re.S)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_CHARS = str.maketrans({"\u00a0": " ", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                        "\u2013": "-", "\u2014": "-", "\t": " "})
_NUMBER = re.compile(r"(?<!\w)(?<!\d\.)(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w]|\.\d)")
_MILLIONS = re.compile(r"\$\s?(\d+(?:\.\d+)?)\s?m\b")
_RATIO = re.compile(r"\b(\d+|" + "|".join(WORDS) + r") in (10|ten)\b", re.I)
_GLUED = re.compile(r"(?<=[a-z])(\d+)\b")
_WORD = re.compile(r"\b(" + "|".join(WORDS) + r")\b", re.I)
_FRACTION = re.compile(r"\b(" + "|".join(_FRACTIONS) + r")\b", re.I)
_QUOTED = re.compile(r"""(?:^|(?<=[\s(]))(['"])(.+?)\1(?=$|[\s,.;:)])""")


@dataclass(frozen=True)
class Number:
    """A number a passage states, and the rule that read it."""

    value: Decimal
    rule: str


def normalise(text: str) -> str:
    """The text without typesetting: reference marks, Markdown, special characters.

    Reference marks (``<sup>..</sup>``) go with their content, so that a footnote number
    is never taken for a figure; links keep their text; no-break spaces, curly quotes and
    dashes become plain ones; runs of blanks become one space.
    """
    text = _SUP.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = text.replace("\\", "").replace("**", "").replace("*", "")
    text = text.translate(_CHARS)
    text = re.sub(r"^#+\s*", "", text, flags=re.M)
    return re.sub(r"\s+", " ", text).strip()


def loose(text: str) -> str:
    """`text` without hyphens and spaces: a hyphen the text copy lost (``nostrings``)
    or a space it added is no difference.

    >>> loose("no-strings up-front") == loose("nostrings, up-front")
    False
    >>> loose("no-strings") == loose("nostrings")
    True
    """
    return re.sub(r"[\s-]", "", text)


def passage_numbers(text: str) -> list[Number]:
    """Every number `text` states, each with the rule that read it (already normalised)."""
    found = [Number(Decimal(m.group(1).replace(",", "")),
                    "thousands separator" if "," in m.group(1) else "as printed")
             for m in _NUMBER.finditer(text)]
    found += [Number(Decimal(m.group(1)) * 1_000_000, "$ N m (millions)")
              for m in _MILLIONS.finditer(text)]
    found += [Number(Decimal(m.group(1)), "glued to its label")  # a record's "Issue number3"
              for m in _GLUED.finditer(text)]
    found += [Number(Decimal(WORDS.get(m.group(1).lower(), m.group(1))) * 10, "N in 10")
              for m in _RATIO.finditer(text)]
    found += [Number(Decimal(WORDS[m.group(1).lower()]), "number in words")
              for m in _WORD.finditer(text)]
    found += [Number(_FRACTIONS[m.group(1).lower()], "fraction in words")
              for m in _FRACTION.finditer(text)]
    return found


def data_numbers(text: str) -> list[tuple[str, Decimal]]:
    """The numbers a text cell of the data states: digits and number words (two to
    twelve; "one" is too often no number at all), as (as written, value)."""
    text = re.sub(r"\b(Table|para|paras|item|items)\s+\d+", " ", text)  # places, not figures
    found = [(m.group(1), Decimal(m.group(1).replace(",", ""))) for m in _NUMBER.finditer(text)]
    found += [(m.group(1), Decimal(WORDS[m.group(1).lower()])) for m in _WORD.finditer(text)
              if m.group(1).lower() != "one"]
    return found


def quoted_labels(text: str) -> list[str]:
    """The labels a text cell quotes ('...' or "..."; an apostrophe is no quote).

    >>> quoted_labels("the partner's role: 'Role on board', \\"No vote\\" (Table 1)")
    ['Role on board', 'No vote']
    """
    return [m.group(2) for m in _QUOTED.finditer(text)]


def find_number(value: Decimal | float | int, numbers: list[Number]) -> str | None:
    """The rule by which `numbers` (of a passage) state `value`; None if none does.

    A fraction in words matches a figure within 0.01 (33.33 for one-third).
    """
    value = Decimal(str(value))
    for number in numbers:
        if number.value == value:
            return number.rule
    for number in numbers:
        if number.rule == "fraction in words" and abs(number.value - value) <= _TOLERANCE:
            return number.rule
    return None


def find_label(label: str, text: str) -> str | None:
    """How the normalised passage `text` prints `label`: "as printed", "hyphen lost in
    the copy", or None. Case, commas and words count: an altered label is not found."""
    label = normalise(label)
    if re.search(r"(?<!\w)" + re.escape(label) + r"(?!\w)", text):
        return "as printed"
    if loose(label) and loose(label) in loose(text):
        return "hyphen lost in the copy"
    return None
