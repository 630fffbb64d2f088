"""A person's claimed approvals checked against the approval layers (for the reviewer).

A township that files 合法 names document numbers. Each is looked up among the approval records
the desk comparison found on the patch: a number that matches no record, or whose records cover
less of the patch than 合法 needs, is flagged to the reviewer. It is not a refusal: the layers
may lag behind the documents, and a person decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from weipian.rules.model import Reason
from weipian.rules.ruleset import RuleSet, label_key
from weipian.rules.trace import pct
from weipian.rules.validate import ApprovalClaim

__all__ = ["ApprovalRecord", "check_claims", "doc_key"]

_BRACKETS = str.maketrans(
    {"〔": "[", "〕": "]", "［": "[", "］": "]", "【": "[", "】": "]", "(": "[", ")": "]"}
)


def doc_key(doc_no: str) -> str:
    """A document number in the form numbers are compared in: width, blanks, brackets and 第 ignored.

    >>> doc_key(" 闽政地〔2021〕88号 ") == doc_key("闽政地[2021]第88号")
    True
    """
    text = label_key(doc_no).translate(_BRACKETS)
    return re.sub(r"第(?=\d)", "", text).upper()


@dataclass(frozen=True)
class ApprovalRecord:
    """One approval record found on the patch: layer kind, document number, share of the patch."""

    kind: str
    doc_no: str | None
    ratio: float


def check_claims(
    claims: Iterable[ApprovalClaim], records: Iterable[ApprovalRecord], rules: RuleSet, on: date
) -> tuple[Reason, ...]:
    """Reasons to flag the claimed approvals to the reviewer; empty when every claim checks out.

    >>> from weipian.rules import load_rules
    >>> rec = [ApprovalRecord("conversion_approval", "闽政地〔2021〕88号", 0.95)]
    >>> ok = ApprovalClaim("用地审批", "闽政地[2021]88号", 95.0)
    >>> check_claims([ok], rec, load_rules(), date(2024, 6, 1))
    ()
    >>> bad = ApprovalClaim("用地审批", "随便写的文号", 100.0)
    >>> [r.code for r in check_claims([bad], rec, load_rules(), date(2024, 6, 1))]
    ['claim.no_record']
    """
    routes = rules.tables(on).legal_routes
    need = rules.threshold("approval_coverage_min", on).value
    records = list(records)
    out: list[Reason] = []
    for claim in claims:
        route = rules.normalise("legal_route", claim.route, on) or claim.route
        kinds = {k for k, r in routes.items() if r.route == route}
        params = {"route": route, "doc_no": claim.doc_no}
        if not kinds or kinds <= {"property_registration"}:
            out.append(Reason("claim.unverifiable", params))
            continue
        key = doc_key(claim.doc_no or "")
        found = [r for r in records if r.doc_no and doc_key(r.doc_no) == key and key]
        if not found:
            out.append(Reason("claim.no_record", params))
            continue
        covered = min(1.0, sum(r.ratio for r in found))
        if covered < need:
            out.append(
                Reason(
                    "claim.low_coverage",
                    {
                        **params,
                        "recorded_pct": pct(covered),
                        "claimed_pct": claim.ratio_pct,
                        "threshold_pct": pct(need),
                    },
                )
            )
    return tuple(out)
