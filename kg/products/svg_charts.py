"""Small SVG charts drawn by hand for the offline report: no plotting library, no external
resource, every label escaped.

Examples
--------
>>> svg = bar_chart([("A <b>", 0.5), ("B", None)], title="share")
>>> "&lt;b&gt;" in svg and "unknown" in svg and "http" not in svg
True
"""

from __future__ import annotations

from markupsafe import Markup, escape

__all__ = ["bar_chart", "line_chart", "PALETTE"]

PALETTE = ["#1f6f8b", "#e07a1f", "#4c956c", "#a23b72", "#6c757d", "#c9a227"]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _number(value: float, percent: bool) -> str:
    return f"{value:.0%}" if percent else f"{value:,.2f}".rstrip("0").rstrip(".")


def bar_chart(items, title: str = "", percent: bool = False, width: int = 540,
              maximum: float | None = None) -> Markup:
    """Horizontal bars; an item whose value is None is drawn as "unknown", not as 0."""
    items = list(items)
    row, label_w = 24, 270
    height = 30 + row * max(len(items), 1)
    known = [v for _, v in items if v is not None]
    top = maximum or (max(known) if known and max(known) > 0 else 1.0)
    parts = [f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" class="chart">',
             f'<text x="0" y="16" class="chart-title">{escape(title)}</text>']
    for k, (label, value) in enumerate(items):
        y = 26 + k * row
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">'
                     f'{escape(_short(str(label), 40))}</text>')
        if value is None:
            parts.append(f'<text x="{label_w + 4}" y="{y + 15}" class="unknown">unknown</text>')
            continue
        bar = max(0.0, (width - label_w - 70) * value / top)
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar:.1f}" height="16" '
                     f'fill="{PALETTE[0]}"/>')
        parts.append(f'<text x="{label_w + bar + 4:.1f}" y="{y + 15}">'
                     f'{escape(_number(value, percent))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(series: dict, title: str = "", width: int = 560, height: int = 220,
               y_label: str = "") -> Markup:
    """Lines over calendar years: `series` maps a name to ``[(year, value), ...]``."""
    points = [(x, y) for values in series.values() for x, y in values if y is not None]
    parts = [f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" class="chart">',
             f'<text x="0" y="16" class="chart-title">{escape(title)}</text>']
    if not points:
        parts.append(f'<text x="10" y="{height // 2}" class="unknown">no calendar years in the '
                     'graph for this measure</text></svg>')
        return Markup("".join(parts))
    left, right, bottom, top_y = 60, width - 150, height - 30, 30
    xs = sorted({x for x, _ in points})
    y_max = max(y for _, y in points) or 1.0
    x_of = (lambda x: left + (right - left) * (xs.index(x) / max(len(xs) - 1, 1)))
    y_of = (lambda y: bottom - (bottom - top_y) * y / y_max)
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" class="axis"/>')
    parts.append(f'<line x1="{left}" y1="{top_y}" x2="{left}" y2="{bottom}" class="axis"/>')
    parts.append(f'<text x="{left - 6}" y="{top_y + 4}" text-anchor="end">'
                 f'{escape(f"{y_max:,.0f}")}</text>')
    parts.append(f'<text x="{left - 6}" y="{bottom}" text-anchor="end">0</text>')
    parts.append(f'<text x="{left}" y="{top_y - 4}">{escape(y_label)}</text>')
    for x in xs:
        parts.append(f'<text x="{x_of(x):.1f}" y="{bottom + 16}" text-anchor="middle">'
                     f'{escape(str(x))}</text>')
    for k, (name, values) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        known = [(x, y) for x, y in values if y is not None]
        path = " ".join(f"{x_of(x):.1f},{y_of(y):.1f}" for x, y in known)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                     'stroke-width="2"/>')
        for x, y in known:
            parts.append(f'<circle cx="{x_of(x):.1f}" cy="{y_of(y):.1f}" r="3" fill="{colour}"/>')
        parts.append(f'<text x="{right + 8}" y="{top_y + 14 * k + 10}" fill="{colour}">'
                     f'{escape(str(name)[:22])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
