"""Sealing and opening a name through the vault against Fernet on the same values."""

from __future__ import annotations

import os

from operations.benchmarks.measure import cost_row


def bench_vault(*, count: int = 2000, repeat: int = 5):
    import uuid

    from cryptography.fernet import Fernet

    from referrals.models import VictimProfile
    from vault.models import DataKey

    names = [f"Bench Person {i}" for i in range(count)]
    fernet = Fernet(Fernet.generate_key())
    key = DataKey(master_key_id="bench")  # never saved: only its plaintext is used
    key.__dict__["_plaintext_key"] = os.urandom(32)

    class _Case:
        data_key = key

    profile = VictimProfile(id=uuid.uuid4())
    profile.__dict__["_state"].fields_cache["case"] = _Case()  # vault_data_key() reads case.data_key
    field = VictimProfile._meta.get_field("full_name")

    def vault():
        for name in names:
            field.open(profile, field.seal(profile, name))

    def fernet_round_trip():
        for name in names:
            fernet.decrypt(fernet.encrypt(name.encode()))

    return [
        cost_row(
            f"vault seal+open of a name (x{count})",
            baseline_label="Fernet encrypt+decrypt",
            baseline_fn=fernet_round_trip,
            fn=vault,
            target="<= 0.5",
            repeat=repeat,
        )
    ]
