"""Reading the cells of public data files: money, counts, rates, dates, states, hosts.

CMS writes the same quantity in several ways across years: ``$613084880.40``,
``89,403``, ``6.46%``, ``0.0646``. These functions turn one cell into a plain number or
say why they cannot; ``*`` (suppressed) and ``-`` (not applicable) become ``None``
(unknown), never 0.

Examples
--------
>>> number("$1,175,345,650")
1175345650.0
>>> number("*") is None, number("-") is None, number("") is None
(True, True, True)
>>> number("6.46%")
6.46
>>> number("$-9,187,354.55"), number("-$9,187,354.55"), number("($5.00)")
(-9187354.55, -9187354.55, -5.0)
>>> number("-$-5")
Traceback (most recent call last):
...
ValueError: '-$-5' is not a number
>>> number("12abc")
Traceback (most recent call last):
...
ValueError: '12abc' is not a number
>>> us_date("7/1/12"), us_date("07/01/2012 12:00:00 AM"), us_date("1/1/16 00:00")
('2012-07-01', '2012-07-01', '2016-01-01')
>>> states("New York,  New Jersey"), states("NJ, NY"), states("Florida")
('NY, NJ', 'NJ, NY', 'FL')
>>> web_host("https://www.aledade.com/aco/x"), web_host("AZBestCare.org")
('aledade.com', 'azbestcare.org')
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

__all__ = ["UNKNOWN_MARKS", "number", "plain_decimal", "us_date", "states", "web_host",
           "slug", "STATE_CODES"]

#: Cells that mean "unknown": suppressed (``*``), not applicable (``-``), blank.
UNKNOWN_MARKS = frozenset({"", "*", "-", "N/A", "NA", "n/a"})

#: A number as CMS writes it: one minus sign, before or after the dollar sign (``-$5``,
#: ``$-5``), or parentheses for a negative amount (``($5)``); thousands separated by
#: commas in groups of three; an optional trailing ``%``.
_NUMBER = re.compile(r"(?P<open>\()?(?P<sign>-)?\$?(?P<sign_after>-)?"
                     r"(?P<digits>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
                     r"(?P<close>\))?%?")


def number(cell: str) -> float | None:
    """Return the number in `cell` (``$``, thousands separators and ``%`` removed), or None.

    A trailing ``%`` is dropped without scaling: whether a column holds fractions or
    percent numbers is decided per column (see :func:`kg.ingest.cms.results.rate_scale`),
    because CMS files write ``0.0234%`` for 2.34%.

    Raises
    ------
    ValueError
        If the cell is neither a number nor an unknown mark.
    """
    text = cell.strip()
    if text in UNKNOWN_MARKS:
        return None
    match = _NUMBER.fullmatch(text)
    signs = (match["open"] is not None, match["sign"] is not None,
             match["sign_after"] is not None) if match else ()
    if not match or sum(signs) > 1 or (match["open"] is None) != (match["close"] is None):
        raise ValueError(f"{cell!r} is not a number")
    value = float(match["digits"].replace(",", ""))
    return -value if any(signs) else value


def plain_decimal(value: float, places: int = 2) -> str:
    """Write a number as the dictionary's decimal text (no exponent, no trailing zeros).

    >>> plain_decimal(39568834.9), plain_decimal(2.0), plain_decimal(-0.5), plain_decimal(1e-9)
    ('39568834.9', '2', '-0.5', '0')
    """
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(\s.*)?")


def us_date(cell: str) -> str | None:
    """Return an m/d/yy or m/d/yyyy date (time of day ignored) as YYYY-MM-DD, or None.

    Raises
    ------
    ValueError
        If the cell is not such a date.
    """
    text = cell.strip()
    if text in UNKNOWN_MARKS:
        return None
    match = _DATE.fullmatch(text)
    if not match:
        raise ValueError(f"{cell!r} is not a date (m/d/yyyy)")
    month, day, year = int(match[1]), int(match[2]), match[3]
    year = int(year) + (2000 if len(year) == 2 else 0)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError(f"{cell!r} is not a calendar date")
    return f"{year:04d}-{month:02d}-{day:02d}"


STATE_CODES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL",
    "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
    "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ",
    "new mexico": "NM", "new york": "NY", "north carolina": "NC", "north dakota": "ND",
    "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN",
    "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR",
    "guam": "GU", "virgin islands": "VI", "u.s. virgin islands": "VI",
    "northern mariana islands": "MP", "american samoa": "AS",
}
_CODES = set(STATE_CODES.values())


def states(cell: str) -> str | None:
    """Return the states listed in `cell` as USPS codes joined by ``", "``, or None.

    Full names (2014-2017 files) and codes (2018 on) are both accepted; the order of
    the source is kept.

    Raises
    ------
    ValueError
        If a part is neither a state name nor a USPS code.
    """
    text = cell.strip()
    if text in UNKNOWN_MARKS:
        return None
    out = []
    for part in re.split(r"\s*[,;]\s*", text):
        name = re.sub(r"\s+", " ", part.strip())
        if not name:
            continue
        code = name.upper() if name.upper() in _CODES else STATE_CODES.get(name.lower())
        if code is None:
            raise ValueError(f"{part!r} is not a U.S. state or USPS code")
        if code not in out:
            out.append(code)
    return ", ".join(out) if out else None


def web_host(cell: str) -> str | None:
    """Return the host of a web address (lower case, without ``www.``), or None."""
    text = cell.strip()
    if text in UNKNOWN_MARKS:
        return None
    if not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I):
        text = "http://" + text
    try:
        host = (urlparse(text).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    host = host.removeprefix("www.")
    return host or None


def slug(text: str, limit: int = 80) -> str:
    """Return an identifier made of `text` (lower case letters, digits and hyphens).

    >>> slug("Center for Pan Asian Community Services, Inc.")
    'center-for-pan-asian-community-services-inc'
    """
    value = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return value[:limit].rstrip("-") or "x"
