"""Fund services. (The fund itself is built in its own change; these two
functions are what the case workflow needs from it.)"""

from __future__ import annotations


def case_has_open_disbursements(*, case) -> bool:
    """True while the case has a disbursement draft, submitted, approved or failed."""
    return False


def case_disbursements_cancel_open(*, case, actor, reason: str) -> int:
    """Cancel the case's open disbursements, releasing committed money. Runs in
    the caller's transaction. Returns how many were cancelled."""
    return 0
