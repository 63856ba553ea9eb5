"""The offline HTML report for regulators: operators, their markets, and governance evidence.

One page, short enough to read (the summary first, on one screen, then a table of
contents), and the full tables beside it as CSV files (``NAME-tables/*.csv`` next to
``NAME.html``, linked from the page). The page holds:

- a **summary**: the top operators by ACOs, assigned beneficiaries and earned savings in
  the latest year with CMS results, with their trend; the flagged markets; what is
  reported and what is inferred;
- **market footprint** per year (CMS files and the operator links valid that year), ranked
  by :data:`kg.analysis.power.markets.FOOTPRINT_ORDER`, and each operator's national share
  over time;
- **flagged markets**: state markets where the 2023 Merger Guidelines presume a lessening
  of competition, each with the HHI before and after the operator's links, the change,
  and its sources (the CMS files and years, the links' evidence and review state);
- **governance evidence** from the literature (board seats, vetoes, savings shares),
  ranked by its own criteria (:data:`GOVERNANCE_ORDER`);
- the methods, with the thresholds read from the modules that apply them, and the
  numbered sources.

Charts are drawn by matplotlib (:mod:`kg.products.charts`) and inlined as SVG. The page
loads nothing from anywhere; text from the data is escaped (Jinja2 autoescaping).

Examples
--------
>>> import pandas as pd
>>> from kg.analysis.analyze import SCHEMA
>>> empty = {name: pd.DataFrame(columns=[c for c, _, _ in cols])
...          for name, (_, cols) in SCHEMA.items()}
>>> html = render_report(empty)
>>> '<h2 id="methods">' in html and 'id="summary"' in html and "http://" not in html
True
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kg.core.resources import template_dir

__all__ = ["render_report", "write_report", "write_report_files", "tables_folder",
           "GOVERNANCE_ORDER", "PAGE_TABLES", "TOP_OPERATORS", "FLAG_ROWS", "CHART_PANELS",
           "GOVERNANCE_ROWS", "CELL_CHARS"]

TEMPLATES = template_dir()
#: The governance ranking, in words (the page prints it).
GOVERNANCE_ORDER = ("boards where the partner is a veto player, then its voting seats, then "
                    "its largest Shapley-Shubik index, then the upper bound of the share of "
                    "savings it captures, then its name")
#: Operators in the summary and in the footprint table of the page (all are in the CSV).
TOP_OPERATORS = (5, 15)
#: Flag rows on the page; all are in the CSV.
FLAG_ROWS = 30
#: Rows of each governance table on the page (partners, literature flags, board players);
#: all are in the CSV files.
GOVERNANCE_ROWS = 15
#: Longest text of one cell from the data on the page; the CSV holds the whole text.
CELL_CHARS = 320
#: Flagged markets drawn, one panel each (the largest changes first).
CHART_PANELS = 12
#: The CSV files the page links to, with what each holds: every analysis table the page
#: draws from (``aco-kg analyze --format csv`` also writes the literature partners' market
#: shares and the centrality of every organization, tables of 44,000 and 16,000 rows at
#: the demo size that the page does not use).
PAGE_TABLES = {
    "operator_footprint": "each operator's ACOs, beneficiaries and savings per year, ranked",
    "operator_shares": "each operator's national share per year",
    "operator_markets": "every state market per year and measure: HHI before and after the "
                        "operators' links, the change, the 2023 reading, the sources",
    "flags": "governance and money flags of the partners in the literature",
    "partners": "partners in the literature with every component of their power",
    "board_power": "voting power on each board",
    "savings_captured": "savings captured per partner, ACO and year",
    "capture_by_partner_year": "captured money per partner and year",
    "dependency": "dependency on the partner's services",
    "warnings": "early-warning indicators of alliance trouble (yes, no, unknown)",
    "concentration": "HHI of the literature's partners (alliances) per market",
}


def tables_folder(path: str | Path) -> Path:
    """The folder of the CSV files of the report at `path` (``report.html`` ->
    ``report-tables``).

    >>> tables_folder("out/report.html").as_posix()
    'out/report-tables'
    """
    path = Path(path)
    return path.with_name(f"{path.stem}-tables")


class _References:
    """Numbers citations in order of first use."""

    def __init__(self):
        self.entries: list[str] = []

    def __call__(self, citation, locator=None) -> str:
        if not isinstance(citation, str) or not citation:
            return ""
        numbers = []
        for text in citation.split(" | "):
            if text not in self.entries:
                self.entries.append(text)
            numbers.append(str(self.entries.index(text) + 1))
        where = f": {_clip(locator)}" if isinstance(locator, str) and locator else ""
        return f"[{', '.join(numbers)}{where}]"


def _clip(text, limit: int = CELL_CHARS) -> str:
    """`text` cut to `limit` characters, saying so (the CSV files hold it whole).

    >>> _clip("x" * 10, 4)
    'xxxx... (cut: the CSV file has it all)'
    """
    if not isinstance(text, str) or len(text) <= limit:
        return text
    return text[:limit].rstrip() + "... (cut: the CSV file has it all)"


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def _fmt(value, kind: str = "") -> str:
    if _missing(value):
        return "unknown" if kind != "blank" else ""
    if kind == "usd":
        return f"${value:,.0f}"
    if kind == "musd":
        return f"${value / 1e6:,.1f}M"
    if kind == "pct":
        return f"{value:.1f}%"
    if kind == "rate":
        return f"{value:.0%}"
    if kind == "index":
        return f"{value:.3f}"
    if kind in ("int", "hhi"):
        return f"{value:,.0f}"
    if kind == "signed":
        return f"{value:+,.0f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _series(frame: pd.DataFrame, column: str) -> list[tuple[int, float | None]]:
    return [(int(y), None if _missing(v) else float(v))
            for y, v in zip(frame["year"], frame[column])]


def _trend(rows: pd.DataFrame, column: str, year: int, kind: str) -> str:
    """How `column` moved from the operator's previous year with a figure to `year`."""
    now = rows[rows["year"] == year][column]
    before = rows[(rows["year"] < year) & rows[column].notna()]
    if not len(now) or _missing(now.iloc[0]):
        return ""
    if not len(before):
        return f"first year {year}"
    last = before.iloc[-1]
    change = now.iloc[0] - last[column]
    return f"{'+' if change >= 0 else '-'}{_fmt(abs(change), kind)} since {int(last['year'])}"


