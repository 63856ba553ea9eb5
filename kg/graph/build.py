"""The build: CSV files -> checked tables -> triples -> SHACL -> published outputs.

:func:`validate` runs every check and publishes nothing; :func:`build` runs the same
checks and, only if every row of every file passed, publishes the outputs all at once
(see :mod:`kg.graph.publish`). Both account for every input row in a ledger.

Outputs of a build (in the ``--out`` folder):

``graph.nt``, ``graph.ttl``
    The data graph (one node per loaded row), as N-Triples and Turtle.
``ontology.ttl``
    The ontology, its import module and the code lists, merged.
``store/``
    The Oxigraph store that queries run on: data and ontology together.
``ledger.csv``
    One row per input record: file, line, status, reason, sha256 of the record, IRI.
``shacl-report.txt``
    pySHACL's report.
``manifest.json``
    Inputs with their checksums and row counts, triple counts, library versions.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

import pandas as pd
import pyoxigraph as ox
from rdflib import Graph

from kg.graph import faults
from kg.core.delimited import frame_rows, write_delimited
from kg.core.dictionary import Dictionary, load_dictionary
from kg.core.errors import InvalidDataError, Problem, UsageError
from kg.core.gcpause import gc_paused
from kg.core.iris import PREFIXES, compact, expand
from kg.graph.column_shapes import rdf_path_text
from kg.graph.mapping import Mapped, map_tables
from kg.core.offline import no_network
from kg.graph.ontology import (ONTOLOGY_DIR, ONTOLOGY_FILES, SHAPES_FILES, code_lists, load_ontology,
                         load_shapes)
from kg.graph.publish import Release
from kg.graph.shape_queries import compile_shapes, validate_store
from kg.graph.shapes import validate_graph
from kg.graph.store import memory_store, write_store, write_turtle
from kg.ingest.cms.ledger import ledger_problems
from kg.ingest.statements import check_statements
from kg.ingest.tables import (Table, check_keys, check_references, check_values, concat_tables,
                       ledger, read_table)

__all__ = ["BuildReport", "validate", "build", "published_folders"]

Progress = Callable[[str], None]


@dataclass
class BuildReport:
    """What a build or validation found.

    Attributes
    ----------
    ledger : pandas.DataFrame
        One row per input record (see :func:`kg.ingest.tables.ledger`).
    problems : list of Problem
        Every problem: those of a failed import into a data folder first (they explain the
        rest), then in file and line order.
    triples : int
        Triples in the data graph (0 when the checks failed before mapping).
    published : Path or None
        The release folder behind ``--out``, when a build published.
    """

    ledger: pd.DataFrame
    problems: list[Problem]
    triples: int = 0
    shacl_conforms: bool | None = None
    shacl_text: str = ""
    published: Path | None = None
    seconds: float = 0.0
    inputs: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every row loaded and the graph conforms to the shapes."""
        return not self.problems

    @property
    def rows_read(self) -> int:
        return len(self.ledger)

    @property
    def rows_loaded(self) -> int:
        return int((self.ledger["status"] == "loaded").sum())

    @property
    def rows_rejected(self) -> int:
        return int((self.ledger["status"] == "rejected").sum())

    def write_ledger(self, path: str | Path) -> Path:
        """Write the ledger as CSV (text that a spreadsheet would run as a formula starts
        with ``'``: see :mod:`kg.core.delimited`)."""
        return write_delimited(path, frame_rows(self.ledger), defuse_formulas=True)

    def summary(self) -> str:
        """One line: rows read, loaded, rejected (and triples, when the data are valid)."""
        rows = (f"{self.rows_read} rows read, {self.rows_loaded} loaded, "
                f"{self.rows_rejected} rejected")
        unread = len({p.file for p in self.problems if p.line is None})
        if unread:  # a file refused as a whole (missing, not a regular file, empty) has no rows
            rows += f", {unread} file{'s' if unread != 1 else ''} refused"
        return f"{rows}; {self.triples} triples" if self.ok else rows


def _silent(_: str) -> None:
    pass


def _read_all(data_dirs: list[Path], dictionary: Dictionary, codes,
              progress: Progress) -> dict[str, Table]:
    with gc_paused():  # one list per record: see kg.core.gcpause
        return _read_tables(data_dirs, dictionary, codes, progress)


