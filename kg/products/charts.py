"""The report's charts, drawn by matplotlib as SVG and inlined in the page.

matplotlib draws offline and is maintained; its SVG keeps text as text (``svg.fonttype``
``none``), so labels are searchable and escaped by the SVG writer. :func:`inline_svg`
makes the file an element of the page: no XML prolog, no namespace or metadata URL, no
style sheet of its own, and ids prefixed per chart so that two charts never share one.
Nothing is loaded from anywhere.

Examples
--------
>>> svg = line_panels([("A <b>", {"<script>x": [(2020, 1.0), (2021, 2.0)]})], title="t")
>>> "&lt;b&gt;" in svg and "&lt;script&gt;x" in svg and "<b>" not in svg
True
>>> "<script" in svg or "http" in svg or "<style" in svg
False
"""

from __future__ import annotations

import io
import re
from typing import Sequence

from markupsafe import Markup

__all__ = ["inline_svg", "line_panels", "PALETTE", "STYLES"]

PALETTE = ["#1f6f8b", "#e07a1f", "#4c956c", "#a23b72", "#6c757d", "#c9a227", "#3d5a80",
           "#9c6644"]
#: The first lines of a styled panel: a solid line, then a dashed one drawn over it.
STYLES = ({"color": "#e07a1f", "linestyle": "-"}, {"color": "#50575e", "linestyle": "--"})


def inline_svg(figure, name: str) -> Markup:
    """The SVG of a matplotlib `figure` as an element to put in an HTML page.

    `name` prefixes the ids of the chart (clip paths, markers), so charts on one page
    never collide.
    """
    from matplotlib import rcParams

    buffer = io.StringIO()
    with_params = {"svg.fonttype": "none", "svg.hashsalt": name}
    saved = {k: rcParams[k] for k in with_params}
    rcParams.update(with_params)
    try:
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        rcParams.update(saved)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r"<style[^>]*>.*?</style>", "", text, flags=re.S)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    prefix = re.sub(r"[^A-Za-z0-9]", "", name) or "chart"
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = re.sub(r'(xlink:href|href)="#([^"]+)"',
                  lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", text)
    text = text.replace("<svg ", f'<svg class="chart" role="img" aria-label="{prefix}" ', 1)
    return Markup(text)


def line_panels(panels: Sequence[tuple[str, dict]], title: str = "", y_label: str = "",
                columns: int = 3, hline: float | None = None, hline_label: str = "",
                percent: bool = False, name: str = "chart", styled: bool = False) -> Markup:
    """Small multiples of lines over years, one panel per ``(panel title, series)``.

    ``series`` maps a line's name to ``[(year, value), ...]``; a missing value (None or
    NaN) leaves a gap, never a 0. `hline` draws a dashed reference line (a threshold).
    `name` identifies the chart on its page (its ids); give each chart its own.
    `styled` draws the first lines of each panel in :data:`STYLES` (a solid line, then a
    dashed grey one over it) rather than in the palette's colours. Every panel spans the
    same years.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    panels = list(panels) or [("no data", {})]
    columns = max(1, min(columns, len(panels)))
    rows = -(-len(panels) // columns)
    # fixed margins (in inches) rather than a layout engine: one drawing pass, not two
    width, height = 3.6 * columns, 2.3 * rows + 0.5 + (0.35 if title else 0)
    figure = Figure(figsize=(width, height), dpi=96)
    figure.subplots_adjust(left=0.75 / width, right=1 - 0.1 / width,
                           top=1 - (0.3 + (0.35 if title else 0)) / height,
                           bottom=0.75 / height, wspace=0.3, hspace=0.45)
    axes = figure.subplots(rows, columns, squeeze=False)
    handles = {}
    years = [int(x) for _, series in panels for points in series.values() for x, _ in points]
    span = (min(years) - 0.5, max(years) + 0.5) if years else None
    for k, ax in enumerate(axes.flat):
        if k >= len(panels):
            ax.set_visible(False)
            continue
        heading, series = panels[k]
        ax.set_title(str(heading), fontsize=10, loc="left")
        for j, (line, points) in enumerate(series.items()):
            xs = [int(x) for x, y in points]
            ys = [float("nan") if y is None else float(y) for x, y in points]
            style = dict(STYLES[j]) if j < len(STYLES) and styled else \
                {"color": PALETTE[j % len(PALETTE)], "linestyle": "-"}
            (handle,) = ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.6,
                                label=str(line), zorder=2 + j, **style)
            handles.setdefault(str(line), handle)
        if hline is not None:
            ax.axhline(hline, color="#a4262c", linestyle="--", linewidth=1)
        if not series:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        if span:
            ax.set_xlim(*span)
        ax.set_ylim(bottom=0)  # shares and indices from zero, so that sizes compare
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.tick_params(labelsize=8)
        ax.grid(True, color="#e6e6e6", linewidth=0.6)
        if percent:
            ax.yaxis.set_major_formatter("{x:.0f}%")
        else:
            ax.yaxis.set_major_formatter("{x:,.0f}")
        if k % columns == 0 and y_label:
            ax.set_ylabel(y_label, fontsize=9)
    labels = list(handles)
    if hline is not None and hline_label:
        from matplotlib.lines import Line2D
        handles[hline_label] = Line2D([], [], color="#a4262c", linestyle="--", linewidth=1)
        labels.append(hline_label)
    if labels:
        figure.legend([handles[label] for label in labels], labels, fontsize=8,
                      loc="lower center", bbox_to_anchor=(0.5, 0.0),
                      ncols=min(len(labels), 4), frameon=False)
    if title:
        figure.suptitle(title, fontsize=11, x=0.01, ha="left", fontweight="bold")
    return inline_svg(figure, name)
