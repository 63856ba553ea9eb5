"""The data dictionary (data/datapackage.yaml): files, columns, types, keys, references.

The dictionary is a Frictionless Data Package whose Table Schemas carry a few properties
of aco-kg's own (``rdfType``, ``iriKind``, ``rdfPath``, ``codeScheme``, ``rowChecks``,
``provenance``). It is the single source of truth that drives reading
(:mod:`kg.ingest.tables`), mapping to RDF (:mod:`kg.graph.mapping`), the SHACL shapes of
the columns (:mod:`kg.graph.column_shapes`) and the README's data section
(:func:`to_markdown`).

Examples
--------
>>> d = load_dictionary()
>>> d.resource("organizations").primary_key
'org_id'
>>> d.resource("organizations").field("kind").code_scheme
'org-kind'
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import lru_cache
from pathlib import Path

import yaml

from kg.core.errors import UsageError
from kg.core.input_file import InputFileError, read_input_file
from kg.core.iris import expand
from kg.core.resources import dictionary_file

__all__ = [
    "DEFAULT_DICTIONARY",
    "STATEMENT_KEYS",
    "TIME_STEP",
    "Field",
    "RowCheck",
    "Resource",
    "Dictionary",
    "load_dictionary",
    "to_markdown",
    "replace_section",
]

#: The dictionary shipped with the project.
DEFAULT_DICTIONARY = dictionary_file()
#: Last step of an rdfPath that picks an OWL-Time position property by the date's precision.
TIME_STEP = "@time"

TYPES = {"string", "integer", "number", "boolean", "date", "year"}
ROW_RULES = {"notAfter", "requires", "anyOf"}
_FIELD_KEYS = {
    "name", "type", "format", "description", "constraints", "rdfPath", "codeScheme",
    "reference", "unit", "ordinal", "printed",
}
#: Table Schema constraints that aco-kg checks (in the CSV reader and in the SHACL shapes);
#: any other is refused rather than silently left unchecked.
_CONSTRAINT_KEYS = {"required", "minimum", "maximum", "pattern", "minLength"}
_RESOURCE_KEYS = {
    "name", "path", "description", "rdfType", "iriKind", "provenance", "schema", "rowChecks",
    "statementOf",
}
#: The keys of ``statementOf``: the three columns that name the cell a statement is about.
STATEMENT_KEYS = ("file", "row", "column")


@dataclass(frozen=True)
class Field:
    """One column of a CSV file."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    min_length: int | None = None
    code_scheme: str | None = None
    reference: str | None = None
    rdf_path: tuple[str, ...] = ()
    unit: str | None = None
    format: str | None = None
    #: A position the curator gives the row among its kind (1 = first), not a figure of
    #: the source: the source check does not look for it.
    ordinal: bool = False
    #: A label as the source prints it: the source check looks for the whole value.
    printed: bool = False
    #: The boolean column that says, row by row, whether the value is printed so.
    printed_when: str | None = None

    @property
    def kind(self) -> str:
        """What the value is: ``id``-like ``reference``, ``code`` or the field's type."""
        if self.reference:
            return "reference"
        if self.code_scheme:
            return "code"
        return self.type


@dataclass(frozen=True)
class RowCheck:
    """A check comparing fields of one row (``notAfter``, ``requires`` or ``anyOf``)."""

    rule: str
    fields: tuple[str, ...]

    def describe(self) -> str:
        """Return the check in words."""
        a = self.fields
        if self.rule == "notAfter":
            return f"{a[0]} must not be after {a[1]}"
        if self.rule == "requires":
            return f"{a[0]} requires {a[1]}"
        return "at least one of " + ", ".join(a) + " must be given"


