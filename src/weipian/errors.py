"""The one exception tree of weipian.

Every error carries a stable ``code`` and the parameters needed to explain it; the
Chinese sentence is made at the edge by :mod:`weipian.messages`.

    WeipianError
    ├── InputError          bad file, bad value, unreadable package (exit 1 / HTTP 422)
    ├── NotFound            no such patch, batch, layer (exit 1 / HTTP 404)
    ├── Conflict            already exists, concurrent change (exit 1 / HTTP 409)
    ├── TransitionRefused   workflow step not allowed from this state (exit 1 / HTTP 409)
    └── PermissionDenied    role or township may not do this (exit 1 / HTTP 403)
"""

from __future__ import annotations

from typing import Any


class WeipianError(Exception):
    """Base of all errors weipian raises on purpose."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code, params)

    def __str__(self) -> str:
        from weipian.messages import message

        return message(self.code, **self.params)


class InputError(WeipianError):
    """The input (file, value, option) is wrong; nothing was written."""


class NotFound(WeipianError):
    """The thing asked for does not exist."""


class Conflict(WeipianError):
    """The thing exists already or changed under us."""


class TransitionRefused(WeipianError):
    """A workflow step is not allowed from the current state."""


class PermissionDenied(WeipianError):
    """The actor may not do this."""
