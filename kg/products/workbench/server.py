"""``aco-kg serve``: a read-only SPARQL endpoint and a browser editor on 127.0.0.1.

The server is the standard library's threading HTTP server, kept small: a loopback,
read-only, single-user tool needs routing, a few headers and no framework. It answers:

- ``/``: the editor page (:mod:`kg.products.workbench.page`);
- ``/sparql``: the SPARQL 1.1 Protocol, queries only (:mod:`kg.products.workbench.protocol`).
  Every query goes through :func:`kg.sparql.runner.solutions`, as ``aco-kg query --text``
  does: the same check (SERVICE, FROM and updates refused; only the checked text reaches
  the engine), the same sealed worker process, time limit and row cap;
- ``/static/...``: the editor's files (a vendored YASGUI, the page's script and style);
- ``/docs/...``: the ontology reference and the query catalogue of ``aco-kg docs``,
  written into a temporary folder in the background when the server starts.

Safety of the server itself: it binds 127.0.0.1 only; a request whose Host header is not
``127.0.0.1:PORT`` or ``localhost:PORT`` is refused (a DNS-rebinding page names its own
host), and so is a request that a browser marks as coming from another site (``Origin``,
``Sec-Fetch-Site``); no CORS header is ever sent; PUT, DELETE, PATCH and OPTIONS are
answered 405; a body over :data:`~kg.products.workbench.protocol.MAX_BODY_BYTES` is refused
before it is read; every page carries a Content-Security-Policy that allows scripts,
styles and connections from the server alone.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg.core.errors import UsageError
from kg.products.workbench.protocol import MAX_BODY_BYTES, ProtocolError, query_request

__all__ = ["EDITOR_POLICY", "DOCS_POLICY", "WorkbenchServer", "make_server", "serve"]

#: The editor's Content-Security-Policy: its own scripts, styles and connections only
#: (YASGUI sets inline styles, hence 'unsafe-inline' for styles, never for scripts).
EDITOR_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                 "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
                 "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
#: The documentation pages (pyLODE's and the catalogue): no script at all.
DOCS_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
               "form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".txt": "text/plain; charset=utf-8",
          ".md": "text/plain; charset=utf-8", "": "text/plain; charset=utf-8"}


class _Documentation:
    """The documentation site, written in the background into a temporary folder."""

    def __init__(self, store: str):
        self.store = store
        self.folder: Path | None = None
        self.problem: str | None = None
        self.ready = threading.Event()

    def start(self) -> "_Documentation":
        threading.Thread(target=self._write, name="aco-kg-docs", daemon=True).start()
        return self

    def _write(self) -> None:
        from kg.products.docs_site import build_docs
        folder = Path(tempfile.mkdtemp(prefix="aco-kg-docs-"))
        try:
            build_docs(folder, store=self.store)
            self.folder = folder
        except UsageError as exc:  # pyLODE missing: the editor works without the docs
            self.problem = str(exc)
            shutil.rmtree(folder, ignore_errors=True)
        except Exception as exc:  # never let the docs take the endpoint down
            self.problem = f"the documentation could not be written: {type(exc).__name__}: {exc}"
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            self.ready.set()

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


class WorkbenchServer(ThreadingHTTPServer):
    """The HTTP server: what to serve, and the limits every query runs under.

    Attributes
    ----------
    store : str
        The published Oxigraph store.
    timeout, max_rows
        The time limit (seconds) and row cap of every query.
    examples : kg.products.workbench.page.ExampleValues
        Parameter values for the examples, found in the background.
    docs : _Documentation or None
        The documentation site, written in the background (None: not served).
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, store: str, *, timeout: float, max_rows: int,
                 docs: bool = True, quiet: bool = False):
        from kg.products.workbench.page import ExampleValues
        from kg.sparql.catalogue import list_queries

        super().__init__(("127.0.0.1", port), _Handler)
        self.store, self.timeout, self.max_rows, self.quiet = store, timeout, max_rows, quiet
        self.examples = ExampleValues(store, list_queries())
        self.docs = _Documentation(store) if docs else None
        self.hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.origins = {f"http://{host}" for host in self.hosts}

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start_background(self) -> None:
        """Start finding example values and writing the documentation."""
        self.examples.start()
        if self.docs is not None:
            self.docs.start()

    def server_close(self) -> None:
        super().server_close()
        if self.docs is not None:
            self.docs.close()


