"""Routes for evidence (issue 5); filled by its owner."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
