"""The offline HTML report on power and concentration.

One self-contained file: the tables of :func:`kg.analysis.analyze.analyze`, plots as inline SVG
(:mod:`kg.products.svg_charts`), a methods section with formulas and references, and a numbered list
of the sources every figure comes from. It loads nothing from anywhere: no script, style
sheet, font or image outside the file. Text from the data is escaped (Jinja2 autoescaping).

Examples
--------
>>> html = render_report({name: __import__("pandas").DataFrame(columns=[c for c, _, _ in cols])
...                       for name, (_, cols) in __import__("kg.analysis.analyze").analysis.analyze.SCHEMA.items()})
>>> "<h2 id=\\"methods\\">Methods</h2>" in html and "http://" not in html
True
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from kg.core.resources import template_dir

__all__ = ["render_report", "write_report"]

TEMPLATES = template_dir()


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
        where = f": {locator}" if isinstance(locator, str) and locator else ""
        return f"[{', '.join(numbers)}{where}]"


def _fmt(value, kind: str = "") -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "unknown" if kind != "blank" else ""
    if kind == "usd":
        return f"${value:,.0f}"
    if kind == "pct":
        return f"{value:.1f}%"
    if kind == "rate":
        return f"{value:.0%}"
    if kind == "index":
        return f"{value:.3f}"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "hhi":
        return f"{value:,.0f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _charts(tables: dict) -> dict:
    from kg.products.svg_charts import bar_chart, line_chart

    def clean(v):
        return None if v is None or pd.isna(v) else float(v)

    partners = tables["partners"]
    active = partners[(partners["acos"] > 0) | (partners["boards_with_seats"] > 0)]
    charts = {
        "components": [
            bar_chart([(r.partner, clean(r.max_shapley_shubik)) for r in active.itertuples()],
                      "Largest Shapley-Shubik index on a board", maximum=1.0),
            bar_chart([(r.partner, clean(r.capture_rate_max)) for r in active.itertuples()],
                      "Capture rate, upper bound (share of earned savings)", percent=True,
                      maximum=1.0),
            bar_chart([(r.partner, clean(r.max_dependency)) for r in active.itertuples()],
                      "Dependency: share of critical services from the partner", percent=True,
                      maximum=1.0),
            bar_chart([(r.partner, float(r.boards_with_veto)) for r in active.itertuples()],
                      "Boards where the partner is a veto player"),
        ],
        "hhi": [], "shares": [],
    }
    markets = tables["concentration"]
    dated = markets[markets["year"].notna() & (markets["links"] == "reported")]
    for measure, rows in (dated.groupby("measure") if len(dated) else []):
        scopes = ["national"] + [s for s in rows["scope"].unique() if s != "national"][:5]
        series = {scope: [(int(r.year), clean(r.hhi)) for r in rows[rows["scope"] == scope]
                          .sort_values("year").itertuples()] for scope in scopes}
        charts["hhi"].append(line_chart(series, f"HHI by {measure.replace('_', ' ')}",
                                        y_label="HHI"))
    shares = tables["market_shares"]
    national = shares[(shares["scope"] == "national") & shares["year"].notna()
                      & (shares["links"] == "reported")]
    for measure, rows in (national.groupby("measure") if len(national) else []):
        top = rows.groupby("firm_id")["share_pct"].max().sort_values(ascending=False).index[:5]
        series = {firm: [(int(r.year), clean(r.share_pct)) for r in rows[rows["firm_id"] == firm]
                         .sort_values("year").itertuples()] for firm in top}
        charts["shares"].append(line_chart(series, f"National share (%) by "
                                                   f"{measure.replace('_', ' ')}", y_label="%"))
    if not charts["hhi"]:
        charts["hhi"].append(line_chart({}, "HHI over time"))
    return charts


def render_report(tables: dict[str, pd.DataFrame], title: str = "Power and concentration "
                  "of ACO management partners") -> str:
    """Render the report from the tables of :func:`kg.analysis.analyze.analyze`."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html", "j2"], default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    refs = _References()
    env.filters["fmt"] = _fmt
    env.globals["cite"] = refs
    names = {}
    if len(tables["centrality"]):
        names = dict(zip(tables["centrality"]["node"], tables["centrality"]["name"]))
    env.filters["name"] = lambda org: names.get(org, org) if isinstance(org, str) else ""
    template = env.get_template("report.html.j2")
    records = {name: frame.to_dict("records") for name, frame in tables.items()}
    partner_ids = set(tables["partners"]["partner_id"])
    central = tables["centrality"]
    records["partner_centrality"] = central[central["node"].isin(partner_ids)].to_dict("records")
    return template.render(title=title, t=records, charts=_charts(tables), refs=refs,
                           th=_thresholds(),
                           isnan=lambda v: v is None or (isinstance(v, float) and math.isnan(v)))


def _thresholds() -> dict:
    """The thresholds the methods section states, read from the modules that apply them."""
    from kg.analysis.power.concentration import guideline_readings
    from kg.analysis.power.dependency import SOLE_SOURCING
    from kg.analysis.power.dominance import FLAG_RULES
    from kg.analysis.power.money import MAJORITY_SHARE_PCT, MAJORITY_SOURCE
    from kg.analysis.power.voting import NON_PARTICIPANT_VOTES_MAX, PARTICIPANT_CONTROL

    return {"readings": guideline_readings(), "flag_rules": FLAG_RULES,
            "majority_share_pct": MAJORITY_SHARE_PCT, "majority_source": MAJORITY_SOURCE,
            "sole_sourcing": SOLE_SOURCING, "participant_control": PARTICIPANT_CONTROL,
            "non_participant_votes_max": NON_PARTICIPANT_VOTES_MAX}


def write_report(store, path: str | Path, min_market_acos: int | None = None) -> Path:
    """Analyze `store` (a store or its folder) and write the HTML report to `path`.

    `min_market_acos` defaults to :data:`kg.analysis.power.dominance.MIN_MARKET_ACOS`.
    """
    from kg.analysis.analyze import analyze
    from kg.analysis.power.dominance import MIN_MARKET_ACOS

    path = Path(path)
    html = render_report(analyze(store, min_market_acos=MIN_MARKET_ACOS
                                 if min_market_acos is None else min_market_acos))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)  # never leave a half-written report behind
    return path