class _Handler(BaseHTTPRequestHandler):
    server: WorkbenchServer
    server_version = "aco-kg-workbench"
    sys_version = ""

    # -- answers ---------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, *, policy: str | None = None,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        if policy:
            self.send_header("Content-Security-Policy", policy)
            self.send_header("X-Frame-Options", "DENY")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str, *, extra: dict[str, str] | None = None) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8",
                   extra=extra)

    def log_message(self, format: str, *args) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    # -- who may ask -----------------------------------------------------------------------
    def _allowed(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.hosts:
            self._error(403, f"refused: the Host header must be one of "
                             f"{', '.join(sorted(self.server.hosts))} (got {host or 'none'})")
            return False
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() not in self.server.origins:
            self._error(403, "refused: a page of another site may not use this endpoint")
            return False
        if (self.headers.get("Sec-Fetch-Site") or "").lower() == "cross-site":
            self._error(403, "refused: a page of another site may not use this endpoint")
            return False
        return True

    # -- methods ---------------------------------------------------------------------------
    def do_GET(self) -> None:
        if not self._allowed():
            return
        path, _, url_query = self.path.partition("?")
        path = urllib.parse.unquote(path)
        if path == "/sparql":
            self._query(url_query, None, b"")
        elif path in ("/", "/index.html"):
            self._page()
        elif path.startswith("/static/"):
            from kg.core.resources import static_dir
            self._file(static_dir(), path[len("/static/"):], policy=None)
        elif path == "/docs":
            self._send(301, b"", "text/plain", extra={"Location": "/docs/"})
        elif path.startswith("/docs/"):
            self._docs(path[len("/docs/"):] or "index.html")
        elif path == "/favicon.ico":
            self._send(204, b"", "text/plain")
        else:
            self._error(404, f"nothing at {path}: the editor is at /, the endpoint at /sparql")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        if not self._allowed():
            return
        path, _, url_query = self.path.partition("?")
        if path != "/sparql":
            self._error(405, "only /sparql takes a POST (a query)", extra={"Allow": "GET"})
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._error(411, "a POST needs a Content-Length")
            return
        if int(length) > MAX_BODY_BYTES:
            self._error(413, f"the request body is over {MAX_BODY_BYTES} bytes")
            self.close_connection = True
            return
        self._query(url_query, self.headers.get("Content-Type"), self.rfile.read(int(length)))

    def _read_only(self) -> None:
        if self._allowed():
            self._error(405, "this endpoint is read-only: GET or POST a query",
                        extra={"Allow": "GET, POST"})

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _read_only

    # -- what is served --------------------------------------------------------------------
    def _query(self, url_query: str, content_type: str | None, body: bytes) -> None:
        from kg.sparql.limits import QueryTimeout
        from kg.sparql.results import serialize, MEDIA_TYPES
        from kg.sparql.runner import solutions

        try:
            request = query_request(self.command if self.command != "HEAD" else "GET",
                                    url_query, content_type, body, self.headers.get("Accept"))
        except ProtocolError as exc:
            self._error(exc.status, exc.message)
            return
        try:
            found = solutions(text=request.text, store=self.server.store,
                              timeout=self.server.timeout, max_rows=self.server.max_rows)
        except QueryTimeout as exc:
            self._error(503, str(exc))
            return
        except UsageError as exc:  # refused, invalid, over the row cap: the message says which
            self._error(400, str(exc))
            return
        except Exception as exc:  # a fault of aco-kg: say so, and keep serving
            self.log_error("internal error: %r", exc)
            self._error(500, f"internal error: {type(exc).__name__}: {exc}")
            return
        if request.download:
            from kg.products.formats import render
            from kg.sparql.select import solutions_frame
            text = render(solutions_frame(found), request.download)
            self._send(200, text.encode("utf-8"), request.media_type + "; charset=utf-8",
                       extra={"Content-Disposition":
                              f'attachment; filename="query.{request.download}"'})
            return
        text = serialize(found, MEDIA_TYPES[request.media_type])
        self._send(200, text.encode("utf-8"), request.media_type + "; charset=utf-8")

    def _page(self) -> None:
        from kg.products.workbench.page import current_entries, render_page
        html = render_page(current_entries(self.server.examples), store=self.server.store,
                           timeout=self.server.timeout, max_rows=self.server.max_rows,
                           docs=self.server.docs is not None)
        self._send(200, html.encode("utf-8"), _TYPES[".html"], policy=EDITOR_POLICY)

    def _docs(self, name: str) -> None:
        docs = self.server.docs
        if docs is None:
            self._error(404, "the documentation is not served (aco-kg serve --no-docs)")
        elif not docs.ready.is_set():
            self._error(503, "the documentation is being written; reload in a few seconds",
                        extra={"Retry-After": "5"})
        elif docs.folder is None:
            self._error(404, docs.problem or "no documentation")
        else:
            self._file(docs.folder, name, policy=DOCS_POLICY)

    def _file(self, root: Path, name: str, *, policy: str | None) -> None:
        """A file directly below `root` or one of its folders, never outside it."""
        target = (root / name).resolve()
        if not target.is_relative_to(root.resolve()) or not target.is_file() \
                or any(part.startswith(".") for part in Path(name).parts):
            self._error(404, f"no file {name}")
            return
        content_type = _TYPES.get(target.suffix, "application/octet-stream")
        self._send(200, target.read_bytes(), content_type,
                   policy=policy if target.suffix == ".html" else None)


def make_server(store: str | Path = "out/store", port: int = 8000, *, timeout: float | None = None,
                max_rows: int | None = None, docs: bool = True, quiet: bool = False
                ) -> WorkbenchServer:
    """Create the server on 127.0.0.1:`port` (0: a free port) and start its background work.

    Raises
    ------
    kg.core.errors.UsageError
        If there is no store, a limit is invalid, or the port is taken.
    """
    from kg.sparql.limits import (DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, check_max_rows,
                                  check_timeout)

    store = Path(store)
    if not (store / "CURRENT").exists():
        raise UsageError(f"no Oxigraph store at {store}: run 'aco-kg build' (or 'make demo') first")
    timeout = check_timeout(DEFAULT_TIMEOUT if timeout is None else timeout)
    max_rows = check_max_rows(DEFAULT_MAX_ROWS if max_rows is None else max_rows)
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise UsageError(f"must be a port number from 0 to 65535, got {port!r}", argument="port")
    try:
        server = WorkbenchServer(port, str(store), timeout=timeout, max_rows=max_rows,
                                 docs=docs, quiet=quiet)
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}",
                         argument="port") from None
    server.start_background()
    return server


def serve(store: str | Path = "out/store", port: int = 8000, *, timeout: float | None = None,
          max_rows: int | None = None, docs: bool = True, ready=None) -> None:
    """Serve the workbench until interrupted (Ctrl-C).

    Parameters
    ----------
    ready : callable, optional
        Called with the server once it listens (the command line prints its address).
    """
    import signal

    from kg.sparql.limits import stop_worker

    server = make_server(store, port, timeout=timeout, max_rows=max_rows, docs=docs)
    if threading.current_thread() is threading.main_thread():
        # `kill` ends the server as Ctrl-C does, so that its temporary files are removed
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        if ready is not None:
            ready(server)
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        stop_worker()
        sys.stderr.flush()