def _summary(t: dict) -> dict:
    """The figures of the summary: top operators, flagged markets, reported vs inferred."""
    footprint, markets = t["operator_footprint"], t["operator_markets"]
    with_results = footprint[footprint["acos_with_results"] > 0]
    year = int(with_results["year"].max()) if len(with_results) else (
        int(footprint["year"].max()) if len(footprint) else None)
    last_link_year = int(footprint["year"].max()) if len(footprint) else None
    top = []
    if year is not None:
        ranked = footprint[footprint["year"] == year].sort_values("rank")
        for r in ranked.head(TOP_OPERATORS[0]).to_dict("records"):
            mine = footprint[footprint["operator_id"] == r["operator_id"]].sort_values("year")
            first = mine.iloc[0]
            latest = mine.iloc[-1]
            top.append({**r,
                        "acos_trend": (f"{int(first['acos'])} in {int(first['year'])}, "
                                       f"{int(latest['acos'])} in {int(latest['year'])}")
                        if len(mine) > 1 else f"{r['acos']} in {year} only",
                        "beneficiaries_trend": _trend(mine, "assigned_beneficiaries", year, "int"),
                        "savings_trend": _trend(mine, "earned_savings_usd", year, "musd")})
    flagged = markets[markets["flagged"] == True]  # noqa: E712 - a column of booleans
    # the flags of the summary's year (all three measures known), else of the latest year
    flag_year = (year if year is not None and (flagged["year"] == year).any()
                 else int(flagged["year"].max()) if len(flagged) else None)
    states = []
    if len(flagged):
        latest = flagged[flagged["year"] == flag_year].sort_values("change", ascending=False)
        for state, rows in latest.groupby("state", sort=False):
            best = rows.iloc[0]
            short = {"acos": "ACOs", "earned_savings": "savings"}
            states.append({"state": state, "others": ", ".join(
                short.get(m, m) for m in rows["measure"].iloc[1:]),
                           "hhi_before": best["hhi_before"], "hhi_after": best["hhi_after"],
                           "change": best["change"], "measure": best["measure"],
                           "top_operator": best["top_operator"],
                           "top_share_pct": best["top_share_pct"]})
    links = t["operator_links_summary"]
    return {"year": year, "last_link_year": last_link_year, "top": top, "flagged": len(flagged),
            "flag_year": flag_year, "flag_states": states[:5], "flag_states_all": len(states),
            "links": links}


