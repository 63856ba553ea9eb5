"""The query catalogue: the ``.rq`` files in ``queries/``, their headers and parameters.

Every query file opens with a comment header in a fixed form that this module reads::

    # question: Which partners hold a veto on an ACO board, and over which matters?
    # param: aco (IRI) optional — restrict to one ACO
    # returns: partner partnerName aco acoName matter source locator

``question`` (one line) says what the query answers; each ``param`` line names a
variable of the query, its type (``IRI``, ``string``, ``integer``, ``decimal``,
``boolean`` or ``date``), whether it is ``optional`` or ``required`` and what it does;
``returns`` lists the columns in order. An optional ``order`` line names returned columns
the rows are sorted by, as ``ORDER BY`` would (see :mod:`kg.sparql.order`: for large
results Oxigraph's ``ORDER BY`` costs a third of the query). Other comment lines
(``# note: ...``) are kept as notes. A parameter is a variable the query projects: it is bound as an RDF term before
the query runs (Oxigraph substitutions, or a ``VALUES`` block for a remote endpoint), so
an unbound optional parameter leaves the query unrestricted.

Examples
--------
>>> header = parse_header('''# question: Which ACOs are there?
... # param: aco (IRI) optional - restrict to one ACO
... # returns: aco acoName
... SELECT ?aco ?acoName WHERE { ?aco a ?c }''')
>>> header.question
'Which ACOs are there?'
>>> header.parameters[0]
Parameter(name='aco', type='IRI', required=False, description='restrict to one ACO')
>>> header.returns
('aco', 'acoName')
>>> convert_value(header.parameters[0], "id:organization/access-aco")
<NamedNode value=https://w3id.org/aco-kg/id/organization/access-aco>
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Mapping

import pyoxigraph as ox

from kg.core.errors import UsageError
from kg.core.iris import PREFIXES
from kg.core.resources import query_dir

__all__ = ["QUERY_DIR", "MAX_QUERY_BYTES", "read_query_file", "PARAMETER_TYPES", "Parameter",
           "Header", "CannedQuery", "QueryHeaderError", "ParameterError", "has_header", "parse_header", "list_queries",
           "load_query", "closest_names", "convert_value", "bind_parameters", "GROUPS",
           "group_of", "grouped"]

#: The folder of the canned queries (``queries/`` at the root of the project).
QUERY_DIR = query_dir()

#: Parameter types a header may declare, and the spellings accepted for each.
PARAMETER_TYPES = {"IRI": ("iri", "uri"), "string": ("string", "text", "literal"),
                   "integer": ("integer", "int"), "decimal": ("decimal", "number", "float"),
                   "boolean": ("boolean", "bool"), "date": ("date",)}
_TYPE_OF = {spelling: name for name, spellings in PARAMETER_TYPES.items() for spelling in spellings}
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[A-Za-z]+)\)\s*"
                    r"(?P<need>optional|required)\b\s*(?:[-\u2013\u2014:]+\s*)?(?P<description>.*)$")
_KEY = re.compile(r"^#\s*(?P<key>[A-Za-z]+)\s*:\s*(?P<value>.*)$")
_SCHEMES = ("http://", "https://", "urn:")


class QueryHeaderError(UsageError):
    """A query file's header is missing or malformed."""


class ParameterError(UsageError):
    """A parameter is unknown, missing, or its value has the wrong type."""


@dataclass(frozen=True)
class Parameter:
    """One parameter of a canned query (a variable bound before the query runs)."""

    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Header:
    """What the header of a query file says."""

    question: str
    parameters: tuple[Parameter, ...]
    returns: tuple[str, ...]
    notes: tuple[str, ...] = ()
    order: tuple[str, ...] = ()


@dataclass(frozen=True)
class CannedQuery:
    """A query of the catalogue: its name, file, header and text."""

    name: str
    path: Path
    header: Header
    text: str = field(repr=False)

    @property
    def question(self) -> str:
        return self.header.question

    @property
    def parameters(self) -> tuple[Parameter, ...]:
        return self.header.parameters


