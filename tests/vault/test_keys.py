"""Key ring parsing, wrong and missing keys, rotation of master keys."""

import base64
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from referrals.models import Case, VictimProfile
from referrals.services import ReferralInput, referral_create
from tests.factories import make_user
from vault.errors import VaultIntegrityError, VaultKeyError
from vault.keyring import keyring, parse_keyring
from vault.models import DataKey


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.mark.parametrize(
    ("master", "blind", "message"),
    [
        ("", _key(), "VAF_MASTER_KEYS is not set"),
        ("k1:" + _key(), "", "VAF_BLIND_INDEX_KEY is not set"),
        ("no-colon-here", _key(), "key_id:base64key"),
        ("k1:not*base64", _key(), "not valid base64"),
        ("k1:" + base64.b64encode(b"short").decode(), _key(), "32 are required"),
        ("k1:" + _key() + ",k1:" + _key(), _key(), "twice"),
        ("k1:" + _key(), "@@@", "VAF_BLIND_INDEX_KEY holds a key that is not valid base64"),
    ],
)
def test_malformed_keys_are_named(master, blind, message):
    with pytest.raises(VaultKeyError, match=message):
        parse_keyring(master, blind)


def test_first_master_key_is_active():
    ring = parse_keyring(f"new:{_key()},old:{_key()}", _key())
    assert ring.active_master_key_id == "new"
    assert set(ring.master_keys) == {"new", "old"}


def _refer(actor):
    return referral_create(
        actor=actor,
        referral=ReferralInput(
            referring_agency="Test Agency",
            exploitation_types=["other"],
            victim={"full_name": "Keytest Fakeperson", "document_number": "KT0000001"},
        ),
    )


@pytest.fixture
def case(db):
    return _refer(make_user("caseworker"))


def test_missing_master_key_is_a_clear_error(case, settings):
    settings.VAF_MASTER_KEYS = f"other:{_key()}"
    profile = VictimProfile.objects.select_related("case__data_key").get(case=case)
    with pytest.raises(VaultKeyError, match="is not in VAF_MASTER_KEYS"):
        _ = profile.full_name


def test_wrong_master_key_under_same_id_is_refused(case, settings):
    key_id = case.data_key.master_key_id
    settings.VAF_MASTER_KEYS = f"{key_id}:{_key()}"
    profile = VictimProfile.objects.select_related("case__data_key").get(case=case)
    with pytest.raises(VaultIntegrityError, match="wrong master key"):
        _ = profile.full_name


def test_rotation_rewraps_data_keys_and_is_audited(case, settings):
    old = settings.VAF_MASTER_KEYS
    settings.VAF_MASTER_KEYS = f"rotated:{_key()},{old}"
    second = _refer(make_user("caseworker"))  # already under the new key
    assert second.data_key.master_key_id == "rotated"

    call_command("rotate_keys", "--batch-size", "1")

    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"rotated"}
    rotated = AuditEvent.objects.filter(action="vault.keys_rotated")
    assert rotated.count() == 1
    assert rotated.get().payload["to_master_key"] == "rotated"
    # The old key can now be dropped: data still decrypts with the new one alone.
    settings.VAF_MASTER_KEYS = settings.VAF_MASTER_KEYS.split(",")[0]
    fresh = VictimProfile.objects.select_related("case__data_key").get(case=case)
    assert fresh.full_name == "Keytest Fakeperson"
    assert Case.objects.get(pk=case.pk).reference == case.reference


def test_rotation_is_resumable(case, settings, db):
    old = settings.VAF_MASTER_KEYS
    others = [_refer(make_user("caseworker")) for _ in range(2)]
    settings.VAF_MASTER_KEYS = f"rotated:{_key()},{old}"
    from vault.services import data_keys_rotate

    assert data_keys_rotate(batch_size=2) == 3  # three keys, two batches
    assert data_keys_rotate(batch_size=2) == 0  # nothing left: a rerun is a no-op
    assert AuditEvent.objects.filter(action="vault.keys_rotated").count() == 2
    assert len(others) == 2


def test_rotate_keys_reports_a_missing_old_key(case, settings):
    settings.VAF_MASTER_KEYS = f"rotated:{_key()}"
    with pytest.raises(CommandError, match="is not in VAF_MASTER_KEYS"):
        call_command("rotate_keys")


def test_keyring_reads_settings_each_time(settings):
    settings.VAF_MASTER_KEYS = f"a:{_key()}"
    assert keyring().active_master_key_id == "a"
    settings.VAF_MASTER_KEYS = f"b:{_key()}"
    assert keyring().active_master_key_id == "b"


def test_generate_keys_writes_a_dev_file_once(tmp_path, capsys):
    target = tmp_path / "dev.env"
    call_command("generate_keys", "--dev-file", str(target))
    first = target.read_text()
    assert "VAF_MASTER_KEYS=" in first and "VAF_BLIND_INDEX_KEY=" in first
    call_command("generate_keys", "--dev-file", str(target))
    assert target.read_text() == first
    assert "using the existing" in capsys.readouterr().out
    values = dict(line.split("=", 1) for line in first.splitlines() if "=" in line and not line.startswith("#"))
    parse_keyring(values["VAF_MASTER_KEYS"], values["VAF_BLIND_INDEX_KEY"])  # valid material


def test_a_data_keys_cipher_is_made_once_follows_its_key_and_goes_when_it_is_destroyed(db):
    from vault import aead
    from vault.errors import DataKeyDestroyed
    from vault.services import data_key_create, data_key_destroy

    data_key = data_key_create()
    cipher = data_key.cipher()
    assert data_key.cipher() is cipher
    sealed = aead.encrypt(cipher, data_key.id, b"Fake Person", b"context")
    assert aead.decrypt(data_key.plaintext_key(), sealed, b"context") == b"Fake Person"  # same bytes as the raw key
    data_key.__dict__["_plaintext_key"] = os.urandom(32)  # another key: another cipher
    assert data_key.cipher() is not cipher
    with pytest.raises(VaultIntegrityError):
        aead.decrypt(data_key.cipher(), sealed, b"context")
    data_key_destroy(data_key=data_key)
    assert "_cipher" not in data_key.__dict__
    with pytest.raises(DataKeyDestroyed):
        data_key.cipher()
