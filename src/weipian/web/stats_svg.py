"""Server-rendered SVG charts for the statistics page (no JavaScript, nothing fetched)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

RED, AMBER, GREEN = "#c0392b", "#e67e22", "#4a8f3c"


def ratio_bars(
    names: Sequence[str], ratios: Sequence[float | None], line_pct: float, warning_pct: float
) -> str:
    """A bar per unit (ratio %), coloured by band, with the 15 % line and the warning line.

    >>> svg = ratio_bars(["<甲>", "乙"], [20.0, None], 15, 10)
    >>> svg.startswith("<svg") and "&lt;甲&gt;" in svg and "问责线 15%" in svg
    True
    """
    width, height, left, bottom, top = 760, 300, 40, 110, 16
    n = max(len(names), 1)
    values = [r or 0.0 for r in ratios]
    top_value = max([*values, line_pct * 1.3, 1.0])
    plot_h = height - bottom - top
    step = (width - left - 10) / n

    def y(v: float) -> float:
        return top + plot_h * (1 - v / top_value)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="各乡镇违法占用耕地比例" class="chart">',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - 10}" y2="{y(0):.1f}" stroke="#666"/>',
    ]
    for i, (name, v) in enumerate(zip(names, values, strict=True)):
        colour = RED if v >= line_pct else AMBER if v >= warning_pct else GREEN
        x = left + i * step + step * 0.15
        label = escape(name)
        parts.append(
            f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{step * 0.7:.1f}" height="{y(0) - y(v):.1f}" fill="{colour}">'
            f"<title>{label}：{v:.2f}%</title></rect>"
        )
        tx, ty = x + step * 0.35, y(0) + 8
        parts.append(
            f'<text x="{tx:.1f}" y="{ty:.1f}" font-size="10" text-anchor="end" '
            f'transform="rotate(-60 {tx:.1f} {ty:.1f})">{label}</text>'
        )
    for value, colour, text in ((line_pct, RED, "问责线"), (warning_pct, AMBER, "预警线")):
        parts.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - 10}" y2="{y(value):.1f}" stroke="{colour}" '
            f'stroke-dasharray="6 4"/><text x="{width - 12}" y="{y(value) - 3:.1f}" font-size="11" '
            f'text-anchor="end" fill="{colour}">{text} {value:g}%</text>'
        )
    for tick in (0.0, top_value / 2, top_value):
        parts.append(
            f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end">{tick:.0f}%</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
