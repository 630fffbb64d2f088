"""Rules as dated data: the rule dictionary, the judging engine (预判) and determination checks.

Pure: values in, values out; the only file read is the rule YAML (packaged, or a bureau's
copy passed to :func:`load_rules`). Labels and thresholds live in ``data/*.yaml`` under the
date each takes effect; code never tests a year. See docs/rules.md.

>>> from datetime import date
>>> rules = load_rules()
>>> facts = PatchFacts.simple("T1", 1200.0, "CK", mining_status="inside", mining_valid=True)
>>> j = judge(facts, rules, on=date(2024, 6, 1))
>>> j.mineral_verdict, j.rules_version == rules.version
('持证开采', True)
"""

from weipian.messages.rules import RULE_MESSAGES
from weipian.rules.cases import Case, check_case, facts_from_mapping, load_cases
from weipian.rules.claims import ApprovalRecord, check_claims, doc_key
from weipian.rules.engine import judge
from weipian.rules.load import load_rules
from weipian.rules.model import ApprovalFact, Judgement, PatchFacts, PriorFact, Reason
from weipian.rules.ruleset import RuleSet, Threshold
from weipian.rules.tables import FLAGS, ReviewReason, Tables
from weipian.rules.validate import ApprovalClaim, Determination, validate_determination

__all__ = [
    "FLAGS",
    "RULE_MESSAGES",
    "ApprovalClaim",
    "ApprovalFact",
    "ApprovalRecord",
    "Case",
    "Determination",
    "Judgement",
    "PatchFacts",
    "PriorFact",
    "Reason",
    "ReviewReason",
    "RuleSet",
    "Tables",
    "Threshold",
    "check_case",
    "check_claims",
    "doc_key",
    "facts_from_mapping",
    "judge",
    "load_cases",
    "load_rules",
    "validate_determination",
]