def _read_tables(data_dirs: list[Path], dictionary: Dictionary, codes,
                 progress: Progress) -> dict[str, Table]:
    tables = {}
    for r in dictionary.resources:
        parts = []
        for data_dir in data_dirs:
            path = data_dir / r.path
            part = read_table(path, r, display=str(path))
            check_values(part, codes, dictionary)
            parts.append(part)
        # files of the same name in several folders are one table: keys must be unique
        # and references must resolve across all folders
        table = concat_tables(parts)
        check_keys(table)
        tables[r.name] = table
    check_references(tables)
    check_statements(tables, dictionary)
    rows = sum(t.rows_read for t in tables.values())
    progress(f"read {len(tables)} files, {rows} rows")
    return tables


def _column_for(resource, path: str | None) -> str | None:
    """The column a SHACL result's path stands for: the column of that whole path, or
    the first column through the intermediate node that the path leads into."""
    if not path:
        return None
    for f in resource.fields:
        if f.rdf_path and path == rdf_path_text(f.rdf_path):
            return f.name
    for f in resource.fields:
        if f.rdf_path and path in (compact(expand(f.rdf_path[0])), f.rdf_path[0]):
            return f.name
    return None


#: Above this many data triples, ``shacl="auto"`` validates with the compiled queries on
#: Oxigraph rather than with pySHACL (which takes minutes on a national graph).
PYSHACL_LIMIT = 50_000
SHACL_ENGINES = ("auto", "pyshacl", "oxigraph")


@lru_cache(maxsize=4)
def _compiled_checks(_stamp: tuple):
    return compile_shapes(load_shapes())


def _engine(engine: str, mapped: Mapped) -> str:
    """The SHACL engine that `engine` ("auto" included) stands for on this graph."""
    if engine == "auto":
        return "pyshacl" if mapped.triple_count <= PYSHACL_LIMIT else "oxigraph"
    return engine


def _run_shapes(mapped: Mapped, engine: str):
    """Validate the mapped graph with the chosen engine.

    Returns (conforms, results, text, engine used, store): the in-memory Oxigraph store of
    graph and ontology that the checks ran on, or None when pySHACL checked an rdflib graph.
    """
    engine = _engine(engine, mapped)
    if engine == "pyshacl":
        data = Graph()
        data.parse(data=mapped.ntriples, format="nt")
        return validate_graph(data, load_shapes(), load_ontology()) + ("pySHACL", None)
    if engine != "oxigraph":
        raise UsageError(f"unknown SHACL engine {engine!r}: use one of {', '.join(SHACL_ENGINES)}")
    checks = _compiled_checks(tuple((str(ONTOLOGY_DIR / name), (ONTOLOGY_DIR / name).stat().st_mtime_ns)
                                    for name in SHAPES_FILES))
    # an in-memory store: the compiled checks answer several times faster there than on
    # the on-disk store a build publishes (RocksDB), which costs less to load twice
    store = memory_store(mapped.ntriples, _ontology_paths())
    conforms, results = validate_store(store, checks, workers=_cores())
    text = (f"Validation Report (shapes compiled to {len(checks)} SPARQL queries on Oxigraph)\n"
            f"Conforms: {conforms}\nResults ({len(results)}):\n"
            + "".join(f"{r.focus}: {r}\n" for r in results))
    return conforms, results, text, "Oxigraph", store


def _ontology_paths() -> list[Path]:
    """The ontology files a store holds beside the data."""
    return [ONTOLOGY_DIR / name for name in ONTOLOGY_FILES]


