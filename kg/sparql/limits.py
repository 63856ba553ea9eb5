"""Run a query under a wall-clock limit, in a worker process that can be killed.

Neither rdflib nor Oxigraph can cancel a query that is running, so queries run in a
separate process (started with ``spawn``, so no locks or open stores are inherited). The
worker stays alive between queries, which keeps each query cheap; when a query overruns
its time limit the worker is killed, the caller gets :class:`QueryTimeout`, and the next
query starts a fresh worker.

Examples
--------
>>> run_limited(divmod, (7, 2), timeout=60)
(3, 1)
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from typing import Any, Callable

from kg.core.errors import UsageError

__all__ = ["QueryTimeout", "QueryFailed", "run_limited", "stop_worker"]


class QueryTimeout(UsageError):
    """A query ran longer than its time limit and was stopped."""


class QueryFailed(UsageError):
    """A query failed in the worker (the message says why)."""


def _serve(connection) -> None:
    """The worker's loop: run each (function, args) received and send back the outcome."""
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        if message is None:
            return
        function, args = message
        try:
            outcome = ("ok", function(*args))
        except BaseException as exc:  # everything goes back to the caller, nothing is lost
            try:
                outcome = ("error", exc)
                connection.send(outcome)
                continue
            except Exception:  # the exception itself cannot be pickled: send its text
                outcome = ("error", QueryFailed(f"{type(exc).__name__}: {exc}"))
        connection.send(outcome)


class _Worker:
    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True,
                                       name="aco-kg-query-worker")
        self.process.start()
        child.close()

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()

    def stop(self) -> None:
        try:
            self.connection.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)
        self.connection.close()


_worker: _Worker | None = None
_lock = threading.Lock()  # one query at a time through the shared worker


def stop_worker() -> None:
    """Stop the worker process if one is running (done at exit as well)."""
    global _worker
    if _worker is not None:
        _worker.stop()
        _worker = None


atexit.register(stop_worker)


def run_limited(function: Callable, args: tuple, *, timeout: float) -> Any:
    """Call ``function(*args)`` in the worker process and return its result.

    Parameters
    ----------
    function : callable
        A module-level function (it is pickled by reference).
    args : tuple
        Its arguments (pickled).
    timeout : float
        Wall-clock seconds after which the worker is killed.

    Raises
    ------
    QueryTimeout
        If the call did not finish within `timeout` seconds.
    Exception
        Whatever `function` raised, re-raised here.
    """
    global _worker
    if timeout <= 0:
        raise UsageError(f"the time limit must be positive, got {timeout}")
    with _lock:
        if _worker is None or not _worker.alive():
            _worker = _Worker()
        worker = _worker
        try:
            worker.connection.send((function, args))
            finished = worker.connection.poll(timeout)
            if finished:
                status, value = worker.connection.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            worker.kill()
            _worker = None
            raise QueryFailed(f"the query worker stopped unexpectedly ({exc}); "
                              "the next query starts a new one") from None
        if not finished:
            worker.kill()
            _worker = None
            raise QueryTimeout(f"the query was stopped after the time limit of {timeout:g} s; "
                               "narrow it (FILTER, LIMIT) or raise the limit", argument="timeout")
    if status == "error":
        raise value
    return value
