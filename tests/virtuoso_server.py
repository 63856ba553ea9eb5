"""Virtuoso Open Source on 127.0.0.1, with a temporary database, for the tests.

Debian's ``virtuoso-opensource-7-bin`` (``make system-deps``) gives the server
``virtuoso-t`` and its SQL client ``isql-vt``. The server here listens on two free ports
of 127.0.0.1 only (SQL and HTTP; no Unix socket), keeps everything in one temporary
folder, and lets the anonymous SPARQL user write through the Graph Store Protocol
(``GRANT SPARQL_UPDATE``) so that ``aco-kg push`` can load it, as a researcher would on
their own machine.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

__all__ = ["SERVER", "CLIENT", "GRAPH", "free_port", "listening", "virtuoso"]

SERVER = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
CLIENT = shutil.which("isql-vt") or "/usr/bin/isql-vt"
#: The named graph the tests load the knowledge graph into.
GRAPH = "https://w3id.org/aco-kg/graph"

_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = {folder}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 4
MaxClientConnections = 4
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(pid: int) -> set[tuple[str, int]]:
    """The TCP addresses (IPv4 and IPv6) that process `pid` listens on, from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A" or fields[9] not in inodes:  # 0A: LISTEN
                continue
            address, port = fields[1].split(":")
            if width == 8:
                ip = ".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0))
            else:
                ip = "ipv6:" + address
            found.add((ip, int(port, 16)))
    return found


@contextmanager
def virtuoso(folder: Path):
    """Start Virtuoso with its database in `folder`; yield (process, http base URL)."""
    if not (Path(SERVER).exists() and Path(CLIENT).exists()):
        raise RuntimeError("Virtuoso is missing: make system-deps installs "
                           "virtuoso-opensource-7-bin")
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_INI.format(folder=folder, sql_port=sql_port, http_port=http_port),
                   encoding="utf-8")
    log = open(folder / "stdout.log", "wb")
    process = subprocess.Popen([SERVER, "+foreground", "+configfile", str(ini)], cwd=folder,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Virtuoso did not start: "
                                       + (folder / "stdout.log").read_text(errors="replace")[-2000:])
                time.sleep(0.2)
        granted = subprocess.run(
            [CLIENT, f"127.0.0.1:{sql_port}", "dba", "dba",
             'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            capture_output=True, text=True, timeout=60)
        if granted.returncode != 0:
            raise RuntimeError(f"isql-vt failed: {granted.stdout} {granted.stderr}")
        process.sql_port, process.http_port = sql_port, http_port
        yield process, base
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()
