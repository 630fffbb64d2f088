"""``weipian verify-log``: check the event log's hash chain and name the first broken event."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from weipian.cli.context import command_store
from weipian.cli.output import emit_json, guarded, out
from weipian.domain.eventlog import canonical_time
from weipian.errors import WeipianError
from weipian.storage.workflow import verify_chain


def verify_log_command(
    as_json: Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")] = False,
) -> None:
    """核对操作记录（事件日志）的哈希链：任何记录被改动、删除或插入，都指出第一条不符的记录。"""

    def run() -> dict[str, Any]:
        with command_store() as store, store.reading() as session:
            checked, broken = verify_chain(session)
        if broken is not None:
            at = canonical_time(broken.at)
            raise WeipianError(
                f"log.broken_{broken.reason}", id=broken.id, patch_id=broken.patch_id, action=broken.action,
                at=str(at)[:19], checked=checked,
            )  # fmt: skip
        return {"ok": True, "events": checked}

    result = guarded(as_json, run)
    if as_json:
        emit_json(result)
    else:
        out.print(f"操作记录哈希链完整：共核对 {result['events']} 条记录，未发现改动。", highlight=False)
