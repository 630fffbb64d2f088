"""Server-rendered SVG charts for the statistics page (no JavaScript, nothing fetched)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

RED, AMBER, GREEN = "#c0392b", "#e67e22", "#4a8f3c"


def ratio_bars(
    names: Sequence[str], ratios: Sequence[float | None], line_pct: float, warning_pct: float
) -> str:
    """A bar per unit (ratio %), coloured by band, with the 15 % line and the warning line.

    >>> svg = ratio_bars(["<甲>", "乙"], [20.0, None], 15, 10)
    >>> svg.startswith("<svg") and "&lt;甲&gt;" in svg and "问责线 15%" in svg
    True
    """
    # The line labels sit in a right margin of their own, never over a bar; the warning line's
    # label goes under its line when the two lines are close.
    width, height, left, right, bottom, top = 760, 300, 40, 78, 110, 16
    n = max(len(names), 1)
    values = [r or 0.0 for r in ratios]
    top_value = max([*values, line_pct * 1.3, 1.0])
    plot_h = height - bottom - top
    end = width - right
    step = (end - left) / n

    def y(v: float) -> float:
        return top + plot_h * (1 - v / top_value)

    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="各乡镇违法占用耕地比例" class="chart">',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{end}" y2="{y(0):.1f}" stroke="#666"/>',
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
    close = y(warning_pct) - y(line_pct) < 13
    for value, colour, text, dy in (
        (line_pct, RED, "问责线", -3), (warning_pct, AMBER, "预警线", 11 if close else -3)
    ):  # fmt: skip
        parts.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{end}" y2="{y(value):.1f}" stroke="{colour}" '
            f'stroke-dasharray="6 4"/><text x="{end + 4}" y="{y(value) + dy:.1f}" font-size="11" '
            f'fill="{colour}">{text} {value:g}%</text>'
        )
    for tick in (0.0, top_value / 2, top_value):
        parts.append(
            f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end">{tick:.0f}%</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


STATE_COLOURS = {
    "issued": "#9e9e9e", "verifying": "#2e6da4", "submitted": "#e0a000", "county_passed": "#4a8f3c",
    "county_returned": "#c0392b", "reported": "#6a4c9c", "accepted": "#2e7d32", "returned": "#e53935",
    "rectifying": "#ef6c00", "closed": "#1b5e20",
}  # fmt: skip
SUGGESTION_COLOURS = {
    "合法": "#4a8f3c", "违法": "#c0392b", "其他": "#8e6c3a", "农村道路": "#7b8d42", "设施农用地": "#2e9d8f",
    "伪变化": "#9e9e9e", "存疑": "#e0a000", None: "#cccccc",
}  # fmt: skip


Point = tuple[float, float, str, str | None]  # lon, lat, what its tooltip names, class


def binned(points: Sequence[Point], cells: int) -> list[Point]:
    """The points merged per class in a grid of about ``cells`` across, so a map of any number of
    patches stays light to draw: each dot sits at the mean position of its patches and says how
    many it holds (a lone patch keeps its JCBH).

    >>> pts = [(118.0, 25.0, "P1", "违法"), (118.0001, 25.0, "P2", "违法"), (118.0, 25.0, "P3", None),
    ...        (119.0, 26.0, "P4", "违法")]
    >>> sorted((t, c) for _, _, t, c in binned(pts, 10))
    [('2 个图斑', '违法'), ('P3', None), ('P4', '违法')]
    """
    if not points:
        return []
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    minx, miny = min(xs), min(ys)
    cell = max(max(xs) - minx, max(ys) - miny, 1e-9) / cells
    acc: dict[tuple[int, int, str | None], list[Any]] = {}
    for x, y, code, cls in points:
        key = (min(int((x - minx) / cell), cells - 1), min(int((y - miny) / cell), cells - 1), cls)
        a = acc.setdefault(key, [0.0, 0.0, 0, code])
        a[0] += x
        a[1] += y
        a[2] += 1
    return [
        (sx / n, sy / n, code if n == 1 else f"{n:,} 个图斑", key[2])
        for key, (sx, sy, n, code) in acc.items()
    ]


def patch_map(
    outlines: Sequence[tuple[str, Sequence[Sequence[tuple[float, float]]]]],
    points: Sequence[Point],
    colours: dict[str | None, str],
    labels: dict[str | None, str],
) -> str:
    """Township outlines (name, rings of lon/lat) and patch points (lon, lat, JCBH, class) as SVG,
    points coloured by class with a legend.

    >>> svg = patch_map([("甲", [[(118.0, 25.0), (118.1, 25.0), (118.1, 25.1), (118.0, 25.0)]])],
    ...                 [(118.05, 25.02, "<P1>", "违法")], {"违法": "#c00"}, {"违法": "违法"})
    >>> "&lt;P1&gt;" in svg and 'fill="#c00"' in svg
    True
    """
    xs = [x for _, rings in outlines for ring in rings for x, _ in ring] + [p[0] for p in points]
    ys = [y for _, rings in outlines for ring in rings for _, y in ring] + [p[1] for p in points]
    if not xs:
        return '<p class="muted">没有可显示的乡镇界线或图斑。</p>'
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    span = max(maxx - minx, (maxy - miny) / 0.9, 1e-6)
    size, pad = 640.0, 10.0
    scale = (size - 2 * pad) / span

    def px(x: float, y: float) -> str:
        return f"{pad + (x - minx) * scale:.1f},{pad + (maxy - y) * scale / 0.9:.1f}"

    height = pad * 2 + (maxy - miny) * scale / 0.9
    parts = [
        f'<svg viewBox="0 0 {size + 150:.0f} {max(height, 200):.0f}" '
        'class="chart map" role="img" aria-label="图斑分布图">'
    ]
    for name, rings in outlines:
        d = " ".join("M" + " L".join(px(x, y) for x, y in ring) + " Z" for ring in rings)
        parts.append(
            f'<path d="{d}" fill="#f4f4f4" stroke="#777" stroke-width="0.6"><title>{escape(name)}</title></path>'
        )
    for x, y, code, cls in points:
        cx, cy = px(x, y).split(",")
        colour = colours.get(cls, "#cccccc")
        title = escape(f"{code} {labels.get(cls, cls or '未预判')}")
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="3.5" fill="{colour}"><title>{title}</title></circle>')
    for i, (cls, colour) in enumerate((k, v) for k, v in colours.items() if any(p[3] == k for p in points)):
        y = 20 + i * 18
        parts.append(
            f'<circle cx="{size + 12}" cy="{y}" r="5" fill="{colour}"/>'
            f'<text x="{size + 22}" y="{y + 4}" font-size="12">{escape(labels.get(cls, cls or "未预判"))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
