"""Area units. Store m²; convert only for display and export."""

from __future__ import annotations

from weipian.messages.units import M2_PER_MU as M2_PER_MU  # the one definition of the 亩 (re-exported)

M2_PER_HA = 10000.0


def m2_to_mu(m2: float) -> float:
    """Square metres to 亩.

    >>> round(m2_to_mu(10000), 4)
    15.0
    """
    return m2 / M2_PER_MU


def mu_to_m2(mu: float) -> float:
    """亩 to square metres."""
    return mu * M2_PER_MU
