"""Imagery for the patch map: XYZ PNG tiles of a registered image (by id, never by path) and
the before/after pair chosen for a patch (``/api/imagery?patch_id=``), as ``static/map.js`` asks.

Tiles are rendered by rio-tiler from the COG in ``<files dir>/imagery``; the routes are plain
``def`` so the blocking read runs in FastAPI's thread pool.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from weipian.config import files_dir
from weipian.errors import NotFound
from weipian.io.imagery import render_tile
from weipian.services.imagery import ImageInfo, get_image, image_file, imagery_for
from weipian.services.queries.scope import get_patch
from weipian.web.deps import CurrentUser, ScopeDep, SettingsDep, StoreDep

router = APIRouter()

MAX_ZOOM = 24
TILE_CACHE = "private, max-age=86400"  # an image id always names the same file


@router.get("/tiles/{image_id}/{z}/{x}/{y}.png")
def tile(
    image_id: int, z: int, x: int, y: int, user: CurrentUser, store: StoreDep, settings: SettingsDep
) -> Response:
    """One 256-pixel Web Mercator tile; 204 where the image has nothing to show."""
    with store.reading() as session:
        image = get_image(session, image_id)
    path = image_file(files_dir(settings), image.stored_name)
    if not path.is_file():
        raise NotFound("imagery.file_missing", id=image.id, name=image.name)
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        return Response(status_code=204, headers={"Cache-Control": TILE_CACHE})
    png = render_tile(path, z, x, y)
    if png is None:
        return Response(status_code=204, headers={"Cache-Control": TILE_CACHE})
    return Response(png, media_type="image/png", headers={"Cache-Control": TILE_CACHE})


def image_json(image: ImageInfo | None) -> dict[str, Any] | None:
    if image is None:
        return None
    return {
        "id": image.id,
        "taken_on": image.taken_on.isoformat(),
        "bounds": [round(v, 7) for v in image.bounds],
        "tiles": f"/tiles/{image.id}/{{z}}/{{x}}/{{y}}.png",
    }


@router.get("/api/imagery")
def patch_imagery(
    patch_id: Annotated[int, Query(description="图斑编号（内部 id）")],
    user: CurrentUser,
    scope: ScopeDep,
    store: StoreDep,
) -> dict[str, Any]:
    """The before and after images for a patch the account may see (404 otherwise)."""
    with store.reading() as session:
        patch = get_patch(session, patch_id, scope)
        chosen = imagery_for(
            session,
            (patch.minx, patch.miny, patch.maxx, patch.maxy),
            before_date=patch.before_date,
            after_date=patch.after_date,
        )
    return {"before": image_json(chosen["before"]), "after": image_json(chosen["after"])}
