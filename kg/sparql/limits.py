"""Run a query under a wall-clock limit, in a worker process that can be killed.

Neither rdflib nor Oxigraph can cancel a query that is running, so queries run in a
separate process (started with ``spawn``, so no locks or open stores are inherited). The
worker stays alive between queries, which keeps each query cheap; when a query overruns
its time limit the worker is killed, the caller gets :class:`QueryTimeout`, and the next
query starts a fresh worker.

Two rules hold for every worker:

- **It dies with its parent.** A thread of the worker watches its parent and ends the
  worker as soon as the process that started it has ended, however that ended
  (``kill -9`` included), so a runaway query never outlives the command that ran it.
  (Not Linux's ``PR_SET_PDEATHSIG``: the kernel sends that signal when the *thread* that
  started the worker ends, and the workbench starts it from a request thread, which
  ends while other threads still use the worker.)
- **It is sealed from the network unless it must reach an endpoint.** A worker that runs
  queries on the embedded store seals itself before its first query
  (:func:`kg.core.offline.seal_process_network`); a worker for a remote endpoint is a
  separate process that is not sealed.

Examples
--------
>>> run_limited(divmod, (7, 2), timeout=60)
(3, 1)
"""

from __future__ import annotations

import atexit
import math
import multiprocessing
import operator
import os
import threading
import time
from typing import Any, Callable

from kg.core.errors import UsageError

__all__ = ["QueryTimeout", "QueryFailed", "RowLimitExceeded", "DEFAULT_TIMEOUT",
           "DEFAULT_MAX_ROWS", "MAX_TIMEOUT", "check_timeout", "check_max_rows", "run_limited",
           "warm_up", "stop_worker"]

#: Seconds a query may run before it is stopped.
DEFAULT_TIMEOUT = 60.0
#: Rows a query may return before it is stopped.
DEFAULT_MAX_ROWS = 100_000
#: The longest time limit accepted, in seconds (a day): a limit is a number of seconds,
#: never infinite.
MAX_TIMEOUT = 86_400.0

#: How often (seconds) a worker looks whether its parent still runs.
PARENT_WATCH_INTERVAL = 0.2


class QueryTimeout(UsageError):
    """A query ran longer than its time limit and was stopped."""


class QueryFailed(UsageError):
    """A query failed in the worker (the message says why)."""


class RowLimitExceeded(UsageError):
    """A query returned more rows than the cap allows."""

    def __init__(self, max_rows: int):
        self.max_rows = max_rows
        super().__init__(f"the query returned more than {max_rows} rows (the row cap); "
                         "narrow it with a FILTER or LIMIT, or raise the cap", argument="max_rows")

    def __reduce__(self):  # so that it crosses a process boundary intact
        return (type(self), (self.max_rows,))


def check_timeout(timeout: Any) -> float:
    """Return `timeout` as seconds, or raise if it is not a finite positive number.

    >>> check_timeout("2.5")
    2.5
    >>> check_timeout(float("inf"))
    Traceback (most recent call last):
    ...
    kg.core.errors.UsageError: must be a number of seconds above 0 and at most 86400, got inf
    """
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= MAX_TIMEOUT):
        raise UsageError(f"must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}, "
                         f"got {timeout}", argument="timeout")
    return seconds


def check_max_rows(max_rows: Any) -> int:
    """Return `max_rows` as an integer, or raise if it is not zero or more.

    >>> check_max_rows(10)
    10
    """
    try:
        rows = operator.index(max_rows)  # an integer of any kind, never a float or a text
    except TypeError:
        rows = -1
    if rows >= 0 and not isinstance(max_rows, bool):
        return rows
    raise UsageError(f"the row cap must be a whole number, zero or more, got {max_rows!r}",
                     argument="max_rows")


def _die_with_parent(parent: int) -> None:
    """End this process as soon as its parent process has ended (it is then re-parented)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH_INTERVAL)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="aco-kg-parent-watch").start()


def _serve(connection, parent: int, sealed: bool) -> None:
    """The worker's loop: run each (function, args) received and send back the outcome."""
    _die_with_parent(parent)
    if sealed:
        from kg.core.offline import UNSEALED_ENV, SealUnavailable, seal_process_network
        try:
            seal_process_network()
        except SealUnavailable as exc:
            if os.environ.get(UNSEALED_ENV) != "1":
                connection.send(("error", QueryFailed(
                    f"{exc}; queries on the embedded store run only in a sealed process "
                    f"(install libseccomp2, or set {UNSEALED_ENV}=1 to run them with the "
                    "query check alone)")))
                return
    connection.send(("ready", None))
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
    """A worker process; it starts at once and is waited for on first use (:meth:`ready`),
    so that it boots while the caller checks the query."""

    def __init__(self, sealed: bool):
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, os.getpid(), sealed),
                                       daemon=True, name="aco-kg-query-worker")
        self.process.start()
        child.close()
        self.started = False

    def ready(self) -> None:
        """Wait until the worker has sealed itself and said so (once)."""
        if self.started:
            return
        try:
            status, value = self.connection.recv()
        except (EOFError, OSError) as exc:
            self.kill()
            raise QueryFailed(f"the query worker did not start ({exc})") from None
        if status == "error":
            self.kill()
            raise value
        self.started = True

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


_workers: dict[bool, _Worker] = {}  # by "sealed"
_lock = threading.Lock()  # one query at a time through the shared workers


def stop_worker() -> None:
    """Stop the worker processes that are running (done at exit as well)."""
    for sealed in list(_workers):
        _workers.pop(sealed).stop()


atexit.register(stop_worker)


def _worker(sealed: bool) -> _Worker:
    """The running worker of this kind, started if there is none (call with the lock held)."""
    worker = _workers.get(sealed)
    if worker is None or not worker.alive():
        worker = _workers[sealed] = _Worker(sealed)
    return worker


def warm_up(*, network: bool = False) -> None:
    """Start the worker process now, without waiting for it, so that it is ready sooner.

    A command that will run a query calls this first and checks the query meanwhile: a
    new worker takes about a tenth of a second to start (a fresh interpreter, the seal).
    """
    with _lock:
        _worker(not network)


def run_limited(function: Callable, args: tuple, *, timeout: float,
                network: bool = False) -> Any:
    """Call ``function(*args)`` in a worker process and return its result.

    Parameters
    ----------
    function : callable
        A module-level function (it is pickled by reference).
    args : tuple
        Its arguments (pickled).
    timeout : float
        Wall-clock seconds after which the worker is killed.
    network : bool
        Whether the call needs the network (a remote endpoint). Otherwise it runs in a
        worker sealed from the network.

    Raises
    ------
    QueryTimeout
        If the call did not finish within `timeout` seconds.
    QueryFailed
        If the worker died, or could not be sealed from the network.
    Exception
        Whatever `function` raised, re-raised here.
    """
    timeout = check_timeout(timeout)
    sealed = not network
    with _lock:
        worker = _worker(sealed)
        try:
            worker.ready()
        except QueryFailed:
            _workers.pop(sealed, None)
            raise
        try:
            worker.connection.send((function, args))
            finished = worker.connection.poll(timeout)
            if finished:
                status, value = worker.connection.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            worker.kill()
            _workers.pop(sealed, None)
            raise QueryFailed(f"the query worker stopped unexpectedly ({exc}); "
                              "the next query starts a new one") from None
        if not finished:
            worker.kill()
            _workers.pop(sealed, None)
            raise QueryTimeout(f"the query was stopped after the time limit of {timeout:g} s; "
                               "narrow it (FILTER, LIMIT) or raise the limit", argument="timeout")
    if status == "error":
        raise value
    return value