def _links_summary(footprint: pd.DataFrame) -> dict:
    """Links by evidence and review in the summary's year: the latest with CMS results, or
    else the latest of the links."""
    if not len(footprint):
        return {"year": None, "links": 0}
    with_results = footprint[footprint["acos_with_results"] > 0]
    year = int((with_results if len(with_results) else footprint)["year"].max())
    rows = footprint[footprint["year"] == year]
    out = {"year": year, "operators": int(len(rows))}
    for column in ("reported_links", "inferred_links", "confirmed_links", "unreviewed_links"):
        out[column] = int(rows[column].sum())
    out["links"] = out["reported_links"] + out["inferred_links"]
    return out


def _per_year(footprint: pd.DataFrame, limit: int) -> tuple[list[int], list[dict]]:
    """The ACOs of the largest operators in every year of the links: (years, rows of
    ``operator`` and ``acos`` by year, a blank where it had none). Operators come in the
    order of their ACOs in the latest year, then of their most ACOs in any year.

    >>> years, rows = _per_year(pd.DataFrame({"year": [2022, 2023, 2023, 2022],
    ...     "operator_id": ["a", "a", "b", "c"], "operator": ["A", "A", "B", "C"],
    ...     "acos": [3, 4, 9, 5]}), 5)
    >>> years, [(r["operator"], r["acos"]) for r in rows]
    ([2022, 2023], [('B', ['', 9]), ('A', [3, 4]), ('C', [5, ''])])
    """
    if not len(footprint):
        return [], []
    years = sorted(int(y) for y in footprint["year"].unique())
    acos = {(r["operator_id"], int(r["year"])): int(r["acos"])
            for r in footprint.to_dict("records")}
    names = dict(zip(footprint["operator_id"], footprint["operator"]))
    order = sorted(names, key=lambda o: (-acos.get((o, years[-1]), 0),
                                         -max(acos.get((o, y), 0) for y in years),
                                         str(names[o])))
    rows = [{"operator": names[o], "acos": [acos.get((o, y), "") for y in years]}
            for o in order[:limit]]
    return years, rows


def _governance(t: dict) -> list[dict]:
    """The partners the literature gives governance or money evidence for, ranked by
    :data:`GOVERNANCE_ORDER`."""
    partners = t["partners"]
    has = ((partners["boards_with_seats"] > 0) | (partners["boards_with_veto"] > 0)
           | partners["savings_share"].fillna("").astype(bool))
    chosen = partners[has].assign(
        _ss=pd.to_numeric(partners["max_shapley_shubik"], errors="coerce").fillna(-1),
        _cap=pd.to_numeric(partners["capture_rate_max"], errors="coerce").fillna(-1))
    chosen = chosen.sort_values(["boards_with_veto", "voting_seats", "_ss", "_cap", "partner"],
                                ascending=[False, False, False, False, True], kind="stable")
    return chosen.drop(columns=["_ss", "_cap"]).to_dict("records")


