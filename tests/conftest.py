"""Shared fixtures: copies of the tiny fixture dataset and of the curated data."""

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


def _release(tmp_path_factory, data: Path, name: str) -> Path:
    from kg import build
    base = tmp_path_factory.mktemp(name)
    build(data, base / "out")
    return base


@pytest.fixture(scope="session")
def tiny_release(tmp_path_factory) -> Path:
    """A folder holding `out`, a published build of the tiny fixture (built once)."""
    return _release(tmp_path_factory, TINY, "tiny-release")


@pytest.fixture(scope="session")
def curated_release(tmp_path_factory) -> Path:
    """A folder holding `out`, a published build of data/ (built once)."""
    return _release(tmp_path_factory, DATA, "curated-release")


def copy_release(release: Path, target: Path) -> Path:
    """Copy a published release (the `out` link and its hidden releases folder) into `target`."""
    shutil.copytree(release, target, symlinks=True, dirs_exist_ok=True)
    return target / "out"
