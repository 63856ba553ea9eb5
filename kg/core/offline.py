"""Guards that refuse network access while the knowledge graph is built or queried.

Two layers, for two kinds of code:

- :func:`no_network`: Python's audit hooks see every socket connection and URL opened
  from Python code (rdflib, pySHACL, urllib). A hook, once added, cannot be removed, so
  it is added once and consults a flag that :func:`no_network` sets for a block.
- :func:`seal_process_network`: the audit hook does not see native code, and Oxigraph's
  own HTTP client (``SERVICE``, ``LOAD``) is native. A process that runs queries is
  therefore sealed by the kernel: a seccomp filter (libseccomp, through pyseccomp) makes
  every attempt to open an Internet socket fail, for the rest of the process's life and
  in every library it loads. It is applied to the worker processes that run queries
  (:mod:`kg.sparql.limits`), never to the main process.

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

__all__ = ["NetworkAccessError", "SealUnavailable", "no_network", "seal_process_network",
           "UNSEALED_ENV"]

#: Set to 1 to run queries without the kernel seal where seccomp is unavailable (the
#: query check still refuses SERVICE); see the README's safety notes.
UNSEALED_ENV = "ACO_KG_ALLOW_UNSEALED_QUERIES"

_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request",
           "socket.sendto", "http.client.connect"}
_state = threading.local()
_installed = False


class NetworkAccessError(RuntimeError):
    """Raised when code tries to reach the network inside :func:`no_network`."""


class SealUnavailable(RuntimeError):
    """The kernel cannot seal this process from the network (no seccomp, no libseccomp)."""


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


def seal_process_network() -> None:
    """Make this process unable to open Internet sockets, for the rest of its life.

    Every ``socket()`` call for IPv4, IPv6 or raw packets, and every ``io_uring`` set-up
    (a way around the socket call), fails with ``EACCES``, whatever library makes it: Python,
    Oxigraph's HTTP client, a resolver. Local pipes and Unix sockets keep working, so the
    process can still talk to its parent. The filter cannot be lifted once loaded.

    Raises
    ------
    SealUnavailable
        If the platform has no seccomp or libseccomp is not installed (Debian:
        ``libseccomp2``).

    Examples
    --------
    >>> import multiprocessing, socket
    >>> def try_connect(queue):
    ...     seal_process_network()
    ...     try:
    ...         socket.create_connection(("127.0.0.1", 9))
    ...     except PermissionError:
    ...         queue.put("refused by the kernel")
    >>> context = multiprocessing.get_context("fork")
    >>> queue = context.Queue()
    >>> worker = context.Process(target=try_connect, args=(queue,))
    >>> worker.start(); worker.join()
    >>> queue.get(timeout=10)
    'refused by the kernel'
    """
    import errno
    import socket

    try:
        import pyseccomp as seccomp
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        refuse = seccomp.ERRNO(errno.EACCES)
        for family in (socket.AF_INET, socket.AF_INET6, socket.AF_PACKET, socket.AF_NETLINK):
            rules.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.EQ, family))
        rules.add_rule(refuse, "io_uring_setup")
        rules.load()
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        raise SealUnavailable(f"cannot seal the query process from the network: {exc}") from exc