@dataclass(frozen=True)
class Resource:
    """One CSV file: its columns, keys and what each row becomes in RDF."""

    name: str
    path: str
    description: str
    rdf_type: str
    iri_kind: str
    primary_key: str
    fields: tuple[Field, ...]
    unique_keys: tuple[tuple[str, ...], ...] = ()
    row_checks: tuple[RowCheck, ...] = ()
    provenance: bool = False
    #: For a resource of statements about single cells of other files (``statementOf``):
    #: the columns naming the file, the row's key and the column of that cell.
    statement_of: tuple[str, str, str] | None = None

    @property
    def columns(self) -> list[str]:
        """The column names, in order."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """Return the field called `name`."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")


@dataclass(frozen=True)
class Dictionary:
    """The whole data dictionary."""

    resources: tuple[Resource, ...]
    true_values: frozenset[str]
    false_values: frozenset[str]
    intermediate_types: dict[str, str] = dc_field(default_factory=dict)
    source: Path | None = None
    #: The fields appended to every resource with ``provenance: true``.
    provenance_fields: tuple[Field, ...] = ()

    def resource(self, name: str) -> Resource:
        """Return the resource called `name`."""
        for r in self.resources:
            if r.name == name:
                return r
        raise KeyError(f"no resource {name!r} in the data dictionary")

    def resource_at(self, path: str) -> Resource:
        """Return the resource whose CSV file is `path` (``alliances.csv``)."""
        for r in self.resources:
            if r.path == path:
                return r
        raise KeyError(f"no file {path!r} in the data dictionary")

    @property
    def code_schemes(self) -> set[str]:
        """Every code scheme a column uses (``*`` excluded)."""
        return {f.code_scheme for r in self.resources for f in r.fields
                if f.code_scheme and f.code_scheme != "*"}


def _field(spec: dict, where: str) -> Field:
    unknown = set(spec) - _FIELD_KEYS
    if unknown:
        raise UsageError(f"{where}: unknown field properties {sorted(unknown)}")
    if spec.get("type") not in TYPES:
        raise UsageError(f"{where}: type must be one of {sorted(TYPES)}, not {spec.get('type')!r}")
    constraints = spec.get("constraints") or {}
    unknown = set(constraints) - _CONSTRAINT_KEYS
    if unknown:
        raise UsageError(f"{where}: unknown constraints {sorted(unknown)} "
                         f"(aco-kg checks {', '.join(sorted(_CONSTRAINT_KEYS))})")
    if {"minimum", "maximum"} & set(constraints) and spec["type"] not in ("integer", "number", "year"):
        raise UsageError(f"{where}: minimum and maximum apply to integer, number and year fields only")
    if "minLength" in constraints and (spec["type"] != "string" or "reference" in spec
                                       or "codeScheme" in spec):
        raise UsageError(f"{where}: minLength applies to text fields only")
    if spec.get("ordinal") and spec["type"] != "integer":
        raise UsageError(f"{where}: ordinal applies to integer fields only")
    printed = spec.get("printed", False)
    if printed and (spec["type"] != "string" or "reference" in spec or "codeScheme" in spec):
        raise UsageError(f"{where}: printed applies to text fields only")
    if not isinstance(printed, (bool, str)):
        raise UsageError(f"{where}: printed is true or the name of a boolean column")
    path = spec.get("rdfPath") or ()
    if isinstance(path, str):
        path = (path,)
    for step in path:
        if step != TIME_STEP:
            expand(step)  # raises KeyError on an unknown prefix
    if TIME_STEP in path[:-1]:
        raise UsageError(f"{where}: {TIME_STEP} may only be the last step of rdfPath")
    return Field(
        name=spec["name"],
        type=spec["type"],
        description=spec.get("description", ""),
        required=bool(constraints.get("required", False)),
        minimum=constraints.get("minimum"),
        maximum=constraints.get("maximum"),
        pattern=constraints.get("pattern"),
        min_length=constraints.get("minLength"),
        code_scheme=spec.get("codeScheme"),
        reference=spec.get("reference"),
        rdf_path=tuple(path),
        unit=spec.get("unit"),
        format=spec.get("format"),
        ordinal=bool(spec.get("ordinal", False)),
        printed=printed is True,
        printed_when=printed if isinstance(printed, str) else None,
    )


