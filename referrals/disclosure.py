"""What a viewer sees of a case's personal data: in full, masked, or erased.

Pages and the API both read personal values through here, so the masking
rules (DESIGN.md §6) and the crypto-shredding fallback live in one place.
"""

from __future__ import annotations

from referrals.models import PERSONAL_FIELDS, Case, VictimProfile
from vault.errors import DataKeyDestroyed
from vault.masking import MASK, mask_value

ERASED = "[erased]"
PLAIN_VICTIM_FIELDS = ["sex", "age_band", "nationality", "document_type", "region", "citizenship"]


def personal_value(instance, name: str, *, visible: bool):
    """The decrypted value, its mask, or ERASED once the data key is destroyed."""
    try:
        value = getattr(instance, name)
    except DataKeyDestroyed:
        return ERASED
    return value if visible else mask_value(value)


def case_text(case: Case, name: str, *, visible: bool) -> str | None:
    """Free text (summary, assessment notes): shown whole or hidden whole."""
    try:
        value = getattr(case, name)
    except DataKeyDestroyed:
        return ERASED
    if value is None or visible:
        return value
    return MASK


def victim_profile(case: Case) -> VictimProfile | None:
    try:
        return case.victim
    except VictimProfile.DoesNotExist:
        return None


def victim_view(case: Case, *, visible: bool) -> dict:
    """Every victim field, personal ones in full or masked."""
    profile = victim_profile(case)
    if profile is None:
        return dict.fromkeys([*PERSONAL_FIELDS, *PLAIN_VICTIM_FIELDS])
    data = {name: personal_value(profile, name, visible=visible) for name in PERSONAL_FIELDS}
    data.update({name: getattr(profile, name) for name in PLAIN_VICTIM_FIELDS})
    return data


def victim_row(case: Case) -> dict:
    """What a list row shows of the victim: always masked."""
    profile = victim_profile(case)
    if profile is None:
        return dict.fromkeys(["full_name", "sex", "age_band", "nationality"])
    return {
        "full_name": personal_value(profile, "full_name", visible=False),
        "sex": profile.sex,
        "age_band": profile.age_band,
        "nationality": profile.nationality,
    }
