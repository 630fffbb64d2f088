"""Claimed approval numbers checked against the layer records (a flag for the reviewer)."""

from __future__ import annotations

from datetime import date

from weipian.rules import ApprovalClaim, ApprovalRecord, check_claims, doc_key, load_rules

RULES, ON = load_rules(), date(2024, 6, 30)
RECORDS = [
    ApprovalRecord("conversion_approval", "闽政地〔2021〕88号", 0.5),
    ApprovalRecord("conversion_approval", "闽政地〔2021〕88号", 0.3),  # two parcels of one approval
    ApprovalRecord("land_supply", "3505832023B0042", 0.4),
]


def codes(*claims: ApprovalClaim) -> list[str]:
    return [r.code for r in check_claims(claims, RECORDS, RULES, ON)]


def test_a_matching_number_passes_whatever_its_spelling() -> None:
    assert codes(ApprovalClaim("农转用", " 闽政地[2021]第88号", 80.0)) == []
    assert doc_key("闽政地（2021）88号") != doc_key("闽政地〔2021〕89号")


def test_unknown_low_and_unverifiable_claims_are_flagged() -> None:
    assert codes(ApprovalClaim("用地审批", "随便写的文号", 100.0)) == ["claim.no_record"]
    assert codes(ApprovalClaim("土地供应", "3505832023B0042", 100.0)) == ["claim.low_coverage"]
    assert codes(ApprovalClaim("不动产登记", "闽(2023)南安市不动产权第1号", 100.0)) == ["claim.unverifiable"]
    assert codes(ApprovalClaim("用地审批", "", 100.0)) == ["claim.no_record"]