def has_header(text: str) -> bool:
    """True when the leading comments of `text` include a ``# question:`` line.

    >>> has_header("# question: Why?\\n# returns: x\\nSELECT ?x {}"), has_header("SELECT ?x {}")
    (True, False)
    """
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return False
        match = _KEY.match(stripped)
        if match and match["key"].lower() == "question":
            return True
    return False


def parse_header(text: str, source: str = "<query>") -> Header:
    """Read the comment header at the top of a query.

    Raises
    ------
    QueryHeaderError
        If there is no ``question`` or ``returns`` line, a ``param`` line is malformed or
        names an unknown type, or an ``order`` line names a column the query does not return.
    """
    question, returns, parameters, notes, order = None, None, [], [], ()
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break  # the header is the leading block of comments
        match = _KEY.match(stripped)
        if not match:
            notes.append(stripped.lstrip("#").strip())
            continue
        key, value = match["key"].lower(), match["value"].strip()
        if key == "question":
            question = value
        elif key in ("param", "parameter"):
            parameters.append(_parse_parameter(value, f"{source}:{number}"))
        elif key in ("returns", "columns"):
            returns = tuple(value.replace(",", " ").split())
        elif key == "order":
            order = tuple(value.replace(",", " ").split())
        else:
            notes.append(f"{key}: {value}")
    if not question:
        raise QueryHeaderError(f"{source}: the header has no '# question:' line")
    if not returns:
        raise QueryHeaderError(f"{source}: the header has no '# returns:' line")
    names = [p.name for p in parameters]
    if len(set(names)) != len(names):
        raise QueryHeaderError(f"{source}: a parameter is declared twice: {names}")
    unknown = [column for column in order if column not in returns]
    if unknown:
        raise QueryHeaderError(f"{source}: '# order:' names {unknown}, which the query does "
                               f"not return ({' '.join(returns)})")
    return Header(question, tuple(parameters), returns, tuple(notes), order)


def _parse_parameter(value: str, where: str) -> Parameter:
    match = _PARAM.match(value)
    if not match:
        raise QueryHeaderError(
            f"{where}: malformed parameter line {value!r}; expected "
            "'# param: NAME (TYPE) optional|required - what it does'")
    kind = _TYPE_OF.get(match["type"].lower())
    if kind is None:
        raise QueryHeaderError(f"{where}: parameter {match['name']!r} has unknown type "
                               f"{match['type']!r}; one of {', '.join(PARAMETER_TYPES)}")
    return Parameter(match["name"], kind, match["need"] == "required", match["description"].strip())


#: The kinds of query in the catalogue, in the order they are listed: the research
#: questions researchers ask, the data-quality checks, and the read queries that the
#: analysis and the maps run (internal, one table of the graph each).
GROUPS = {
    "research": "Research questions (cq-*)",
    "checks": "Data-quality checks (*-violation: no rows on valid data)",
    "tables": "Read queries of the analysis and the maps (tables/*)",
}


def group_of(name: str) -> str:
    """The group (a key of :data:`GROUPS`) that a query belongs to, by its name.

    >>> group_of("cq-05-partner-vetoes"), group_of("dangling-reference-violation"), group_of("tables/boards")
    ('research', 'checks', 'tables')
    """
    if name.startswith("tables/"):
        return "tables"
    if name.endswith("-violation"):
        return "checks"
    return "research"


def grouped(queries) -> dict[str, list]:
    """`queries` by group, in the order of :data:`GROUPS` (research questions first)."""
    groups = {key: [] for key in GROUPS}
    for canned in queries:
        groups[group_of(canned.name)].append(canned)
    return {key: members for key, members in groups.items() if members}


def list_queries(directory: str | Path = QUERY_DIR) -> list[CannedQuery]:
    """Return every query of the catalogue (``**/*.rq`` under `directory`), sorted by name.

    A query's name is its path below `directory` without ``.rq``
    (``cq-01-acos-with-management-partner``, ``tables/organizations``).
    """
    directory = Path(directory)
    return [_load(path, directory) for path in sorted(directory.rglob("*.rq"))]