def _charts(t: dict, flag_rows: pd.DataFrame) -> dict:
    """The flagged markets (HHI before and after, over the years) and the operators'
    national shares over time."""
    from kg.analysis.power.concentration import MG2023_HIGH_HHI
    from kg.products.charts import line_panels

    markets = t["operator_markets"]
    panels, drawn = [], []
    # one panel per flagged state: the measure of its largest change
    for state, rows in flag_rows.sort_values("change", ascending=False).groupby(
            "state", sort=False):
        if len(panels) >= CHART_PANELS:
            break
        best = rows.iloc[0]
        history = markets[(markets["state"] == state) & (markets["measure"] == best["measure"])] \
            .sort_values("year")
        panels.append((f"{state}, by {best['measure'].replace('_', ' ')}",
                       {"HHI after the links": _series(history, "hhi_after"),
                        "HHI before the links (every ACO independent)":
                            _series(history, "hhi_before")}))
        drawn.append(state)
    charts = {"flagged_states": drawn}
    charts["flags"] = line_panels(
        panels, y_label="HHI", columns=4, hline=MG2023_HIGH_HHI,
        hline_label=f"{MG2023_HIGH_HHI:,}: highly concentrated (2023)",
        name="flagged-markets", styled=True) if panels else None
    shares = t["operator_shares"]
    footprint = t["operator_footprint"]
    if len(shares) and len(footprint):
        last = footprint[footprint["year"] == footprint["year"].max()].sort_values("rank")
        top = list(last["operator_id"].head(6))
        names = dict(zip(shares["operator_id"], shares["operator"]))
        share_panels = []
        for column, label in (("acos_share_pct", "share of the program's ACOs"),
                              ("beneficiaries_share_pct", "share of assigned beneficiaries"),
                              ("earned_savings_share_pct", "share of earned savings")):
            series = {}
            for operator in top:
                mine = shares[shares["operator_id"] == operator].sort_values("year")
                series[names.get(operator, operator)] = _series(mine, column)
            share_panels.append((label, series))
        charts["shares"] = line_panels(share_panels, y_label="national share", columns=3,
                                       percent=True, name="operator-shares")
    else:
        charts["shares"] = None
    return charts


def render_report(tables: dict[str, pd.DataFrame], title: str = "ACO operators: market "
                  "footprint, concentration and governance", tables_href: str = "") -> str:
    """Render the report from the tables of :func:`kg.analysis.analyze.analyze`.

    `tables_href` is the relative address of the folder of the CSV files (empty: the page
    names the files without linking them).
    """
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html", "j2"], default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    refs = _References()
    env.filters["fmt"] = _fmt
    env.filters["clip"] = _clip
    env.globals["cite"] = refs
    names = {}
    if len(tables["partners"]):
        names = dict(zip(tables["partners"]["partner_id"], tables["partners"]["partner"]))
    env.filters["name"] = lambda org: names.get(org, org) if isinstance(org, str) else ""
    template = env.get_template("report.html.j2")
    t = dict(tables)
    t["operator_links_summary"] = _links_summary(t["operator_footprint"])
    summary = _summary(t)
    markets = t["operator_markets"]
    flag_rows = markets[markets["flagged"] == True]  # noqa: E712 - a column of booleans
    flag_rows = flag_rows.sort_values(["year", "change"], ascending=[False, False])
    footprint = t["operator_footprint"]
    year = summary["year"]
    footprint_rows = (footprint[footprint["year"] == year].sort_values("rank")
                      if year is not None else footprint.iloc[0:0])
    link_year = summary["last_link_year"]
    later_rows = (footprint[footprint["year"] == link_year].sort_values("rank")
                  if link_year is not None and link_year != year else footprint.iloc[0:0])
    basis = _area_basis(markets, year)
    per_year = _per_year(footprint, TOP_OPERATORS[1])
    literature_flags = t["flags"][t["flags"]["flag"] != "market-share"]
    governance = _governance(t)
    partner_ids = {p["partner_id"] for p in governance}
    boards = t["board_power"]
    boards = boards[boards["holder_id"].isin(partner_ids)] if len(boards) else boards
    boards = boards.assign(
        _veto=boards["is_veto_player"].map(lambda v: v is True or v == True),  # noqa: E712
        _ss=pd.to_numeric(boards["shapley_shubik"], errors="coerce").fillna(-1),
    ).sort_values(["_veto", "_ss", "board"], ascending=[False, False, True], kind="stable")
    csv = {name: (f"{tables_href}/{name}.csv" if tables_href else "", what,
                  len(tables[name]) if name in tables else 0)
           for name, what in PAGE_TABLES.items()}
    return template.render(
        title=title, summary=summary, charts=_charts(t, flag_rows), refs=refs,
        flags=_anchored(flag_rows.head(FLAG_ROWS).to_dict("records")),
        flags_total=len(flag_rows),
        footprint=footprint_rows.head(TOP_OPERATORS[1]).to_dict("records"),
        footprint_total=len(footprint_rows), later=later_rows.head(TOP_OPERATORS[1])
        .to_dict("records"), later_total=len(later_rows),
        governance=governance[:GOVERNANCE_ROWS], governance_total=len(governance),
        literature_flags=literature_flags.head(GOVERNANCE_ROWS).to_dict("records"),
        literature_flags_total=len(literature_flags),
        board_power=boards.head(GOVERNANCE_ROWS).to_dict("records"), boards_total=len(boards),
        csv=csv, basis=basis, per_year=per_year,
        th=_thresholds(), isnan=lambda v: _missing(v))


