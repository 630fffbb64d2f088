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
    """新增农村乱占耕地建房 by class and opinion."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.6))
    if not any(counts):
        _empty(ax, "本期无乱占耕地建房")
    else:
        ax.barh(range(len(labels)), counts, color="#2e6da4")
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("宗数")
    ax.set_title("新增农村乱占耕地建房（按类别、认定意见）")
    return _png(fig, left=0.3, bottom=0.16)


def unit_map(
    shapes: Sequence[tuple[str, Any, float | None]],
    points: Sequence[tuple[float, float, str]],
    line_pct: float,
    warning_pct: float,
    title: str,
) -> bytes:
    """Units (name, shapely geometry in EPSG:4490, ratio %) shaded by ratio; patches as points
    coloured by verdict class (违法 red, other determined grey-blue, undetermined hollow)."""
    import shapely
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 8))
    if not shapes and not points:
        _empty(ax, "无乡镇界线和图斑数据")
        ax.set_title(title)
        return _png(fig)
    cmap = plt.get_cmap("YlOrRd")
    top = max(line_pct * 1.5, 1.0)
    drawn: list[Any] = []
    for name, full, ratio in shapes:
        geom = shapely.simplify(full, 0.0003)  # ~30 m: invisible at this scale, far fewer vertices
        colour = cmap(min((ratio or 0.0) / top, 1.0)) if ratio is not None else "#f2f2f2"
        for poly in getattr(geom, "geoms", [geom]):
            rings = [poly.exterior, *poly.interiors]
            verts, codes = [], []
            for ring in rings:
                xy = list(ring.coords)
                verts += xy
                codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY]
            ax.add_patch(
                PathPatch(MplPath(verts, codes), facecolor=colour, edgecolor="#555555", linewidth=0.6)
            )
        c = shapely.point_on_surface(geom)
        label = name if ratio is None else f"{name}\n{ratio:.1f}%"
        ax.text(c.x, c.y, label, ha="center", va="center", fontsize=6)
    # One collection, not a patch each: add_patch recomputes the data limits every time.
    ax.add_collection(PatchCollection(drawn, match_original=True))
    style = {"违法": (RED, "o", 14), "已判定": ("#2e6da4", "o", 8), "未判定": ("none", "o", 8)}
    for key, (colour, marker, size) in style.items():
        xs = [p[0] for p in points if p[2] == key]
        ys = [p[1] for p in points if p[2] == key]
        if xs:
            edge = "#2e6da4" if colour == "none" else colour
            ax.scatter(
                xs, ys, s=size, c=colour, marker=marker, edgecolors=edge, linewidths=0.6, label=f"{key}图斑"
            )
    ax.autoscale_view()
    ax.set_aspect(1 / 0.9)  # ~cos(25°): degrees look square at Nan'an's latitude
    ax.set_xlabel("经度（CGCS2000）")
    ax.set_ylabel("纬度")
    if points:
        ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title)
    if any(ratio is not None for _, _, ratio in shapes):  # the patch map shades nothing
        sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, top))
        fig.colorbar(sm, ax=ax, shrink=0.6, label="违法占用耕地比例（%）")
    return _png(fig, left=0.12, bottom=0.08)
