"""What autogenerate must leave alone: hand-made spatial objects (R*Tree tables, PostGIS column)."""

from __future__ import annotations

from typing import Any

HAND_MADE_TABLE_PREFIXES = ("patch_rtree", "feature_rtree", "spatial_ref_sys")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic ``include_name`` hook: skip objects the migrations create with raw SQL."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(HAND_MADE_TABLE_PREFIXES)
    if type_ == "column":
        return name != "geom"
    if type_ == "index":
        return not name.endswith("_geom_gist")
    return True
