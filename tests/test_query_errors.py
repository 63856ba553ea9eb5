"""Helpful errors and warnings of aco-kg query: the closest query names, IRIs that name
nothing, answers cut at the row cap on request, and a command line that starts fast
because it loads only what the command needs."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kg
from conftest import ROOT
from kg.cli import main
from kg.sparql.catalogue import closest_names, list_queries
from kg.sparql.runner import RowsTruncatedWarning, UnknownIRIWarning

NAMES = [canned.name for canned in list_queries()]


@pytest.mark.parametrize("typed,meant", [
    ("cq-5-vetos", "cq-05-partner-vetoes"),
    ("partner-vetos", "cq-05-partner-vetoes"),
    ("cq05", "cq-05-partner-vetoes"),
    ("cq-31", "cq-31-promises-not-kept"),
    ("timeline", "cq-15-alliance-timeline"),
    ("tables/organisations", "tables/organizations"),
    ("dangling-references", "dangling-reference-violation"),
])
def test_a_mistyped_name_suggests_the_closest(typed, meant, capsys):
    assert closest_names(typed, NAMES)[0] == meant
    assert main(["query", typed]) == 2
    err = capsys.readouterr().err
    assert f"did you mean {meant}" in err
    assert "alliance-membership-violation" not in err  # not the first names in order


def test_a_name_like_nothing_suggests_nothing(capsys):
    assert closest_names("zzzz", NAMES) == []
    assert main(["query", "zzzz"]) == 2
    assert "did you mean" not in capsys.readouterr().err


def test_an_iri_that_names_nothing_warns_with_the_closest(tiny_out, capsys):
    store = tiny_out / "store"
    existing = kg.query("cq-05-partner-vetoes", store=store)["aco"].iloc[0]
    typo = existing[:-1] + "x" + existing[-1]
    with pytest.warns(UnknownIRIWarning, match="names nothing in the graph") as caught:
        frame = kg.query("cq-05-partner-vetoes", {"aco": f"<{typo}>"}, store=store)
    assert frame.empty
    short = existing.replace("https://w3id.org/aco-kg/id/", "id:")
    assert f"did you mean {short}" in str(caught[0].message)
    assert main(["query", "cq-05-partner-vetoes", "--param", f"aco=<{typo}>", "--store",
                 str(store)]) == 0
    captured = capsys.readouterr()
    assert "aco-kg: warning: parameter aco:" in captured.err and "(0 rows)" in captured.out


def test_an_iri_that_names_something_does_not_warn(tiny_out, recwarn):
    store = tiny_out / "store"
    existing = kg.query("cq-05-partner-vetoes", store=store)["aco"].iloc[0]
    assert len(kg.query("cq-05-partner-vetoes", {"aco": f"<{existing}>"}, store=store))
    assert not [w for w in recwarn if issubclass(w.category, UnknownIRIWarning)]


def test_the_row_cap_cuts_the_answer_on_request(tiny_out, capsys):
    store = tiny_out / "store"
    text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    whole = kg.query(text=text, store=store)
    with pytest.warns(RowsTruncatedWarning, match="more than 3 rows: only the first 3"):
        first = kg.query(text=text, store=store, max_rows=3, truncate=True)
    assert first.equals(whole.head(3))
    assert main(["query", "--text", text, "--store", str(store), "--max-rows", "3",
                 "--truncate", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 4 and "warning: the answer has more than 3" in captured.err
    assert main(["query", "--text", text, "--store", str(store), "--max-rows", "3"]) == 2
    assert "--max-rows: the query returned more than 3 rows" in capsys.readouterr().err


def test_an_answer_within_the_cap_is_whole_and_quiet(tiny_out, recwarn):
    frame = kg.query("cq-08-dissolved-alliances", store=tiny_out / "store", max_rows=5,
                     truncate=True)
    assert len(frame) == 1
    assert not [w for w in recwarn if issubclass(w.category, RowsTruncatedWarning)]


@pytest.mark.parametrize("value", [-1, 2.5, "10", True])
def test_an_odd_row_cap_is_a_usage_error(tiny_out, value):
    with pytest.raises(kg.UsageError, match="row cap must be a whole number"):
        kg.query("cq-08-dissolved-alliances", store=tiny_out / "store", max_rows=value)


def test_queries_lists_the_research_questions_first_and_the_others_apart(capsys):
    assert main(["queries"]) == 0
    out = capsys.readouterr().out
    headings = [line for line in out.splitlines() if line.startswith("== ")]
    assert [h.split(" (")[0] for h in headings] == [
        "== Research questions", "== Data-quality checks", "== Read queries of the analysis and the maps"]
    research = out.split(headings[1])[0]
    assert all(name in research for name in NAMES if name.startswith("cq-"))
    assert not [name for name in NAMES if not name.startswith("cq-") and f"\n{name}\n" in research]
    assert out.index("tables/organizations") > out.index("dangling-reference-violation")


def _modules_after(argv: list[str]) -> set[str]:
    code = ("import sys, contextlib, io\nfrom kg.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    try:\n        main({argv!r})\n    except SystemExit:\n        pass\n"
            "print(' '.join(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


@pytest.mark.parametrize("argv", [["--help"], ["queries"], ["serve", "--help"]])
def test_the_command_line_loads_no_heavy_library_it_does_not_need(argv):
    loaded = _modules_after(argv)
    assert not {"pandas", "networkx", "rdflib", "scipy", "pyshacl"} & loaded, argv


def test_the_query_worker_starts_without_pandas(tiny_out):
    """The sealed worker loads pyoxigraph and aco-kg's query modules, not pandas (the half
    second that a small query from the command line used to spend twice)."""
    from kg.sparql.limits import run_limited

    kg.query("cq-08-dissolved-alliances", store=tiny_out / "store")  # the worker is up
    # a builtin, so that asking imports nothing more into the worker
    loaded = set(run_limited(eval, ("sorted(__import__('sys').modules)",), timeout=30))
    assert "pyoxigraph" in loaded and "kg.sparql.solutions" in loaded
    assert not {"pandas", "numpy", "rdflib"} & loaded



def test_a_query_file_that_is_no_regular_file_is_refused_not_waited_on(tmp_path, capsys):
    import os

    fifo = tmp_path / "waits.rq"
    os.mkfifo(fifo)  # open() on it would wait for a writer forever
    device = tmp_path / "endless.rq"
    device.symlink_to("/dev/zero")
    for path in (fifo, device):
        assert main(["query", str(path)]) == 2
        err = capsys.readouterr().err
        assert str(path) in err and "Traceback" not in err


@pytest.mark.parametrize("content,reason", [
    (b"SELECT * WHERE { ?s ?p ?o } # caf\xe9\n", "not UTF-8"),
    (b"#" * (1024 * 1024 + 1), "over the limit"),
])
def test_a_query_file_too_large_or_not_utf8_is_refused_with_the_reason(tmp_path, capsys,
                                                                       content, reason):
    path = tmp_path / "bad.rq"
    path.write_bytes(content)
    assert main(["query", str(path)]) == 2
    err = capsys.readouterr().err
    assert reason in err and "bad.rq" in err and "Traceback" not in err
