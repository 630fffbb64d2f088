"""Charts and maps for the reports, drawn by matplotlib (Agg) with a Chinese font, as PNG bytes.

Fonts: Noto Sans CJK SC (apt fonts-noto-cjk), else WenQuanYi Zen Hei; matplotlib 3.11 wants
the family as a list (STACK.md §6).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

FONTS = ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "DejaVu Sans"]
RED, AMBER, GREEN, GREY = "#c0392b", "#e67e22", "#4a8f3c", "#9e9e9e"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = FONTS
    plt.rcParams["font.family"] = ["sans-serif"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig: Any, *, bottom: float = 0.1, left: float = 0.1) -> bytes:
    # Fixed margins: a layout engine or bbox_inches="tight" lays every label out again.
    fig.subplots_adjust(left=left, right=0.97, top=0.92, bottom=bottom)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)  # constrained layout: no second "tight" pass
    _pyplot().close(fig)
    return buf.getvalue()


def _empty(ax: Any, text: str = "本期无数据") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=14, color=GREY, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def ratio_chart(
    names: Sequence[str], ratios: Sequence[float | None], line_pct: float, warning_pct: float
) -> bytes:
    """违法占用耕地比例 by unit, coloured by band, against the 15号令 line and the warning band."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.2))
    values = [r or 0.0 for r in ratios]
    if not names:
        _empty(ax)
    else:
        colours = [RED if v >= line_pct else AMBER if v >= warning_pct else GREEN for v in values]
        ax.bar(range(len(names)), values, color=colours)
        ax.axhline(line_pct, color=RED, linestyle="--", linewidth=1.2, label=f"问责线 {line_pct:g}%")
        ax.axhline(warning_pct, color=AMBER, linestyle=":", linewidth=1.2, label=f"预警线 {warning_pct:g}%")
        ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=8)
        ax.set_ylabel("违法占用耕地比例（%）")
        ax.set_ylim(0, max([*values, line_pct]) * 1.15 + 1)
        ax.legend(loc="upper right", fontsize=8)
    ax.set_title("各乡镇（街道）违法占用耕地比例")
    return _png(fig, bottom=0.3)


