"""Security hardening (issue 11).

- ``patches.restricted`` / ``patches.military_layer_id``: military restriction from the moment
  of import, re-marked by every military layer version; backfilled here against the current
  military layer (patches stay unchecked, hence withheld from exports, when there is none).
- ``users.session_version``, ``failed_logins``, ``locked_until``: revocable sessions and
  sign-in throttling.
- ``events.prev_hash`` / ``events.hash``: the event log's hash chain, backfilled here for the
  events already stored (the append-only trigger is lifted for that update only).
- SQLite: ``INSERT OR REPLACE`` / ``REPLACE`` on ``events`` and ``determinations`` deletes the
  old row without firing delete triggers; a BEFORE INSERT trigger now refuses any insert that
  meets an existing row.

Revision ID: 2026_12_03_harden_security
Revises: 2026_12_03_rules_facts
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "2026_12_03_harden_security"
down_revision = "2026_12_03_rules_facts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from weipian.storage.restriction import remark_against_current

    op.add_column("patches", sa.Column("restricted", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("patches", sa.Column("military_layer_id", sa.Integer(), nullable=True))
    op.create_index("ix_patches_restricted", "patches", ["restricted"])
    remark_against_current(Session(bind=op.get_bind()))
    op.add_column("users", sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))
    op.add_column("users", sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
    op.add_column("users", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("events", sa.Column("prev_hash", sa.String(64), server_default="", nullable=False))
    op.add_column("events", sa.Column("hash", sa.String(64), server_default="", nullable=False))
    _backfill_hashes()
    if op.get_bind().dialect.name == "sqlite":
        for table, clash in REPLACE_GUARDS.items():
            op.execute(
                f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
                f"WHEN EXISTS (SELECT 1 FROM {table} AS old WHERE {clash}) "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


REPLACE_GUARDS = {
    "events": "old.id = NEW.id",
    "determinations": "old.id = NEW.id OR (old.patch_id = NEW.patch_id AND old.version = NEW.version)",
}


def _backfill_hashes() -> None:
    from weipian.domain.eventlog import GENESIS, event_hash

    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
    else:
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
    events = sa.table(
        "events", sa.column("id", sa.Integer), sa.column("patch_id", sa.Integer), sa.column("action", sa.String),
        sa.column("actor", sa.String), sa.column("role", sa.String), sa.column("at", sa.DateTime(timezone=True)),
        sa.column("state_before", sa.String), sa.column("state_after", sa.String),
        sa.column("payload", sa.JSON), sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
    )  # fmt: skip
    prev, last = GENESIS, 0
    while rows := bind.execute(
        sa.select(events).where(events.c.id > last).order_by(events.c.id).limit(5000)
    ).all():
        for r in rows:
            digest = event_hash(
                prev, patch_id=r.patch_id, action=r.action, actor=r.actor, role=r.role, at=r.at,
                state_before=r.state_before, state_after=r.state_after, payload=r.payload,
            )  # fmt: skip
            bind.execute(sa.update(events).where(events.c.id == r.id).values(prev_hash=prev, hash=digest))
            prev = digest
        last = rows[-1].id
    if sqlite:
        op.execute(
            "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
            "BEGIN SELECT RAISE(ABORT, 'events is append-only'); END"
        )
    else:
        op.execute(
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
            "FOR EACH ROW EXECUTE FUNCTION weipian_append_only()"
        )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite ≥ 3.35 has it): a batch copy would lose the tables' triggers.
    if op.get_bind().dialect.name == "sqlite":
        for table in REPLACE_GUARDS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
    for table, column in (("events", "hash"), ("events", "prev_hash"), ("users", "locked_until"),
                          ("users", "failed_logins"), ("users", "session_version"),
                          ("patches", "military_layer_id")):  # fmt: skip
        op.drop_column(table, column)
    op.drop_index("ix_patches_restricted", table_name="patches")
    op.drop_column("patches", "restricted")
