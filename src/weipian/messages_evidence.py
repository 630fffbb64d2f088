"""Chinese sentences for imagery (``imagery.*``), field evidence (``evidence.*``) and referrals
(``referral.*``). :func:`weipian.messages.message` looks here last.

Each owner adds its codes under its own heading, in its own block.
"""

from __future__ import annotations

EVIDENCE_MESSAGES: dict[str, str] = {
    # imagery (services/imagery.py, weipian imagery)
    # field evidence (services/evidence.py, the patch page)
    # referrals (services/referrals.py, weipian referrals, the department pages)
}
