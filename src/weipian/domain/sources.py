"""Where patches come from (``--source``)."""

from __future__ import annotations

from enum import StrEnum

from weipian.messages.labels import SOURCE_LABELS as SOURCE_LABELS


class Source(StrEnum):
    """Issuing channel of a batch; the value is the INTERFACE.md spelling."""

    ministry = "ministry"  # 部卫片: 自然资源部执法综合监管平台
    province = "province"  # 省卫片: 福建省自然资源执法监察综合管理系统 (天地网)
    self = "self"  # 自主发现: found locally without an issued patch

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self]
