"""Normal forms of the signals that tie ACOs to an operator.

Two ACOs share a signal when the normal forms of their values are equal, so each form
drops what differs between two spellings of one thing and nothing else:

* a **host** (reporting web site) is lower case, without scheme, path, port or a leading
  ``www.`` (``www2.`` too);
* an **e-mail domain** is lower case, without a leading ``@`` or ``www.``;
* an **address** keeps the street and the ZIP code: suite, floor, unit, room and building
  parts are dropped, then case, punctuation and spaces; common street words are
  abbreviated (``Avenue`` -> ``ave``) so that ``4550 Montgomery Avenue`` and
  ``4550 Montgomery Ave.`` agree;
* a **legal name** gives a **brand**: the first word of the name that is not a legal
  form, a generic word of ACO names (``ACO``, ``Health``, ``Care``, ``MSSP`` ...), a U.S.
  state, a number or a CMS identifier, with the generic words before it (so
  ``Accountable Care Coalition of Texas`` gives ``accountable care coalition``, which
  ``Midwest Health Coalition`` does not). ``Aledade A2557 Coastal MSSP Enhanced`` and
  ``Aledade Central Florida ACO, LLC`` both give ``aledade``; ``AL MSSP Enhanced`` gives
  none. Which brands are too common to tell companies apart is the exclusion list's
  business (:mod:`kg.ingest.operators.exclusions`), not this module's.

Examples
--------
>>> host("https://WWW.Aledade.com/aco/public-reporting"), host("n/a"), host("")
('aledade.com', None, None)
>>> email_domain("@PriviaHealth.com ")
'priviahealth.com'
>>> address("4550 Montgomery Avenue, Suite 950N, Bethesda, MD, 20814")
'4550montgomeryave|20814'
>>> address("4550 Montgomery Ave., 950N, Bethesda, MD 20814-3304")
'4550montgomeryave|20814'
>>> brand("Aledade A2557 Coastal MSSP Enhanced"), brand("AL MSSP Enhanced")
('aledade', None)
>>> brand("CHSPSC ACO 12, LLC"), brand("Accountable Care Coalition of Georgia, LLC.")
('chspsc', 'accountable care coalition')
>>> brand("The Premier HealthCare Network LLC"), brand("Midwest Health Coalition ACO")
('premier', 'midwest health coalition')
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from kg.ingest.cms.cells import STATE_CODES

_LEGAL = frozenset("llc l c inc incorporated corp corporation co company ltd lp llp pc pllc plc "
                   "psc dba".split())
_ARTICLES = frozenset("the a an".split())

__all__ = ["host", "email_domain", "address", "brand", "brand_stem", "name_words", "GENERIC_NAME_WORDS", "US_STATES"]

#: Cells that say "no value".
_UNKNOWN = {"", "n/a", "na", "none", "null", "-", "not available", "unknown"}

#: Parts of an address that name a place inside a building (dropped with what follows).
_UNIT = re.compile(r"\b(suite|ste|floor|flr|fl|unit|room|rm|bldg|building|dept|office|"
                   r"box(?=\s*\d)|mail\s*stop|ms)\b\.?\s*#?\s*[\w-]*|#\s*[\w-]+|"
                   r"\b\d+(st|nd|rd|th)\s+(floor|fl)\b", re.I)
_STREET_WORDS = {"avenue": "ave", "av": "ave", "street": "st", "road": "rd", "drive": "dr",
                 "boulevard": "blvd", "parkway": "pkwy", "prkwy": "pkwy", "prkw": "pkwy",
                 "pky": "pkwy", "highway": "hwy", "lane": "ln", "court": "ct", "place": "pl",
                 "circle": "cir", "north": "n", "south": "s", "east": "e", "west": "w",
                 "suite": "", "center": "ctr", "way": "way", "square": "sq", "plaza": "plz"}

#: U.S. states, D.C. and Puerto Rico, by USPS code and by name (lower case), from the CMS
#: importer's table; the smaller territories are left out because their codes are words
#: of names ("as").
US_STATES = {code.lower(): name for name, code in STATE_CODES.items()
             if code not in ("GU", "VI", "MP", "AS")}
_STATE_WORDS = set(US_STATES) | {w for name in US_STATES.values() for w in name.split()}

#: Words of ACO legal names that say what an entity is, not whose it is: legal forms,
#: the program's vocabulary, generic words of health care, places and directions.
GENERIC_NAME_WORDS = frozenset("""
    a an and the of for in at by to on de la las los el
    llc l l c inc incorporated corp corporation co company ltd lp llp pc pa pllc plc psc
    sc dba d b a trust foundation
    aco acos accountable care organization organizations organisation mssp ssp medicare
    enhanced basic track program shared savings msso mso ipa
    health healthcare healthcares medical medicine clinical clinic clinics physician
    physicians doctor doctors provider providers primary quality value based
    network networks partners partner partnership alliance association associates
    group groups services service solutions system systems collaborative
    new national regional community communities central north south east west northern
    southern eastern western northeast northwest southeast southwest midwest coastal
    county city valley area region metro greater upper lower
    first one ii iii iv v vi vii viii ix x
