"""The typed records storage hands out (storage/records.py): one field per column, frozen, and
the values each backend gives back arrive with the same Python types."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Table

from factories import small_county
from weipian.domain.roles import Actor, Role
from weipian.rules import Determination, load_rules
from weipian.services import workflow
from weipian.storage.facts import desk_facts, ranked_overlaps, suggestion_of
from weipian.storage.layers import current_layer, list_layers
from weipian.storage.patches import find_batch, patch_by_id
from weipian.storage.records import (
    Attachment,
    Batch,
    DeskFacts,
    DeterminationVersion,
    Event,
    Layer,
    Overlap,
    Patch,
    Record,
    Suggestion,
    User,
)
from weipian.storage.store import Store
from weipian.storage.tables import (
    attachments,
    batches,
    determinations,
    events,
    layers,
    patch_facts,
    patch_overlaps,
    patches,
    suggestions,
    users,
)
from weipian.storage.workflow import current_determination, find_patch, patch_events

TABLE_RECORDS: list[tuple[type[Record], Table]] = [
    (Patch, patches), (Event, events), (DeterminationVersion, determinations), (Attachment, attachments),
    (User, users), (Batch, batches), (Layer, layers), (DeskFacts, patch_facts), (Overlap, patch_overlaps),
    (Suggestion, suggestions),
]  # fmt: skip
ADMIN = Actor("管理员", Role.bureau_admin)


@pytest.mark.parametrize(("record", "table"), TABLE_RECORDS, ids=lambda v: getattr(v, "__name__", None))
def test_a_table_record_has_one_field_per_column_in_column_order(record: type[Record], table: Table) -> None:
    # A column added by a migration must reach the record too, or ``of`` would drop it silently.
    assert [f.name for f in dataclasses.fields(record)] == [c.name for c in table.columns]  # type: ignore[arg-type]


def test_storage_hands_out_frozen_typed_records(store: Store, tmp_path: Path) -> None:
    small_county(store, tmp_path)
    with store.writing() as s:
        workflow.save_determination(
            s, find_patch(s, "P0000"), Determination("农村道路"), actor=ADMIN, rules=load_rules(),
            on=dt.date(2022, 11, 20),
        )  # fmt: skip
    with store.reading() as s:
        patch = find_patch(s, "P0000")
        assert type(patch) is Patch and patch == patch_by_id(s, patch.id)
        with pytest.raises(dataclasses.FrozenInstanceError):
            patch.state = "closed"  # type: ignore[misc]
        assert not hasattr(patch, "__dict__")  # slots: no stray attributes either
        assert patch.state == "verifying" and isinstance(patch.due_on, dt.date)
        assert isinstance(patch.attrs, dict) and isinstance(patch.wkb, bytes) and patch.restricted is False
        assert find_patch(s, "P0002").restricted is True

        det = current_determination(s, patch.id)
        assert isinstance(det, DeterminationVersion) and det.version == 1 and det.verdict == "农村道路"
        assert det.data["verdict"] == "农村道路"
        (event,) = patch_events(s, patch.id)
        assert isinstance(event, Event) and event.id == det.event_id and event.action == "determination.save"
        assert (event.state_before, event.state_after) == ("issued", "verifying")
        assert isinstance(event.payload, dict) and len(event.hash) == 64

        batch = find_batch(s, "ministry", "B1")
        assert isinstance(batch, Batch) and batch.id == patch.batch_id and batch.patch_count == 3
        assert batch.issued_on == dt.date(2022, 11, 1)
        layer = current_layer(s, "townships")
        assert isinstance(layer, Layer) and layer.is_current is True and layer.feature_count == 2
        assert {x.kind for x in list_layers(s)} == {"townships", "landuse", "military"}

        facts = desk_facts(s, patch.id)
        assert isinstance(facts, DeskFacts) and facts.farmland_m2 == pytest.approx(facts.area_m2)
        assert isinstance(facts.land_classes, dict) and set(facts.land_classes) == {"0101"}
        assert all(isinstance(o, Overlap) for o in ranked_overlaps(s, patch.id))
        suggestion = suggestion_of(s, patch.id)
        assert isinstance(suggestion, Suggestion) and isinstance(suggestion.flags, list)
        assert suggestion.judged_on == dt.date(2022, 11, 20)
        assert suggestion_of(s, 10**6) is None and patch_by_id(s, 10**6) is None
