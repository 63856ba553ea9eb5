"""A guard that refuses network access while the knowledge graph is built or queried.

Python's audit hooks see every socket connection and URL opened from Python code
(rdflib, pySHACL, urllib). A hook, once added, cannot be removed, so it is added once
and consults a flag that :func:`no_network` sets for the duration of a block.

Examples
--------
>>> import socket
>>> with no_network():
...     socket.getaddrinfo("example.org", 80)
Traceback (most recent call last):
...
kg.core.offline.NetworkAccessError: network access refused while building or querying: socket.getaddrinfo ('example.org', 80)
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

__all__ = ["NetworkAccessError", "no_network"]

_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request",
           "socket.sendto", "http.client.connect"}
_state = threading.local()
_installed = False


class NetworkAccessError(RuntimeError):
    """Raised when code tries to reach the network inside :func:`no_network`."""


def _hook(event: str, args: tuple) -> None:
    if event in _EVENTS and getattr(_state, "depth", 0) > 0:
        shown = args[:2] if event != "urllib.Request" else args[:1]
        raise NetworkAccessError(
            f"network access refused while building or querying: {event} {shown}")


@contextmanager
def no_network():
    """Refuse network access from Python code in this thread while the block runs."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1
