"""The two tiers of `make test-fast` and `make test` cannot pass by running too few tests.

pytest exits 5 when it collects nothing and 4 when `-m` names an unknown marker
(--strict-markers); the --min-tests floor of tests/conftest.py fails a run that selected
some tests but fewer than the floor; the Makefile passes the floor and masks no exit code.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # each test starts pytest or make in a subprocess

MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
SMALL = "tests/test_iris.py"  # four quick tests, none marked slow


def pytest_run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def make_variable(name: str) -> str:
    return re.search(rf"^{name}\s*:?=\s*(.+)$", MAKEFILE, flags=re.M).group(1).strip()


def recipe(target: str) -> list[str]:
    body = MAKEFILE.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in body.splitlines()[1:] if line.startswith("\t")]


@pytest.mark.parametrize("workers", [[], ["-n", "2", "--dist", "loadfile"]], ids=["serial", "xdist"])
def test_a_selection_of_nothing_exits_5(workers):
    result = pytest_run(SMALL, "-m", "slow and not slow", *workers)
    assert result.returncode == 5, result.stdout + result.stderr


def test_a_mistyped_marker_is_refused():
    result = pytest_run(SMALL, "-m", "not slwo")
    assert result.returncode == 4
    assert "Unknown marker(s) in '-m' expression: slwo" in result.stdout + result.stderr


@pytest.mark.parametrize("workers", [[], ["-n", "2", "--dist", "loadfile"]], ids=["serial", "xdist"])
def test_fewer_tests_than_the_floor_fail_the_run(workers):
    # test_iris.py holds 4 tests: a floor of 4 passes, a floor of 5 fails
    assert pytest_run(SMALL, "--min-tests", "4", *workers).returncode == 0
    result = pytest_run(SMALL, "--min-tests", "5", *workers)
    assert result.returncode == 1
    assert "4 tests ran, fewer than --min-tests=5" in result.stdout


@pytest.mark.parametrize("target", ["test", "test-fast"])
def test_the_make_targets_pass_the_floor_and_mask_no_failure(target):
    lines = recipe(target)
    assert lines and all(line.startswith("$(PYTEST)") for line in lines), lines
    assert all("--min-tests" in line for line in lines)
    masking = re.compile(r"^[-@]*-|\|\|\s*(true|:)|;\s*(true|:)\s*$|\bexit 0\b")
    assert not any(masking.search(line) for line in lines), lines
    assert "$(PYTEST)" in MAKEFILE and "--min-tests" not in make_variable("PYTEST")
    assert make_variable("FAST_SELECT") == "not slow"


def test_the_floors_catch_the_likely_mistakes():
    """FAST_MIN is above what `-m slow` selects (the inverted expression) and FULL_MIN above
    what the fast tier selects (a full run that lost its slow tests); both are reachable."""
    def collected(*args: str) -> int:
        result = pytest_run("--collect-only", "-q", *args)
        assert result.returncode == 0, result.stdout + result.stderr
        return int(re.search(r"(\d+)(?:/\d+)? tests? collected", result.stdout).group(1))

    fast, slow, full = collected("-m", "not slow"), collected("-m", "slow"), collected()
    fast_min, full_min = int(make_variable("FAST_MIN")), int(make_variable("FULL_MIN"))
    assert slow < fast_min <= fast
    assert fast < full_min <= full


def test_make_test_fast_fails_when_its_selection_is_empty():
    result = subprocess.run(["make", "test-fast", "STAMP=", "FAST_SELECT=slow and not slow"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode != 0
    assert "Error 5" in result.stderr, result.stdout + result.stderr


def test_a_test_that_changes_a_shared_build_fails_the_session(tmp_path):
    """The shared builds are read-only by contract: a test that writes into one fails the run
    (an error at the end of the session), even though the test itself passed."""
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    (tests / "fixtures").symlink_to(ROOT / "tests" / "fixtures")
    (tmp_path / "data").symlink_to(ROOT / "data")
    (tests / "test_careless.py").write_text(
        "def test_reads(tiny_out):\n"
        "    assert (tiny_out / 'graph.nt').exists()\n\n"
        "def test_writes(tiny_out):\n"
        "    (tiny_out / 'graph.nt').write_text('scribbled')\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                             "tests/test_careless.py"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "a test changed the shared tiny-release" in result.stdout
    assert "2 passed" in result.stdout and "1 error" in result.stdout
