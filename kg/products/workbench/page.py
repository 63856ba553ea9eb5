"""The editor page of ``aco-kg serve``: YASGUI with the query catalogue as examples.

Every canned query is offered as an example: its question, its parameters, and its text,
followed by one commented ``VALUES`` line per parameter that binds it to a value found in
the graph (the first answer of the query itself), so that removing one ``#`` restricts the
query as ``--param`` does on the command line. The research questions come first; the
data checks and the read queries of the analysis and the maps are listed apart.

The catalogue travels to the page as a JSON block in which ``<``, ``>`` and ``&`` are
escaped, so that no text of a query or of the data can close it; the page's own script
(``workbench.js``) reads it and builds the list with ``textContent`` only.

Examples
--------
>>> from kg.sparql.catalogue import load_query
>>> print(example_text(load_query("cq-05-partner-vetoes"),
...                    {"aco": "<https://w3id.org/aco-kg/id/organization/access-aco>"}).splitlines()[-1])
#VALUES ?aco { <https://w3id.org/aco-kg/id/organization/access-aco> }
>>> print(example_text(load_query("tables/boards"), {}).splitlines()[-1])
ORDER BY ?board
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any, Mapping

from kg.sparql.catalogue import GROUPS, CannedQuery, grouped, list_queries

__all__ = ["PLACEHOLDERS", "EXAMPLE_TIMEOUT", "example_text", "catalogue_entries", "ExampleValues",
           "current_entries", "render_page"]

#: What a commented VALUES line holds when no value was found in the graph.
PLACEHOLDERS = {"IRI": "<https://w3id.org/aco-kg/id/KIND/ID>", "string": '"text"',
                "integer": "1", "decimal": "1.5", "boolean": "true",
                "date": '"2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date>'}
#: Seconds one query may take to give the first answer that example values come from.
EXAMPLE_TIMEOUT = 10.0


def example_text(canned: CannedQuery, values: Mapping[str, str]) -> str:
    """The query's text and, for each parameter, a commented line binding it.

    A query that declares its order in its header (``# order:``) rather than with
    ``ORDER BY`` gets that ``ORDER BY``, so that the editor's answer comes in the order the
    command line gives.

    Parameters
    ----------
    canned : CannedQuery
    values : mapping of str to str
        A value in SPARQL syntax (``<iri>``, ``"text"``) per parameter; a parameter
        without one gets a placeholder of its type.
    """
    text = canned.text.rstrip("\n")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    if canned.header.order and not re.search(r"\bORDER\s+BY\b", body, re.IGNORECASE):
        # the command line sorts such answers in Python (kg.sparql.order), which is faster
        # on the national graph; the editor shows the same order by asking the store for it
        text += ("\n# the order the header declares (aco-kg query sorts the answer itself)\n"
                 "ORDER BY " + " ".join(f"?{column}" for column in canned.header.order))
    if not canned.parameters:
        return text + "\n"
    several = len(canned.parameters) > 1
    lines = [text, "",
             "# Parameters: to restrict the answer, remove the '#' before "
             + ("one VALUES line below" if several else "the VALUES line below")
             + " and change its value if you like."]
    for parameter in canned.parameters:
        need = "required" if parameter.required else "optional"
        lines.append(f"#   {parameter.name} ({parameter.type}, {need}): {parameter.description}")
    for parameter in canned.parameters:
        value = values.get(parameter.name) or PLACEHOLDERS[parameter.type]
        lines.append(f"#VALUES ?{parameter.name} {{ {value} }}")
    return "\n".join(lines) + "\n"


def catalogue_entries(queries: list[CannedQuery],
                      values: Mapping[str, Mapping[str, str]]) -> list[dict[str, Any]]:
    """The catalogue as the page shows it: research questions first, then the others."""
    entries = []
    for group, members in grouped(queries).items():
        for canned in members:
            entries.append({
                "name": canned.name, "group": group, "groupTitle": GROUPS[group],
                "question": canned.question,
                "parameters": [{"name": p.name, "type": p.type, "required": p.required,
                                "description": p.description} for p in canned.parameters],
                "notes": list(canned.header.notes),
                "text": example_text(canned, values.get(canned.name, {})),
            })
    return entries


class ExampleValues:
    """Values for the parameters of each canned query, read from the graph in the background.

    A parameter's example is its value in the query's first answer, found by running the
    query with a row cap of one through the same check, sealed worker and time limit as
    every query (:mod:`kg.sparql.runner`); a query that gives nothing in
    :data:`EXAMPLE_TIMEOUT` seconds keeps placeholders. :attr:`ready` is set when all
    are done.
    """

    def __init__(self, store: str | Path, queries: list[CannedQuery]):
        self.store = str(store)
        self.queries = [q for q in queries if q.parameters]
        self.values: dict[str, dict[str, str]] = {}
        self.ready = threading.Event()

    def start(self) -> "ExampleValues":
        threading.Thread(target=self._find, name="aco-kg-example-values", daemon=True).start()
        return self

    def _find(self) -> None:
        # the command line's path, step by step: check, then the sealed worker under the
        # time limit and a row cap of one kept rather than refused; no warning is raised,
        # so that this thread never touches the process's warning filters
        from kg.core.errors import UsageError
        from kg.sparql.limits import run_limited
        from kg.sparql.runner import prepare
        from kg.sparql.solutions import run_embedded
        from kg.sparql.terms import decode

        try:
            for canned in self.queries:
                try:
                    checked = prepare(text=canned.text).checked
                    found = run_limited(run_embedded, (self.store, checked.text, {}, 1, True),
                                        timeout=EXAMPLE_TIMEOUT)
                except UsageError:
                    continue  # over the time limit: placeholders
                if not len(found):
                    continue
                row = dict(zip(found.variables, found.rows[0]))
                self.values[canned.name] = {p.name: str(decode(row[p.name]))
                                            for p in canned.parameters
                                            if row.get(p.name) is not None}
        finally:
            self.ready.set()


def _json_block(data: Any) -> str:
    """JSON that can sit inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render_page(entries: list[dict[str, Any]], *, store: str, endpoint_path: str = "/sparql",
                timeout: float, max_rows: int, docs: bool) -> str:
    """The HTML of the editor page (Jinja2, autoescaped)."""
    import jinja2

    from kg.core.resources import template_dir

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir())),
                                     autoescape=True, undefined=jinja2.StrictUndefined)
    counts = {group: sum(1 for e in entries if e["group"] == group) for group in GROUPS}
    return environment.get_template("workbench.html.j2").render(
        catalogue=_json_block(entries), store=store, endpoint_path=endpoint_path,
        timeout=timeout, max_rows=max_rows, docs=docs, counts=counts, groups=GROUPS)


def current_entries(examples: ExampleValues | None) -> list[dict[str, Any]]:
    """The catalogue with the example values found so far."""
    return catalogue_entries(list_queries(), examples.values if examples else {})

