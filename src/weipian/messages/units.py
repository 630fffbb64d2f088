"""The units sentences quote areas in. weipian stores m²; 亩 is for people.

This is the one definition of the 亩: :mod:`weipian.domain.units` takes it from here, because
this package sits below the domain and imports nothing from weipian.
"""

from __future__ import annotations

M2_PER_MU = 10000 / 15  # 1 亩 = 10000/15 m² ≈ 666.67 m² (the legal definition)
