"""The Oxigraph store that queries run on.

The store holds the data graph and the ontology (classes, labels, code lists) in its
default graph, so that a query can ask for a concept's label or a class's definition.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.core.iris import PREFIXES

__all__ = ["write_store", "memory_store", "open_store", "write_turtle"]


def write_store(directory: Path, ntriples: Path, ontology_files, checked: bool = False) -> int:
    """Create an on-disk Oxigraph store in `directory` from the data and the ontology.

    Parameters
    ----------
    directory : Path
    ntriples : Path
        The data graph.
    ontology_files : list of Path
        Turtle files loaded beside the data.
    checked : bool
        The N-Triples text is also parsed strictly elsewhere and the store is published
        only if that parse succeeds (a build loads the same text for SHACL): skip
        Oxigraph's IRI validation here (``lenient``), which is a tenth of the load.

    Returns
    -------
    int
        Number of triples in the store.
    """
    store = ox.Store(str(directory))
    store.bulk_load(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES, lenient=checked)
    for path in ontology_files:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE,
                        base_iri=Path(path).resolve().as_uri())
    store.flush()
    count = len(store)
    del store  # closes the database
    return count


def memory_store(ntriples: str | Path, ontology_files) -> ox.Store:
    """An in-memory Oxigraph store of the data graph and the ontology, as :func:`write_store`
    makes on disk.

    A build checks the shapes and makes its report and map on such a store: the same
    queries answer several times faster there than on the on-disk store (RocksDB) it
    publishes, more than enough to pay for loading the triples a second time.

    Parameters
    ----------
    ntriples : str or Path
        The data graph as N-Triples: the text itself, or a file (a Path).
    ontology_files : list of Path
        Turtle files loaded beside the data.

    Examples
    --------
    >>> from kg.graph.ontology import ONTOLOGY_DIR
    >>> store = memory_store("<https://example.org/a> <https://example.org/b> <https://example.org/c> .",
    ...                      [ONTOLOGY_DIR / "aco.ttl"])
    >>> bool(store.query("ASK { <https://example.org/a> ?p ?o }")), len(store) > 1
    (True, True)
    """
    store = ox.Store()
    if isinstance(ntriples, Path):
        store.load(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES)
    else:
        store.load(input=ntriples, format=ox.RdfFormat.N_TRIPLES)
    for path in ontology_files:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=Path(path).resolve().as_uri())
    return store


def open_store(directory: str | Path) -> ox.Store:
    """Open a published store read-only.

    Raises
    ------
    FileNotFoundError
        If there is no store at `directory`.
    """
    directory = Path(directory)
    if not (directory / "CURRENT").exists():
        raise FileNotFoundError(f"no Oxigraph store at {directory}: run 'aco-kg build' first")
    return ox.Store.read_only(str(directory))


def write_turtle(ntriples: Path, target: Path) -> None:
    """Write the N-Triples file `ntriples` as Turtle with the project's prefixes."""
    triples = ox.parse(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES)
    ox.serialize(triples, str(target), format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES))