""".split()) | _STATE_WORDS


def host(cell: str | None) -> str | None:
    """The host of a web address or bare host name, normalised; None when there is none."""
    text = (cell or "").strip()
    if text.lower() in _UNKNOWN:
        return None
    if not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I):
        text = "http://" + text
    try:
        name = (urlparse(text).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    name = re.sub(r"^www\d?\.", "", name)
    return name if "." in name else None


def email_domain(cell: str | None) -> str | None:
    """The domain of an e-mail address or bare domain, normalised; None when there is none."""
    text = (cell or "").strip().lower()
    if text in _UNKNOWN:
        return None
    text = text.rsplit("@", 1)[-1]
    text = re.sub(r"^www\d?\.", "", text).rstrip(".")
    return text if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", text) else None


def address(cell: str | None) -> str | None:
    """Street and ZIP code of a postal address, normalised (``street|zip5``); None if blank.

    Without a ZIP code the street alone is kept (``street|``).
    """
    text = (cell or "").strip().lower()
    if text in _UNKNOWN:
        return None
    zips = re.findall(r"\b(\d{5})(?:-\d{4})?\b", text)
    zip5 = zips[-1] if zips else ""
    street = text.split(",")[0]
    street = _UNIT.sub(" ", street)
    words = [_STREET_WORDS.get(w, w) for w in re.findall(r"[a-z0-9]+", street)]
    street = "".join(words)
    if not street:
        return None
    return f"{street}|{zip5}"


def brand(name: str | None) -> str | None:
    """The first word of a legal name that could be a company's brand, or None."""
    words = re.findall(r"[a-z0-9]+", (name or "").lower().replace("&", " and "))
    before: list[str] = []
    for word in words:
        if word in _LEGAL or re.fullmatch(r"\d+|a\d{4,5}|\d+[a-z]{0,2}|py\d+|20\d\d", word):
            continue
        if word in GENERIC_NAME_WORDS or len(word) < 3:
            before.append(word)
            continue
        # the generic words before the brand word are part of it ("Accountable Care
        # Coalition" is not "Midwest Health Coalition"), but for articles
        return " ".join([w for w in before if w not in _ARTICLES] + [word])
    return None


#: Words that end a brand stem: what follows them names a place, a series or a legal form.
_STEM_STOP = frozenset("""
    of for in at by on and aco acos organization organisation organizations mssp ssp enhanced
    basic medicare llc inc corp corporation ltd lp llp pc pllc plc psc dba d b
    new national regional community central north south east west northern southern eastern
    western northeast northwest southeast southwest midwest coastal county city valley area
    region metro greater upper lower first i ii iii iv v vi vii viii ix x
""".split()) | _STATE_WORDS


def brand_stem(name: str | None) -> str | None:
    """The name's brand with the words that follow it up to a place, a number or a legal
    form: the stem that the numbered or regional entities of one company share.

    None when the stem is the brand itself (:func:`brand` gives it).

    >>> brand_stem("Orange Accountable Care of South Florida, LLC")
    'orange accountable care'
    >>> brand_stem("Orange Accountable Care Organization LLC"), brand_stem("Aledade 151 Northern MSSP")
    ('orange accountable care', None)
    >>> brand_stem("Senior Health Connect ACO 5"), brand_stem("Prime Healthcare ACO II LLC")
    ('senior health connect', 'prime healthcare')
    """
    words = re.findall(r"[a-z0-9]+", (name or "").lower().replace("&", " and "))
    head = brand(name)
    if not head:
        return None
    last = head.split()[-1]
    out: list[str] = []
    found = False
    for word in words:
        if not found:
            if word in _LEGAL or re.fullmatch(r"\d+|a\d{4,5}|\d+[a-z]{0,2}|py\d+|20\d\d", word):
                continue
            if word in _ARTICLES and not out:
                continue
            out.append(word)
            found = word == last
            continue
        if word in _STEM_STOP or re.fullmatch(r"\d+|a\d{4,5}|\d+[a-z]{0,2}|py\d+|20\d\d", word):
            break
        out.append(word)
    stem = " ".join(w for w in out if w not in _ARTICLES)
    return stem if stem != head else None


def name_words(name: str | None) -> str:
    """A legal name in lower case, its punctuation as spaces, spaces collapsed: the form a
    registry brand prefix is matched against.

    >>> name_words("Privia Quality Network of Georgia, LLC."), name_words("St. Luke's  ACO")
    ('privia quality network of georgia llc', 'st luke s aco')
    """
    return " ".join(re.findall(r"[a-z0-9]+", (name or "").lower()))
