"""The web application: ``create_app(settings)`` builds it; nothing happens at import.

``weipian serve`` runs ``uvicorn weipian.web.app:create_app --factory``; tests call
``create_app(WebSettings(database_url=…, secret_key=…))``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from weipian.config import Settings
from weipian.rules import load_rules
from weipian.storage.store import Store
from weipian.web.errors import install_error_handlers
from weipian.web.routes import (
    api,
    auth,
    cases,
    evidence,
    imagery,
    intake,
    ledger,
    lists,
    maps,
    pages,
    patches,
    referrals,
    review,
    split,
    stats,
    units,
)
from weipian.web.security import BodyLimit, SecurityHeaders
from weipian.web.settings import WebSettings, secret_key

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new application on the store the settings name (schema must be initialised)."""
    web = (
        settings
        if isinstance(settings, WebSettings)
        else WebSettings(**(settings.model_dump() if settings else {}))
    )
    web.apply_clock()
    store = Store(web.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.dispose()

    app = FastAPI(
        title="南安市卫片执法系统", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.settings = web
    app.state.store = store
    app.state.rules = load_rules()
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(web),
        session_cookie="weipian_session",
        max_age=web.session_hours * 3600,
        same_site="lax",
        https_only=web.session_secure,
    )
    app.add_middleware(BodyLimit, max_bytes=web.request_max_mb * 2**20)
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        auth,
        pages,
        patches,
        review,
        lists,
        api,
        maps,
        imagery,
        evidence,
        referrals,
        stats,
        ledger,
        split,
        intake,
        cases,
        units,
    ):
        app.include_router(module.router)
    return app