def _statement_of(spec, fields: list[Field], where: str) -> tuple[str, str, str] | None:
    """The (file, row, column) columns of a ``statementOf`` declaration, checked."""
    if spec is None:
        return None
    if not isinstance(spec, dict) or set(spec) != set(STATEMENT_KEYS):
        raise UsageError(f"{where}: give exactly {', '.join(STATEMENT_KEYS)}")
    by_name = {f.name: f for f in fields}
    for key in STATEMENT_KEYS:
        f = by_name.get(spec[key])
        if f is None or f.type != "string" or not f.required or f.rdf_path or f.reference \
                or f.code_scheme:
            raise UsageError(f"{where}: {key} must name a required text column without "
                             "rdfPath, reference or codeScheme")
    return tuple(spec[key] for key in STATEMENT_KEYS)


def load_dictionary(path: str | Path | None = None) -> Dictionary:
    """Read and check the data dictionary.

    Parameters
    ----------
    path : str or Path, optional
        The ``datapackage.yaml``; the project's own by default.

    Returns
    -------
    Dictionary

    Raises
    ------
    UsageError
        If the descriptor is malformed (unknown property, type, rule or reference).
    """
    path = Path(path) if path else DEFAULT_DICTIONARY
    try:
        text = read_input_file(path)
    except InputFileError as exc:
        raise UsageError(f"cannot read the data dictionary {exc}") from None
    return _dictionary_of(path, text)


# every build and validate reads the dictionary: parse and check each text once (a
# Dictionary is frozen, so callers may share it); a refused text raises again each time
@lru_cache(maxsize=8)
def _dictionary_of(path: Path, text: bytes) -> Dictionary:
    try:
        # libyaml's safe loader when PyYAML has it: a tenth of the pure-Python parse
        spec = yaml.load(text.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"cannot read the data dictionary {path}: not UTF-8 YAML "
                         f"({str(exc).splitlines()[0]})") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("resources"), list):
        raise UsageError(f"{path}: not a data dictionary (no list of resources)")
    provenance = [_field(f, f"{path}: provenanceFields") for f in spec.get("provenanceFields", [])]
    resources = []
    for r in spec["resources"]:
        where = f"{path}: resource {r.get('name')}"
        unknown = set(r) - _RESOURCE_KEYS
        if unknown:
            raise UsageError(f"{where}: unknown properties {sorted(unknown)}")
        schema = r["schema"]
        fields = [_field(f, f"{where} field {f.get('name')}") for f in schema["fields"]]
        if r.get("provenance"):
            fields += provenance
        names = [f.name for f in fields]
        if len(set(names)) != len(names):
            raise UsageError(f"{where}: duplicate field names")
        checks = []
        for c in r.get("rowChecks", []):
            if c["rule"] not in ROW_RULES or not set(c["fields"]) <= set(names):
                raise UsageError(f"{where}: bad row check {c}")
            checks.append(RowCheck(c["rule"], tuple(c["fields"])))
        for f in fields:
            if f.printed_when and next((g.type for g in fields if g.name == f.printed_when),
                                       None) != "boolean":
                raise UsageError(f"{where} field {f.name}: printed names no boolean column")
        unique_keys = tuple(tuple(k) for k in schema.get("uniqueKeys", []))
        for key in unique_keys:
            if not set(key) <= set(names):
                raise UsageError(f"{where}: unique key {key} names unknown fields")
        if schema["primaryKey"] not in names:
            raise UsageError(f"{where}: primary key {schema['primaryKey']} is not a field")
        expand(r["rdfType"])
        statement_of = _statement_of(r.get("statementOf"), fields, f"{where}: statementOf")
        resources.append(Resource(
            name=r["name"], path=r["path"], description=r.get("description", ""),
            rdf_type=r["rdfType"], iri_kind=r["iriKind"], primary_key=schema["primaryKey"],
            fields=tuple(fields), unique_keys=unique_keys, row_checks=tuple(checks),
            provenance=bool(r.get("provenance")),
            statement_of=statement_of,
        ))
    names = {r.name for r in resources}
    for r in resources:
        for f in r.fields:
            if f.reference and f.reference not in names:
                raise UsageError(f"{path}: {r.name}.{f.name} refers to unknown resource {f.reference}")
    if spec.get("missingValues", [""]) != [""]:
        raise UsageError(f"{path}: only the blank cell may stand for a missing value")
    return Dictionary(
        resources=tuple(resources),
        true_values=frozenset(spec.get("trueValues", ["true"])),
        false_values=frozenset(spec.get("falseValues", ["false"])),
        intermediate_types=dict(spec.get("intermediateTypes", {})),
        source=path,
        provenance_fields=tuple(provenance),
    )