def _cores() -> int:
    """CPU cores this process may run on (the compiled checks run one per core)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _shacl(tables, mapped: Mapped, engine: str, progress: Progress):
    conforms, results, text, used, store = _run_shapes(mapped, engine)
    where = {(t.file_of(pos), line): (t, pos) for t in tables.values()
             for pos, line in enumerate(t.lines)}
    for result in results:
        file, line = mapped.origin.get(result.focus, ("(graph)", None))
        if (file, line) not in where:
            continue
        table, pos = where[(file, line)]
        table.reject([pos], _column_for(table.resource, result.path), [str(result)])
    progress(f"SHACL ({used}): {'conforms' if conforms else f'{len(results)} violations'}")
    return conforms, results, text, store


def _folders(data_dir) -> list[Path]:
    """One data folder or several (a list), each checked to exist."""
    folders = [Path(d) for d in data_dir] if isinstance(data_dir, (list, tuple)) else [Path(data_dir)]
    for folder in folders:
        if not folder.is_dir():
            raise UsageError(f"data folder {folder} does not exist")
    if len(set(f.resolve() for f in folders)) != len(folders):
        raise UsageError("the same data folder is named twice")
    return folders


def _check(data_dir, dictionary_path, progress: Progress, shacl: str = "auto",
           before_shacl: Callable[[Mapped], None] | None = None):
    """Read, check, map and validate; `before_shacl` sees the triples of clean files first.

    A build passes a `before_shacl` that starts writing its outputs in the background
    while the shapes are checked; it is called only when no row was rejected, and what
    it writes is published only if the graph then conforms.

    Returns (report, mapped, store): the store is the in-memory one the shapes were
    checked on, or None (pySHACL, or no check).
    """
    started = time.perf_counter()
    data_dirs = _folders(data_dir)
    dictionary = load_dictionary(dictionary_path)
    codes = code_lists()
    with no_network():
        # an import folder is built only when every import into it loaded every row
        unfinished = [p for folder in data_dirs for p in ledger_problems(folder)]
        tables = _read_all(data_dirs, dictionary, codes, progress)
        faults.checkpoint("read")
        mapped = map_tables(tables, dictionary, codes)
        progress(f"mapped to {mapped.triple_count} triples")
        faults.checkpoint("mapped")
        conforms, text, store = None, "", None
        if unfinished:
            progress(f"SHACL skipped: {len(unfinished)} imports into the data folders failed")
        elif not any(t.problems for t in tables.values()):
            if before_shacl is not None:
                before_shacl(mapped)
            conforms, _, text, store = _shacl(tables, mapped, shacl, progress)
        else:
            rejected = sum(len(t.row_problems) + len(t.ragged) for t in tables.values())
            progress(f"SHACL skipped: the files have problems ({rejected} rows rejected)")
        faults.checkpoint("validated")
    # a failed import first: it explains the rest (an import that failed wrote no file)
    problems = unfinished + sorted((p for t in tables.values() for p in t.problems),
                                   key=lambda p: (p.file, p.line or 0, p.column or ""))
    report = BuildReport(
        ledger=ledger(tables, mapped.iris),
        problems=problems,
        triples=mapped.triple_count,
        shacl_conforms=conforms,
        shacl_text=text,
        seconds=time.perf_counter() - started,
        inputs=[{"file": f, "rows": sum(1 for p in range(len(t.lines)) if t.file_of(p) == f)
                 + sum(1 for r in t.ragged if r[2].file == f),
                 "sha256": t.digests.get(f)}
                for t in tables.values() for f in t.files],
    )
    return report, mapped, store


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def validate(data_dir: str | Path = "data", *, dictionary: str | Path | None = None,
             progress: Progress = _silent, shacl: str = "auto") -> BuildReport:
    """Check the CSV files in `data_dir` as a build would, and publish nothing.

    Parameters
    ----------
    data_dir : str or Path, or a list of them
        Folder holding the CSV files named in the data dictionary; several folders are
        read together (same-named files form one table, keys unique across them).
    dictionary : str or Path, optional
        The data dictionary (the project's own by default).
    progress : callable, optional
        Called with a short message at each stage.
    shacl : {"auto", "pyshacl", "oxigraph"}
        SHACL engine: pySHACL, or the shapes compiled to SPARQL on Oxigraph (see
        :mod:`kg.graph.shape_queries`); "auto" takes pySHACL up to :data:`PYSHACL_LIMIT` triples.

    Returns
    -------
    BuildReport
        ``report.ok`` tells whether the data would build.

    Examples
    --------
    >>> report = validate("data")
    >>> report.ok, report.rows_read == report.rows_loaded + report.rows_rejected
    (True, True)
    """
    report, _, _ = _check(data_dir, dictionary, progress, shacl)
    return report


def published_folders(out_dir: str | Path) -> list[str]:
    """The input folders of the build published in `out_dir`, as they were given ([] if none).

    Read from its ``manifest.json``, so that a command can say what a new build replaces.

    >>> published_folders("/nonexistent")
    []
    """
    try:
        manifest = json.loads((Path(out_dir) / "manifest.json").read_text(encoding="utf-8"))
        files = [entry["file"] for entry in manifest["inputs"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return list(dict.fromkeys(os.path.normpath(os.path.dirname(f)) for f in files))


def _manifest(report: BuildReport, store_triples: int) -> str:
    versions = {}
    for package in ("aco-kg", "rdflib", "pyoxigraph", "pyshacl", "pandas"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    manifest = {
        "inputs": report.inputs,
        "ontology": {name: _sha256(ONTOLOGY_DIR / name) for name in ONTOLOGY_FILES},
        "rows": {"read": report.rows_read, "loaded": report.rows_loaded,
                 "rejected": report.rows_rejected},
        "triples": {"data": report.triples, "store": store_triples},
        "shacl_conforms": report.shacl_conforms,
        "prefixes": PREFIXES,
        "versions": versions,
    }
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def _write_ontology(target: Path) -> None:
    with no_network():
        load_ontology().serialize(target, format="turtle")


#: Something a build makes from the finished graph, inside the release: a name and a
#: function that writes its files into the staging folder (which holds ``store/``), given
#: that folder and an in-memory Oxigraph store of the same triples (:func:`memory_store`).
Product = tuple[str, Callable[[Path, ox.Store], None]]


def build(data_dir: str | Path = "data", out_dir: str | Path = "out", *,
          dictionary: str | Path | None = None, progress: Progress = _silent,
          products: tuple[Product, ...] = (), shacl: str = "auto") -> BuildReport:
    """Build the knowledge graph from `data_dir` and publish it to `out_dir`, all or nothing.

    Parameters
    ----------
    data_dir : str or Path, or a list of them
        Folder(s) holding the CSV files named in the data dictionary (see :func:`validate`).
    out_dir : str or Path
        Where the outputs appear (a link to a complete release, see :mod:`kg.graph.publish`).
    dictionary : str or Path, optional
        The data dictionary (the project's own by default).
    progress : callable, optional
        Called with a short message at each stage.
    products : tuple of (str, callable), optional
        Further outputs made from the finished graph (a report, a map), published in the
        same release: if one fails, nothing is published. Each is called with the staging
        folder and an in-memory store of the graph and the ontology: the one the shapes
        were checked on, when Oxigraph checked them.
    shacl : {"auto", "pyshacl", "oxigraph"}
        SHACL engine, as for :func:`validate`.

    Returns
    -------
    BuildReport

    Raises
    ------
    InvalidDataError
        If any row is rejected or the graph does not conform to the shapes; the previous
        output is left exactly as it was. The error carries the report and its ledger.
    UsageError
        If a folder is missing or `out_dir` is not one aco-kg made.
    """
    release = Release(out_dir)
    # the background threads finish (leaving the with) before a failed release is removed
    with release as staging, ThreadPoolExecutor(max_workers=2) as background:
        nt = staging / "graph.nt"
        writing: dict[str, Future] = {}

        def write_graph(mapped: Mapped) -> None:
            # the store and the Turtle file need only the triples: write them while the
            # shapes are checked (on another store: the in-memory one of _run_shapes)
            with no_network():
                nt.write_text(mapped.ntriples, encoding="utf-8")
            writing["store"] = background.submit(
                write_store, staging / "store", nt, _ontology_paths(),
                checked=_engine(shacl, mapped) == "oxigraph")  # parsed strictly for SHACL
            writing["turtle"] = background.submit(write_turtle, nt, staging / "graph.ttl")
            writing["ontology"] = background.submit(_write_ontology, staging / "ontology.ttl")

        report, mapped, graph_store = _check(data_dir, dictionary, progress, shacl,
                                             before_shacl=write_graph)
        if not report.ok:
            raise InvalidDataError(report)
        with no_network():
            report.write_ledger(staging / "ledger.csv")
            (staging / "shacl-report.txt").write_text(report.shacl_text, encoding="utf-8")
            writing["turtle"].result()
            writing["ontology"].result()
            faults.checkpoint("written")
            store_triples = writing["store"].result()
            progress(f"wrote the Oxigraph store ({store_triples} triples with the ontology)")
            faults.checkpoint("stored")
            if products and graph_store is None:
                graph_store = memory_store(nt, _ontology_paths())
            for name, make in products:
                make(staging, graph_store)
                progress(f"wrote the {name}")
            (staging / "manifest.json").write_text(_manifest(report, store_triples), encoding="utf-8")
        report.published = release.commit()
    progress(f"published {Path(out_dir)} -> {report.published.name}")
    return report
