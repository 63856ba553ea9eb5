"""The key under which a signal's value is compared with other ACOs' values.

The four web signals (a reporting-site host in either file, an executive's or the public
contact's e-mail domain) are one kind of thing, a domain the operator owns, so they share
one key space: the **registrable domain** (the last two labels of the host, three under a
two-letter country domain such as ``co.uk``). ``healthcare.ascension.org`` (a host) and
``ascension.org`` (an e-mail domain) are then one key. Brands, addresses and participant
organizations are keys of their own kind.

>>> key("website_host", "healthcare.ascension.org"), key("exec_email_domain", "ascension.org")
(('domain', 'ascension.org'), ('domain', 'ascension.org'))
>>> key("aco_address", "4550montgomeryave|20814")
('aco_address', '4550montgomeryave|20814')
>>> registrable("a.b.example.co.uk")
'example.co.uk'
"""

from __future__ import annotations

__all__ = ["DOMAIN_SIGNALS", "key", "registrable", "Key"]

DOMAIN_SIGNALS = ("website_host", "exec_email_domain", "public_email_domain",
                  "participant_website_host")

Key = tuple[str, str]


def registrable(host: str) -> str:
    """The registrable part of `host` (see the module docstring)."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in {"co", "com", "org", "net", "ac", "gov"}:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def key(signal: str, value: str) -> Key:
    """The comparison key of a normalised `value` of `signal`."""
    if signal in DOMAIN_SIGNALS:
        return ("domain", registrable(value))
    return (signal, value)