def _type_words(f: Field) -> str:
    if f.reference:
        return f"id in {f.reference}"
    if f.code_scheme == "*":
        return "code SCHEME/NOTATION"
    if f.code_scheme:
        return f"code ({f.code_scheme})"
    words = {"string": "text", "number": "decimal", "date": "date (YYYY[-MM[-DD]])"}
    text = words.get(f.type, f.type)
    if f.unit:
        text += f", {f.unit}"
    bounds = []
    if f.minimum is not None:
        bounds.append(f">= {f.minimum:g}")
    if f.maximum is not None:
        bounds.append(f"<= {f.maximum:g}")
    if f.min_length is not None:
        bounds.append(f"length >= {f.min_length}")
    if f.pattern:
        bounds.append(f"pattern `{f.pattern}`")
    if f.ordinal:
        bounds.append("a position (1 = first)")
    if f.printed:
        bounds.append("as printed in the source")
    if f.printed_when:
        bounds.append(f"as printed in the source where {f.printed_when} is yes")
    return text + (" " + ", ".join(bounds) if bounds else "")


def to_markdown(dictionary: Dictionary) -> str:
    """Render the dictionary as the README's data section (Markdown).

    >>> "| org_id |" in to_markdown(load_dictionary())
    True
    """
    out = []
    for r in dictionary.resources:
        out.append(f"#### `{r.path}` ({r.rdf_type})\n\n{r.description}\n")
        out.append("| column | type | required | RDF | meaning |\n|---|---|---|---|---|")
        for f in r.fields:
            path = " / ".join(f.rdf_path) if f.rdf_path else ("(row IRI)" if f.name == r.primary_key else "")
            key = " (key)" if f.name == r.primary_key else ""
            out.append(f"| {f.name}{key} | {_type_words(f)} | {'yes' if f.required else ''} "
                       f"| {path} | {f.description} |")
        extras = [" + ".join(k) for k in r.unique_keys]
        notes = []
        if extras:
            notes.append("Unique together: " + "; ".join(extras) + ".")
        if r.row_checks:
            notes.append("Row checks: " + "; ".join(c.describe() for c in r.row_checks) + ".")
        if r.statement_of:
            file, row, column = r.statement_of
            notes.append(f"Each row is about one cell: {file} names a file of this dictionary "
                         f"whose rows carry provenance, {row} the key of a row in it and "
                         f"{column} one of its columns (not the key or a provenance column); "
                         "the cell must hold a value. The row's node is a reified statement "
                         "of that cell's triple (rdf:subject, rdf:predicate, rdf:object), and "
                         "its evidence must be inferred.")
        out.append("\n" + " ".join(notes) + "\n" if notes else "")
    return "\n".join(out).rstrip() + "\n"


BEGIN_MARK, END_MARK = "<!-- dictionary:begin -->", "<!-- dictionary:end -->"


def replace_section(document: str, markdown: str) -> str:
    r"""Put `markdown` between the dictionary markers of `document` (the README).

    >>> replace_section("a <!-- dictionary:begin -->old<!-- dictionary:end --> b", "new")
    'a <!-- dictionary:begin -->\nnew\n<!-- dictionary:end --> b'
    """
    start, stop = document.index(BEGIN_MARK) + len(BEGIN_MARK), document.index(END_MARK)
    return document[:start] + "\n" + markdown.strip() + "\n" + document[stop:]
