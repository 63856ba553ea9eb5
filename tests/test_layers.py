"""The pipeline stages import only the stages below them (import-linter contracts)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
LAYERS = CONFIG["contracts"][0]["layers"]


def test_the_layer_contract_holds():
    result = subprocess.run([Path(sys.executable).with_name("lint-imports")], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_every_module_belongs_to_a_stage():
    """A module outside the layers would escape the contract, so there must be none."""
    loose = []
    for path in sorted((ROOT / "kg").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if module in {"kg.__init__", "kg.__main__"}:
            continue
        if not any(module == layer or module.startswith(layer + ".") for layer in LAYERS):
            loose.append(module)
    assert loose == []


def test_a_backward_import_breaks_the_contract(tmp_path):
    """The contract is not vacuous: a copy of the package with one import from a lower
    stage to a higher one is refused."""
    import shutil
    shutil.copytree(ROOT / "kg", tmp_path / "kg", symlinks=True)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    errors = tmp_path / "kg" / "core" / "errors.py"
    errors.write_text(errors.read_text(encoding="utf-8") + "\nimport kg.products.report  # noqa\n",
                      encoding="utf-8")
    result = subprocess.run([Path(sys.executable).with_name("lint-imports")], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "kg.core.errors -> kg.products.report" in result.stdout