def _anchored(rows: list[dict]) -> list[dict]:
    """The rows, the first of each state marked ``anchor`` (the summary links to it).

    >>> [r["anchor"] for r in _anchored([{"state": "WV"}, {"state": "MS"}, {"state": "WV"}])]
    [True, True, False]
    """
    seen: set = set()
    for row in rows:
        row["anchor"] = row["state"] not in seen
        seen.add(row["state"])
    return rows


def _area_basis(markets: pd.DataFrame, year) -> str:
    """How the states of the ACOs of `year`'s markets are known, in words."""
    if year is None or not len(markets):
        return ""
    rows = markets[(markets["year"] == year) & (markets["measure"] == "acos")]
    counts: dict[str, int] = {}
    for text in rows["area_basis"]:
        for part in str(text).split(", "):
            number, _, basis = part.partition(" ")
            if number.isdigit():
                counts[basis] = counts.get(basis, 0) + int(number)
    return ", ".join(f"{n:,} {b}" for b, n in sorted(counts.items()))


def _thresholds() -> dict:
    """The thresholds the methods section states, read from the modules that apply them."""
    from kg.analysis.power.concentration import (MG2023_CHANGE, MG2023_HIGH_HHI,
                                                 MG2023_SHARE_PCT, guideline_readings)
    from kg.analysis.power.dependency import SOLE_SOURCING
    from kg.analysis.power.dominance import FLAG_RULES, MIN_MARKET_ACOS
    from kg.analysis.power.markets import AREA_BASES, FOOTPRINT_ORDER
    from kg.analysis.power.money import MAJORITY_SHARE_PCT, MAJORITY_SOURCE
    from kg.analysis.power.voting import NON_PARTICIPANT_VOTES_MAX, PARTICIPANT_CONTROL

    return {"readings": guideline_readings(), "flag_rules": FLAG_RULES,
            "majority_share_pct": MAJORITY_SHARE_PCT, "majority_source": MAJORITY_SOURCE,
            "sole_sourcing": SOLE_SOURCING, "participant_control": PARTICIPANT_CONTROL,
            "non_participant_votes_max": NON_PARTICIPANT_VOTES_MAX,
            "high_hhi": MG2023_HIGH_HHI, "change": MG2023_CHANGE, "share_pct": MG2023_SHARE_PCT,
            "min_market_acos": MIN_MARKET_ACOS, "area_bases": AREA_BASES,
            "footprint_order": FOOTPRINT_ORDER, "governance_order": GOVERNANCE_ORDER}


def write_report_files(tables: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write the report of `tables` to `path` and its CSV files to :func:`tables_folder`.

    The CSV files are written first (into a fresh folder that replaces the old one), the
    page last (through a temporary file), so a page never links to a file that is not
    there and no file of an earlier report is left beside it.
    """
    from kg.products.formats import write_csv_tables

    import shutil

    path = Path(path)
    folder = tables_folder(path)
    # a fresh folder, so that no CSV file of an earlier report stays beside this one
    fresh = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(fresh, ignore_errors=True)
    write_csv_tables({name: tables[name] for name in PAGE_TABLES if name in tables}, fresh)
    shutil.rmtree(folder, ignore_errors=True)
    fresh.replace(folder)
    html = render_report(tables, tables_href=folder.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)  # never leave a half-written report behind
    return path


def write_report(store, path: str | Path, min_market_acos: int | None = None) -> Path:
    """Analyze `store` (a store or its folder) and write the report to `path`, its CSV
    files beside it.

    `min_market_acos` defaults to :data:`kg.analysis.power.dominance.MIN_MARKET_ACOS`.
    """
    from kg.analysis.analyze import analyze
    from kg.analysis.power.dominance import MIN_MARKET_ACOS

    return write_report_files(analyze(store, min_market_acos=MIN_MARKET_ACOS
                                      if min_market_acos is None else min_market_acos), path)