def rectification_chart(
    names: Sequence[str], rectified: Sequence[float], unrectified: Sequence[float]
) -> bytes:
    """Rectification progress by unit: rectified and unrectified 耕地 (亩), stacked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.2))
    if not names or not any(list(rectified) + list(unrectified)):
        _empty(ax, "本期无违法图斑")
    else:
        x = range(len(names))
        ax.bar(x, rectified, color=GREEN, label="已整改耕地")
        ax.bar(x, unrectified, bottom=rectified, color=RED, label="未整改耕地")
        ax.set_xticks(x, names, rotation=60, ha="right", fontsize=8)
        ax.set_ylabel("面积（亩）")
        ax.legend(fontsize=8)
    ax.set_title("各乡镇（街道）违法占用耕地整改进度")
    return _png(fig, bottom=0.3)


def housing_chart(labels: Sequence[str], counts: Sequence[int]) -> bytes:
    """新增农村乱占耕地建房 by class and opinion: one slim bar a row, the count at its end."""
    plt = _pyplot()
    # The figure grows with the rows, so one row is a bar, not a block filling the plot.
    fig, ax = plt.subplots(figsize=(7, 1.6 + 0.32 * max(len(labels), 3)))
    if not any(counts):
        _empty(ax, "本期无乱占耕地建房")
    else:
        ax.barh(range(len(labels)), counts, height=0.6, color="#2e6da4")
        for y, n in enumerate(counts):
            ax.text(n, y, f" {n}", va="center", fontsize=8)
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.set_ylim(len(labels) - 0.4, -0.6)  # top to bottom, as the table lists them
        ax.set_xlim(0, max(counts) * 1.12)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("宗数")
    ax.set_title("新增农村乱占耕地建房（按类别、认定意见）")
    return _png(fig, left=0.3, bottom=0.22 if len(labels) <= 3 else 0.12)


BAND_FILL = {"red": "#f1a7a0", "amber": "#fbd38d", "green": "#d5e8d4", None: "#f2f2f2"}


def band(ratio: float | None, line_pct: float, warning_pct: float) -> str | None:
    """The ratio's band: red at or above the 15号令 line, amber in the warning band, else green.

    >>> band(15.0, 15, 10), band(12.0, 15, 10), band(0.0, 15, 10), band(None, 15, 10)
    ('red', 'amber', 'green', None)
    """
    if ratio is None:
        return None
    return "red" if ratio >= line_pct else "amber" if ratio >= warning_pct else "green"


def unit_map(
    shapes: Sequence[tuple[str, Any, float | None]],
    points: Sequence[tuple[float, float, str]],
    line_pct: float,
    warning_pct: float,
    title: str,
) -> bytes:
    """Units (name, shapely geometry in EPSG:4490, ratio %) filled by the ratio's band (as the
    ratio chart: over the line, warning band, below; light fills so names stay legible); patches
    as points coloured by verdict class (违法 red, other determined blue, undetermined hollow)."""
    import shapely
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Patch, PathPatch
    from matplotlib.path import Path as MplPath

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 8))
    if not shapes and not points:
        _empty(ax, "无乡镇界线和图斑数据")
        ax.set_title(title)
        return _png(fig)
    shaded = any(ratio is not None for _, _, ratio in shapes)  # the patch map shades nothing
    drawn: list[Any] = []
    for name, full, ratio in shapes:
        geom = shapely.simplify(full, 0.0003)  # ~30 m: invisible at this scale, far fewer vertices
        colour = BAND_FILL[band(ratio, line_pct, warning_pct)] if shaded else "#f2f2f2"
        for poly in getattr(geom, "geoms", [geom]):
            verts, codes = [], []
            for ring in [poly.exterior, *poly.interiors]:
                xy = list(ring.coords)
                verts += xy
                codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY]
            drawn.append(
                PathPatch(MplPath(verts, codes), facecolor=colour, edgecolor="#555555", linewidth=0.6)
            )
        c = shapely.point_on_surface(geom)
        label = f"{name}\n{ratio:.1f}%" if shaded and ratio is not None else name
        ax.text(c.x, c.y, label, ha="center", va="center", fontsize=6, zorder=3)
    # One collection, not a patch each: add_patch recomputes the data limits every time.
    ax.add_collection(PatchCollection(drawn, match_original=True))
    style = {"违法": (RED, "o", 14), "已判定": ("#2e6da4", "o", 8), "未判定": ("none", "o", 8)}
    handles: list[Any] = []
    for key, (colour, marker, size) in style.items():
        xs = [p[0] for p in points if p[2] == key]
        ys = [p[1] for p in points if p[2] == key]
        if xs:
            edge = "#2e6da4" if colour == "none" else colour
            handles.append(ax.scatter(
                xs, ys, s=size, c=colour, marker=marker, edgecolors=edge, linewidths=0.6, label=f"{key}图斑",
                zorder=2,
            ))  # fmt: skip
    if shaded:
        handles += [
            Patch(facecolor=BAND_FILL["red"], edgecolor="#555555", label=f"≥ {line_pct:g}%（问责线）"),
            Patch(facecolor=BAND_FILL["amber"], edgecolor="#555555", label=f"{warning_pct:g}%–{line_pct:g}%（预警）"),
            Patch(facecolor=BAND_FILL["green"], edgecolor="#555555", label=f"< {warning_pct:g}%"),
            Patch(facecolor=BAND_FILL[None], edgecolor="#555555", label="无新增建设占用耕地"),
        ]  # fmt: skip
    ax.autoscale_view()
    ax.set_aspect(1 / 0.9)  # ~cos(25°): degrees look square at Nan'an's latitude
    ax.set_xlabel("经度（CGCS2000）")
    ax.set_ylabel("纬度")
    if handles:
        ax.legend(
            handles=handles, loc="lower right", fontsize=8, title="违法占用耕地比例" if shaded else None
        )
    ax.set_title(title)
    return _png(fig, left=0.12, bottom=0.08)
