"""Where a patch lies against the mining licences (采矿权): the one set of codes. Pure.

The desk comparison sets it (``analysis.desk.mining_status``), the rules read it, the export
writes its label as KQWZ; labels in :data:`weipian.messages.labels.MINING_STATUS_LABELS`.
"""

from __future__ import annotations

from enum import StrEnum


class MiningStatus(StrEnum):
    """Stored in ``patch_facts.mining_status``."""

    inside = "inside"  # 采矿权范围内: a licence covers (almost) all of the patch
    straddling = "straddling"  # 跨越采矿权界线: partly inside a licence
    outside = "outside"  # 采矿权范围外: no licence meets the patch


# A licence meets the patch (the mineral rules' "mining patch" test).
MEETS_LICENCE = frozenset({MiningStatus.inside, MiningStatus.straddling})