#: The largest query file read (the catalogue's largest is a few kilobytes).
MAX_QUERY_BYTES = 1024 * 1024


def read_query_file(path: str | Path) -> str:
    """The text of the query file at `path`: a regular file of at most
    :data:`MAX_QUERY_BYTES` bytes, in UTF-8 (read with :func:`kg.core.input_file.read_input_file`,
    so a FIFO or a device under a ``.rq`` name is refused, never waited on).

    Raises
    ------
    kg.core.errors.UsageError
        If the file cannot be read, is not a regular file, is too large or is not UTF-8.
    """
    from kg.core.input_file import InputFileError, read_input_file

    try:
        return read_input_file(path, max_bytes=MAX_QUERY_BYTES).decode("utf-8")
    except InputFileError as exc:
        raise UsageError(f"cannot read query file: {exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"cannot read query file {path}: not UTF-8 text ({exc.reason} at "
                         f"byte {exc.start})") from None


def _load(path: Path, directory: Path | None) -> CannedQuery:
    text = read_query_file(path)
    if directory is not None and path.is_relative_to(directory):
        name = path.relative_to(directory).with_suffix("").as_posix()
    else:
        name = path.stem
    return CannedQuery(name, path, parse_header(text, str(path)), text)


def load_query(name_or_path: str | Path, directory: str | Path = QUERY_DIR) -> CannedQuery:
    """Find a query by its catalogue name, or read a ``.rq`` file.

    Raises
    ------
    kg.core.errors.UsageError
        If there is no such query; the message lists close names.
    """
    directory = Path(directory)
    candidate = Path(name_or_path)
    if candidate.suffix == ".rq" or candidate.exists():
        if not candidate.is_file():
            raise UsageError(f"no query file {candidate}")
        return _load(candidate.resolve(), directory)
    path = directory / f"{name_or_path}.rq"
    if path.is_file():
        return _load(path, directory)
    names = [path.relative_to(directory).with_suffix("").as_posix()
             for path in sorted(directory.rglob("*.rq"))]
    close = closest_names(str(name_or_path), names)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    raise UsageError(f"no query named {str(name_or_path)!r} in the catalogue{hint}; "
                     "see 'aco-kg queries'")


def closest_names(wanted: str, names: list[str], limit: int = 3) -> list[str]:
    """The names most like `wanted`: those that contain it, then the nearest by spelling.

    A catalogue name has a number and a slug (``cq-05-partner-vetoes``); `wanted` is
    compared with the whole name, with the slug and with the number, so that
    ``partner-vetos``, ``cq-5-vetoes`` and ``cq05`` all find ``cq-05-partner-vetoes``.

    >>> names = ["cq-05-partner-vetoes", "cq-06-savings-shares", "cq-15-alliance-timeline"]
    >>> closest_names("cq-5-vetos", names), closest_names("savings", names)
    (['cq-05-partner-vetoes'], ['cq-06-savings-shares'])
    >>> closest_names("cq05", names), closest_names("zzz", names)
    (['cq-05-partner-vetoes'], [])
    """
    wanted = wanted.lower().strip()
    containing = [n for n in names if wanted and wanted in n]
    if containing:
        return containing[:limit]

    def likeness(name: str) -> float:
        number, _, slug = name.partition("-")[2].partition("-") if name.startswith("cq-") \
            else ("", "", name.rsplit("/", 1)[-1])
        forms = [name, slug, f"cq-{number}", f"cq{number}"] if number else [name, slug]
        return max(difflib.SequenceMatcher(None, wanted, form).ratio() for form in forms if form)

    scored = sorted(((likeness(n), n) for n in names), key=lambda pair: -pair[0])
    best = scored[0][0] if scored else 0
    # the names nearly as close as the closest (a clear winner is named alone)
    return [name for score, name in scored[:limit] if score >= max(0.6, best - 0.1)]


def convert_value(parameter: Parameter, value: Any):
    """Turn a parameter value (text from the command line, or a Python value) into the
    value bound to the query, checking its type.

    IRIs may be written in full, in angle brackets, or as a CURIE with one of the
    project's prefixes (``id:organization/access-aco``).

    Raises
    ------
    ParameterError
        If the value does not have the parameter's type.

    >>> convert_value(Parameter("n", "integer", False, ""), "3")
    3
    >>> convert_value(Parameter("n", "integer", False, ""), "three")
    Traceback (most recent call last):
    ...
    kg.sparql.catalogue.ParameterError: parameter n: 'three' is not an integer
    """
    kind, name = parameter.type, parameter.name
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        if (kind == "IRI") != isinstance(value, ox.NamedNode):
            raise ParameterError(f"parameter {name}: expected a value of type {kind}, got {value}")
        return value
    if kind == "IRI":
        return _to_iri(name, value)
    if kind == "string":
        if not isinstance(value, str):
            raise ParameterError(f"parameter {name}: expected text, got {value!r}")
        return value
    text = str(value).strip() if not isinstance(value, (bool, int, float, Decimal, dt.date)) else value
    try:
        if kind == "integer":
            if isinstance(text, bool) or (isinstance(text, float) and not text.is_integer()):
                raise ValueError
            if isinstance(text, str) and not re.fullmatch(r"[+-]?\d+", text):
                raise ValueError
            number = int(text)
            if not -2 ** 63 <= number < 2 ** 63:
                # Oxigraph compares and adds xsd:integer values as 64-bit integers: a
                # larger one would match nothing, silently
                raise ParameterError(f"parameter {name}: {value} is beyond the 64-bit integers "
                                     "the query engine compares")
            return number
        if kind == "decimal":
            if isinstance(text, bool):
                raise ValueError
            number = Decimal(str(text))
            if not number.is_finite():
                raise ValueError
            return number
        if kind == "boolean":
            if isinstance(text, bool):
                return text
            lowered = str(text).lower()
            if lowered in ("true", "yes", "1"):
                return True
            if lowered in ("false", "no", "0"):
                return False
            raise ValueError
        if kind == "date":
            if isinstance(text, dt.date):
                return text
            return dt.date.fromisoformat(str(text))
    except (ValueError, InvalidOperation, TypeError):
        article = "an" if kind[0] in "aeiouI" else "a"
        raise ParameterError(f"parameter {name}: {value!r} is not {article} {kind}") from None
    raise ParameterError(f"parameter {name}: unknown type {kind}")  # unreachable: types are checked


def _to_iri(name: str, value: Any) -> ox.NamedNode:
    if not isinstance(value, str):
        raise ParameterError(f"parameter {name}: expected an IRI, got {value!r}")
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if not text.startswith(_SCHEMES):
        prefix, sep, local = text.partition(":")
        if sep and prefix in PREFIXES:
            text = PREFIXES[prefix] + local
    if not text.startswith(_SCHEMES) or re.search(r'[\s<>"{}|\\^`]', text):
        raise ParameterError(f"parameter {name}: {value!r} is not an IRI (write it in full, "
                             "e.g. https://w3id.org/aco-kg/id/organization/access-aco, or as "
                             "a CURIE such as id:organization/access-aco)")
    try:
        return ox.NamedNode(text)
    except ValueError as exc:
        raise ParameterError(f"parameter {name}: {value!r} is not an IRI: {exc}") from None


def bind_parameters(query: CannedQuery, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check `params` against the query's header and return the values to bind.

    Raises
    ------
    ParameterError
        If a parameter is not declared by the query, a required one is missing, or a
        value has the wrong type.
    """
    params = dict(params or {})
    declared = {p.name: p for p in query.parameters}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        known = ", ".join(declared) or "none"
        raise ParameterError(f"query {query.name} has no parameter {', '.join(unknown)} "
                             f"(its parameters: {known})")
    missing = [p.name for p in query.parameters if p.required and params.get(p.name) is None]
    if missing:
        raise ParameterError(f"query {query.name} needs parameter {', '.join(missing)}")
    return {name: convert_value(declared[name], value)
            for name, value in params.items() if value is not None}
