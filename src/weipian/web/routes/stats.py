"""The statistics page (county and unit tables, ranking, 警示约谈, chart) and document downloads.

市局 roles and 领导 see the whole county and may download the reports and ledgers; a township
account sees its own unit's row only; department liaisons see nothing here. The military
packet is never offered on the web (CLI only, 市局 accounts).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weipian.domain.roles import Role
from weipian.domain.townships import COUNTY_NAME
from weipian.errors import InputError, PermissionDenied
from weipian.messages import message, period_text
from weipian.services import documents
from weipian.services.stats import StatsResult, compute_stats
from weipian.services.users import Account
from weipian.web.deps import CurrentUser, RulesDep, ScopeDep, SettingsDep, StoreDep, Today
from weipian.web.stats_svg import STATE_COLOURS, SUGGESTION_COLOURS, binned, patch_map, ratio_bars
from weipian.web.templating import templates

router = APIRouter(prefix="/stats")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _county_wide(user: Account) -> bool:
    return user.role.is_bureau or user.role is Role.leader


def _int(v: str | None) -> int | None:
    try:
        return int(v) if v else None
    except ValueError:
        raise InputError("stats.year_invalid", value=v) from None


def _filter(
    user: Account, year: str | None, month: str | None, unit: str | None
) -> tuple[int | None, str | None, str | None]:
    if user.role is Role.department:
        raise PermissionDenied("stats.forbidden")
    if user.role is Role.township:
        if not user.covers or not user.unit_code:
            raise PermissionDenied("stats.forbidden")
        unit = user.unit_code  # its unit's townships, never another unit's figures
    return _int(year), (month or None), (unit or None)


@router.get("")
def stats_page(
    request: Request, user: CurrentUser, store: StoreDep, rules: RulesDep, settings: SettingsDep, today: Today,
    year: str | None = None, month: str | None = None, unit: str | None = None,
) -> Response:  # fmt: skip
    y, m, u = _filter(user, year, month, unit)
    with store.reading() as session:
        result = compute_stats(
            session,
            rules,
            on=today,
            year=y,
            month=m,
            unit=u,
            farmland_source=settings.ratio_farmland,
            with_records=False,
        )
    units = [x for x in result.summary.units if x.code is not None]
    chart = ratio_bars([x.name for x in units], [x.figures.illegal_farmland_ratio_pct for x in units],
                       100 * result.policy.line, 100 * result.policy.warning)  # fmt: skip
    ranked = sorted(
        (x for x in units if x.evaluation), key=lambda x: x.evaluation.rank if x.evaluation else 0
    )
    interviews = [
        (x, [message(r.code, **dict(r.params)) for r in x.evaluation.reasons])
        for x in ranked
        if x.evaluation and x.evaluation.interview
    ]
    context = {
        "r": result, "units": result.summary.units, "ranked": ranked, "interviews": interviews, "chart": chart,
        "year": y, "month": m, "unit": u, "county_wide": _county_wide(user), "names": result.unit_names,
        "years": list(range(today.year, today.year - 6, -1)), "query": _query(y, m, u),
    }  # fmt: skip
    return templates.TemplateResponse(request, "stats.html", context)


MAP_POINTS_MAX = 20_000  # an SVG of more dots is slow to draw: beyond it, dots are merged per cell
MAP_CELLS = 160  # the merging grid across the map (a cell is 4 px of its 640)


@router.get("/map")
def stats_map(
    request: Request, user: CurrentUser, scope: ScopeDep, store: StoreDep, colour: str = "state"
) -> Response:
    """All visible patches over the township outlines, coloured by state or by suggestion (SVG)."""
    import shapely
    from sqlalchemy import select

    from weipian.domain.workflow import STATE_LABELS, State
    from weipian.services.queries.scope import visible
    from weipian.storage.tables import layer_features, layers, patches, suggestions

    if user.role is Role.department:
        raise PermissionDenied("stats.forbidden")
    by_suggestion = colour == "suggestion"
    with store.reading() as session:
        rows = session.execute(
            visible(
                select(
                    patches.c.lon, patches.c.lat, patches.c.patch_code, patches.c.state, suggestions.c.verdict
                )
                .outerjoin(suggestions, suggestions.c.patch_id == patches.c.id)
                .order_by(patches.c.id),
                scope,
            )
        ).all()
        towns = session.execute(
            select(layer_features.c.attrs, layer_features.c.code, layer_features.c.wkb)
            .join(layers, layers.c.id == layer_features.c.layer_id)
            .where(layers.c.kind == "townships", layers.c.is_current.is_(True))
        ).all()
    outlines = []
    for attrs, code, wkb in towns:
        geom = shapely.simplify(shapely.from_wkb(wkb), 0.0005)
        rings = [list(r.coords) for poly in getattr(geom, "geoms", [geom]) for r in [poly.exterior]]
        outlines.append((str((attrs or {}).get("XZQMC") or code or ""), rings))
    points = [(r.lon, r.lat, r.patch_code, r.verdict if by_suggestion else r.state) for r in rows]
    tally = Counter(p[3] for p in points)
    merged = len(points) > MAP_POINTS_MAX
    colours: dict[str | None, str]
    labels: dict[str | None, str]
    if by_suggestion:
        colours, labels = dict(SUGGESTION_COLOURS), {k: (k or "未预判") for k in SUGGESTION_COLOURS}
    else:
        colours = {k: v for k, v in STATE_COLOURS.items()}
        labels = {k: STATE_LABELS[State(k)] for k in STATE_COLOURS}
    svg = patch_map(outlines, binned(points, MAP_CELLS) if merged else points, colours, labels)
    context = {"svg": svg, "colour": "suggestion" if by_suggestion else "state", "count": len(points),
               "merged": merged, "tally": [(labels.get(k, k or "未预判"), colours.get(k, "#cccccc"), n)
                                           for k, n in tally.most_common()]}  # fmt: skip
    return templates.TemplateResponse(request, "stats_map.html", context)


def _query(year: int | None, month: str | None, unit: str | None) -> str:
    pairs = [("year", year), ("month", month), ("unit", unit)]
    return "&".join(f"{k}={quote(str(v))}" for k, v in pairs if v)


def _download(body: bytes, filename: str, media: str) -> Response:
    # RFC 6266: an ASCII fallback plus the Chinese name in UTF-8, which browsers use.
    header = f"attachment; filename=\"weipian{Path(filename).suffix}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=media, headers={"Content-Disposition": header})


def _need_county(user: Account) -> None:
    if not _county_wide(user):
        raise PermissionDenied("stats.documents_forbidden")


def _label(result: StatsResult) -> str:
    unit = result.unit_names.get(result.period.unit or "", "")
    return f"{result.county_name}{unit}{period_text(result.period.label())}"


@router.get("/documents/monthly.{suffix}")
def monthly_download(
    suffix: str, user: CurrentUser, store: StoreDep, rules: RulesDep, today: Today, month: str = ""
) -> Response:
    _need_county(user)
    if suffix not in ("docx", "xlsx"):
        raise InputError("document.format", suffix=f".{suffix}")
    with tempfile.TemporaryDirectory() as tmp, store.reading() as session:
        path = documents.monthly_report(session, rules, Path(tmp) / f"m.{suffix}", month=month, on=today)
        result = compute_stats(session, rules, on=today, month=month, with_records=False)  # the label
        body = path.read_bytes()
    return _download(body, f"{_label(result)}月清月结报告.{suffix}", DOCX if suffix == "docx" else XLSX)


@router.get("/documents/annual.docx")
def annual_download(
    user: CurrentUser, store: StoreDep, rules: RulesDep, today: Today, year: str = ""
) -> Response:
    _need_county(user)
    y = _int(year) or today.year
    with tempfile.TemporaryDirectory() as tmp, store.reading() as session:
        path = documents.annual_report(session, rules, Path(tmp) / "a.docx", year=y, on=today)
        body = path.read_bytes()
    return _download(body, f"{COUNTY_NAME}{y}年度卫片执法工作成果报告.docx", DOCX)


@router.get("/documents/ledger/{kind}.xlsx")
def ledger_download(
    kind: str, user: CurrentUser, store: StoreDep, rules: RulesDep, today: Today,
    year: str | None = None, month: str | None = None, unit: str | None = None,
) -> Response:  # fmt: skip
    _need_county(user)
    y = _int(year)
    with tempfile.TemporaryDirectory() as tmp, store.reading() as session:
        path = documents.ledger(session, rules, Path(tmp) / "l.xlsx", kind=kind, on=today, year=y,
                                month=month or None, unit=unit or None)  # fmt: skip
        result = compute_stats(
            session, rules, on=today, year=y, month=month or None, unit=unit or None, with_records=False
        )  # the label
        body = path.read_bytes()
    return _download(body, f"{_label(result)}{message(f'document.ledger.{kind}')}.xlsx", XLSX)
