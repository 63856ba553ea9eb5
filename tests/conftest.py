"""Shared fixtures: copies of the tiny fixture and of the curated data, and their builds.

Built once per session (per worker under pytest-xdist) and shared read-only:

``tiny_release`` / ``curated_release``
    a folder holding ``out``, the published build of tests/fixtures/tiny or data/;
``tiny_out`` / ``curated_out``
    that ``out`` link (graph.nt, graph.ttl, ontology.ttl, store/, ledger.csv, ...);
``tiny_store`` / ``curated_store``
    its Oxigraph store, opened read-only.

A test that changes a release copies it first with :func:`copy_release`; the session
checks at its end that no shared release changed. ``tiny`` and ``curated`` are writable
copies of the input folders, one per test.

``--min-tests N`` fails the run when fewer than N tests ran, so that a mistyped ``-m``
expression cannot pass by selecting almost nothing (``make test-fast`` and ``make test``
pass it; pytest itself exits 5 when nothing at all is collected).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "tiny"
DATA = ROOT / "data"


# --- the selection guard ----------------------------------------------------------------------

def pytest_addoption(parser):
    parser.addoption("--min-tests", type=int, default=0, metavar="N",
                     help="fail the run if fewer than N tests ran (guards a mistyped -m)")


class _RunCounter:
    """Counts the tests that ran (in the controller, for xdist workers too)."""

    def __init__(self, minimum: int):
        self.minimum = minimum
        self.ran = 0

    def pytest_runtest_logreport(self, report):
        # one count per test: its call phase, or the setup phase when it was skipped there
        if report.when == "call" or (report.when == "setup" and report.skipped):
            self.ran += 1

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        if self.minimum and self.ran < self.minimum and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter):
        if self.minimum and self.ran < self.minimum:
            terminalreporter.write_line(
                f"FAILED: {self.ran} tests ran, fewer than --min-tests={self.minimum}: "
                "is the -m expression right?", red=True, bold=True)


def pytest_configure(config):
    minimum = config.getoption("--min-tests")
    # under xdist only the controller counts (workers see their own share of the tests)
    if minimum and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_RunCounter(minimum), "aco-kg-run-counter")


# --- input folders -----------------------------------------------------------------------------

@pytest.fixture
def tiny(tmp_path) -> Path:
    """A writable copy of tests/fixtures/tiny."""
    target = tmp_path / "tiny"
    shutil.copytree(TINY, target)
    return target


@pytest.fixture
def curated(tmp_path) -> Path:
    """A writable copy of the curated data/ folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("*.yaml"))
    return target


def count_records(path: Path) -> int:
    """Count the CSV records of a file independently of kg.ingest.tables (header excluded)."""
    text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    if not text.strip():
        return 0
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    return max(len(rows) - 1, 0)


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder` (following the output link)."""
    folder = Path(os.path.realpath(folder))
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m kg ARGS` in a subprocess and capture its output."""
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd or ROOT, timeout=300)


# --- builds shared by the session -------------------------------------------------------------

def _shared_release(tmp_path_factory, data: Path, name: str):
    """Build `data` once into a fresh folder; yield it; fail if a test changed it."""
    from kg import build
    base = tmp_path_factory.mktemp(name)
    build(data, base / "out")
    before = {**tree_digest(base / "out"), "": os.readlink(base / "out")}
    yield base
    after = {**tree_digest(base / "out"), "": os.readlink(base / "out")}
    if after != before:
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        pytest.fail(f"a test changed the shared {name} (copy it with copy_release first): "
                    f"{changed[:5]}", pytrace=False)


@pytest.fixture(scope="session")
def tiny_release(tmp_path_factory) -> Path:
    """A folder holding `out`, the published build of the tiny fixture (read-only)."""
    yield from _shared_release(tmp_path_factory, TINY, "tiny-release")


@pytest.fixture(scope="session")
def curated_release(tmp_path_factory) -> Path:
    """A folder holding `out`, the published build of data/ (read-only)."""
    yield from _shared_release(tmp_path_factory, DATA, "curated-release")


@pytest.fixture(scope="session")
def tiny_out(tiny_release) -> Path:
    """The published `out` of the tiny fixture (read-only)."""
    return tiny_release / "out"


@pytest.fixture(scope="session")
def curated_out(curated_release) -> Path:
    """The published `out` of data/ (read-only)."""
    return curated_release / "out"


@pytest.fixture(scope="session")
def tiny_store(tiny_out):
    """The Oxigraph store of the tiny fixture's build, opened read-only."""
    from kg.graph.store import open_store
    return open_store(tiny_out / "store")


@pytest.fixture(scope="session")
def curated_store(curated_out):
    """The Oxigraph store of the curated data's build, opened read-only."""
    from kg.graph.store import open_store
    return open_store(curated_out / "store")


def copy_release(release: Path, target: Path) -> Path:
    """Copy a published release (the `out` link and its hidden releases folder) into `target`."""
    shutil.copytree(release, target, symlinks=True, dirs_exist_ok=True)
    return target / "out"
