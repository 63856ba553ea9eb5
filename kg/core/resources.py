"""The files aco-kg ships with its code: ontology, queries, data dictionary, templates.

They are package resources (:mod:`importlib.resources`), so an installed wheel finds
them exactly as a checkout does. In the repository they live where a researcher looks
for them, at the top level (``ontology/``, ``queries/``, ``data/``); ``kg/resources/``
holds links to those folders, and the wheel carries copies (``package-data`` in
``pyproject.toml``). Nothing else in the package may locate a file from
``__file__``: every path to a shipped file comes from here.

Examples
--------
>>> ontology_dir().joinpath("aco.ttl").is_file()
True
>>> sorted(p.name for p in query_dir().glob("cq-0[12]-*.rq"))
['cq-01-acos-with-management-partner.rq', 'cq-02-partner-services-promised-delivered.rq']
>>> dictionary_file().name
'datapackage.yaml'
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["resource", "ontology_dir", "query_dir", "data_dir", "dictionary_file",
           "template_dir", "static_dir"]


def resource(*parts: str) -> Path:
    """The path of a shipped file or folder, ``parts`` below ``kg/resources/``.

    Parameters
    ----------
    *parts : str
        Path segments, e.g. ``"queries", "maps"``.

    Returns
    -------
    pathlib.Path
        A path on the file system (aco-kg is installed as files, never run from a zip).

    Raises
    ------
    FileNotFoundError
        If the installation lacks the resource (a broken or partial install).
    """
    path = Path(str(files("kg").joinpath("resources", *parts)))
    if not path.exists():
        raise FileNotFoundError(f"aco-kg is installed without its resource {'/'.join(parts)} "
                                f"(looked in {path}); reinstall the package")
    return path


def ontology_dir() -> Path:
    """The folder of the ontology, import module, code lists and shapes (Turtle)."""
    return resource("ontology")


def query_dir() -> Path:
    """The query catalogue: ``cq-*.rq``, ``*-violation.rq`` and the read queries ``tables/``."""
    return resource("queries")


def data_dir() -> Path:
    """The curated data shipped with aco-kg (the CSV files and their dictionary)."""
    return resource("data")


def dictionary_file() -> Path:
    """The data dictionary, ``datapackage.yaml``."""
    return resource("data", "datapackage.yaml")


def template_dir() -> Path:
    """The Jinja2 templates and scripts of the report and the map."""
    return Path(str(files("kg.products").joinpath("templates")))


def static_dir() -> Path:
    """The files a browser loads from ``aco-kg serve``: the editor's script and style and a
    vendored copy of YASGUI (``static/yasgui/``, with its licence)."""
    return Path(str(files("kg.products").joinpath("static")))
