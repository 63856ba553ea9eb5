"""The wheel works on its own: built, installed in a fresh virtual environment outside
the checkout, it finds its ontology, queries, dictionary and templates (package
resources) and runs build, query, analyze and map."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel of this checkout installed (no link to
    the checkout). Its dependencies are those of the test environment, put on its path by a
    ``.pth`` line so that the test needs no download; that line adds the folder only, so the
    checkout's own editable install (itself a ``.pth`` hook in that folder) is not run."""
    base = tmp_path_factory.mktemp("installed")
    # built from a copy of the sources: setuptools reuses a build/ folder in the tree it
    # builds, which would carry modules that the sources no longer have
    source = base / "source"
    generated = shutil.ignore_patterns(
        ".git", ".venv", "build", "out", ".out.releases", "build-cms", "reports", "*.egg-info",
        "__pycache__", ".pytest_cache", ".hypothesis", "site", ".venv-morph")

    def ignored(folder: str, names: list[str]) -> set[str]:
        big = {"cms"} if Path(folder) == ROOT / "data" else set()  # not in the wheel
        return set(generated(folder, names)) | big

    shutil.copytree(ROOT, source, symlinks=True, ignore=ignored)
    wheels = base / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(wheels), str(source)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = wheels.glob("aco_kg-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n for n in archive.namelist() if n.startswith("kg/") and n.endswith(".py")}
    assert shipped == {p.relative_to(ROOT).as_posix() for p in (ROOT / "kg").rglob("*.py")}
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, timeout=600)
    return env_dir


def _run(env_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run([env_dir / "bin" / "aco-kg", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env=env)


def test_the_package_comes_from_the_wheel_not_the_checkout(installed, tmp_path):
    probe = subprocess.run(
        [installed / "bin" / "python", "-c",
         "import kg, kg.core.resources as r; print(kg.__file__); print(r.ontology_dir()); "
         "print(r.query_dir()); print(r.dictionary_file()); print(r.template_dir())"],
        cwd=tmp_path, capture_output=True, text=True, check=True)
    paths = probe.stdout.split()
    assert all(p.startswith(str(installed)) for p in paths), paths
    assert not any(Path(p).is_symlink() for p in paths[1:])


def test_build_query_analyze_and_map_run_from_the_wheel(installed, tmp_path):
    shutil.copytree(ROOT / "tests" / "fixtures" / "tiny", tmp_path / "tiny")
    built = _run(installed, tmp_path, "build", "--data", "tiny", "--out", "out", "-q")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "out" / "report.html").is_file() and (tmp_path / "out" / "map.html").is_file()

    answered = _run(installed, tmp_path, "query", "cq-08-dissolved-alliances", "--store",
                    "out/store", "--format", "csv")
    assert answered.returncode == 0, answered.stderr
    assert "ACO 1 and Partner 1" in answered.stdout

    analysed = _run(installed, tmp_path, "analyze", "--store", "out/store", "--format", "json",
                    "--out", "analysis.json")
    assert analysed.returncode == 0, analysed.stderr
    tables = __import__("json").loads((tmp_path / "analysis.json").read_text(encoding="utf-8"))["tables"]
    assert tables["board_power"] and tables["partners"][0]["rank"] == 1

    drawn = _run(installed, tmp_path, "map", "--store", "out/store", "--out", "map.html")
    assert drawn.returncode == 0, drawn.stderr
    assert "Partner 1" in (tmp_path / "map.html").read_text(encoding="utf-8")


def test_the_workbench_page_and_its_files_come_from_the_wheel(installed, tmp_path):
    """aco-kg serve's page, script, style and the vendored YASGUI (with its licence) are in
    the wheel, byte for byte the checkout's."""
    probe = subprocess.run(
        [installed / "bin" / "python", "-c",
         "import kg.core.resources as r; print(r.static_dir()); print(r.template_dir())"],
        cwd=tmp_path, capture_output=True, text=True, check=True)
    static, templates = (Path(p) for p in probe.stdout.split())
    assert static.is_relative_to(installed) and templates.is_relative_to(installed)
    source = ROOT / "kg" / "products" / "static"
    for name in ("workbench.js", "workbench.css", "yasgui/yasgui.min.js",
                 "yasgui/yasgui.min.css", "yasgui/LICENSE", "yasgui/README.md"):
        assert (static / name).read_bytes() == (source / name).read_bytes(), name
    assert (templates / "workbench.html.j2").is_file()
