"""The event log's hash chain: each event carries the hash of the one before it, so changing,
removing or inserting an event anywhere breaks every hash after it (``weipian verify-log``).

Pure: the canonical text of an event and its SHA-256; storage computes and checks them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS = "0" * 64  # the "previous hash" of the first event


def canonical_time(at: dt.datetime) -> str:
    """UTC ISO text of an event's time (SQLite gives naive UTC back, PostgreSQL aware)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_hash(
    prev_hash: str, *, patch_id: int, action: str, actor: str, role: str, at: dt.datetime,
    state_before: str, state_after: str, payload: dict[str, Any],
) -> str:  # fmt: skip
    """SHA-256 (hex) of the previous hash and the event's fields, in one canonical JSON text.

    >>> h = event_hash(GENESIS, patch_id=1, action="a", actor="u", role="r",
    ...     at=dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC), state_before="s", state_after="t", payload={})
    >>> len(h), h == event_hash(GENESIS, patch_id=1, action="a", actor="u", role="r",
    ...     at=dt.datetime(2026, 1, 1, 8), state_before="s", state_after="t", payload={})
    (64, True)
    """
    body = json.dumps(
        [prev_hash, patch_id, action, actor, role, canonical_time(at), state_before, state_after, payload],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )  # fmt: skip
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
