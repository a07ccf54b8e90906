"""Encrypted fields and blind indexes, through the referral intake service."""

import datetime as dt

import pytest
from django.db import connection

from referrals.models import Case, VictimProfile
from referrals.services import ReferralInput, referral_create
from tests.factories import make_user
from vault.errors import DataKeyDestroyed, VaultIntegrityError
from vault.fields import blind_index_lookup

FAKE_NAME = "Testname Fakeperson"
ARABIC_NAME = "اسم تجريبي وهمي"


def _refer(actor, **victim):
    fields = {
        "full_name": FAKE_NAME,
        "date_of_birth": dt.date(1990, 1, 2),
        "document_number": "ZZ0000001",
        "phone": "+966 500 000 001",
        **victim,
    }
    return referral_create(
        actor=actor,
        referral=ReferralInput(
            referring_agency="Test Agency", exploitation_types=["forced_labour"], summary="fake summary", victim=fields
        ),
    )


@pytest.fixture
def caseworker(db):
    return make_user("caseworker")


def _raw(table: str, column: str, pk) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk.hex if connection.vendor == "sqlite" else pk])
        value = cursor.fetchone()[0]
    return bytes(value) if value is not None else None


def test_round_trip_and_only_ciphertext_is_stored(caseworker):
    case = _refer(caseworker, full_name=ARABIC_NAME)
    profile = VictimProfile.objects.get(case=case)
    assert profile.full_name == ARABIC_NAME
    assert profile.date_of_birth == dt.date(1990, 1, 2)
    raw = _raw("referrals_victimprofile", "full_name", profile.pk)
    assert ARABIC_NAME.encode() not in raw
    assert raw[0] == 1 and raw[1:17] == case.data_key_id.bytes  # version and key id travel with it


def test_values_and_serialisation_expose_ciphertext_only(caseworker):
    from django.core import serializers

    case = _refer(caseworker)
    dumped = serializers.serialize("json", VictimProfile.objects.filter(case=case))
    assert FAKE_NAME not in dumped and "ZZ0000001" not in dumped
    value = VictimProfile.objects.filter(case=case).values_list("full_name", flat=True).get()
    assert FAKE_NAME.encode() not in bytes(value)


def test_ciphertext_moved_to_another_row_refuses_to_decrypt(caseworker):
    first, second = _refer(caseworker), _refer(caseworker, full_name="Othername Fakeperson")
    moved = VictimProfile.objects.get(case=first)
    target = VictimProfile.objects.get(case=second)
    target.full_name = bytes(moved.__dict__["full_name"])  # stored bytes of another row
    target.save()
    reloaded = VictimProfile.objects.select_related("case__data_key").get(pk=target.pk)
    with pytest.raises(VaultIntegrityError):
        _ = reloaded.full_name


def test_ciphertext_moved_to_another_column_of_the_same_row_refuses(caseworker):
    case = _refer(caseworker)
    profile = VictimProfile.objects.get(case=case)
    profile.phone = bytes(profile.__dict__["full_name"])
    profile.save()
    with pytest.raises(VaultIntegrityError, match="does not authenticate"):
        _ = VictimProfile.objects.get(pk=profile.pk).phone


def test_tampered_ciphertext_is_an_error_not_the_stored_bytes(caseworker):
    case = _refer(caseworker)
    profile = VictimProfile.objects.get(case=case)
    raw = bytearray(profile.__dict__["full_name"])
    raw[-1] ^= 0x01
    profile.full_name = bytes(raw)
    profile.save()
    with pytest.raises(VaultIntegrityError):
        _ = VictimProfile.objects.get(pk=profile.pk).full_name


def test_encrypted_fields_cannot_be_filtered_on(caseworker):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(VictimProfile.objects.filter(full_name=FAKE_NAME))


def test_blind_index_matches_normalised_variants(caseworker):
    case = _refer(caseworker, document_number="zz-000 0001", phone="00966500000001")
    for value in ("ZZ0000001", "zz 000 0001"):
        index = blind_index_lookup(VictimProfile, "document_number_index", value)
        assert VictimProfile.objects.filter(document_number_index=index).get().case_id == case.pk
    phone_index = blind_index_lookup(VictimProfile, "phone_index", "+966 500 000 001")
    assert VictimProfile.objects.filter(phone_index=phone_index).exists()
    name_index = blind_index_lookup(VictimProfile, "name_dob_index", "testname  FAKEPERSON", dt.date(1990, 1, 2))
    assert VictimProfile.objects.filter(name_dob_index=name_index).exists()


def test_blind_index_is_keyed_per_field_and_never_on_name_alone(caseworker):
    case = _refer(caseworker, date_of_birth=None)
    profile = VictimProfile.objects.get(case=case)
    assert profile.name_dob_index is None  # a name alone is too low-entropy to index
    doc = blind_index_lookup(VictimProfile, "document_number_index", "5000000001")
    phone = blind_index_lookup(VictimProfile, "phone_index", "5000000001")
    assert doc != phone


def test_blind_index_follows_an_edit(caseworker):
    case = _refer(caseworker)
    profile = VictimProfile.objects.get(case=case)
    profile.document_number = "YY9999999"
    profile.save()
    new_index = blind_index_lookup(VictimProfile, "document_number_index", "YY9999999")
    assert VictimProfile.objects.get(pk=profile.pk).document_number_index == new_index


def test_destroyed_data_key_makes_data_unreadable(caseworker):
    from vault.services import data_key_destroy

    case = _refer(caseworker)
    data_key_destroy(data_key=case.data_key)
    fresh = Case.objects.select_related("data_key").get(pk=case.pk)
    with pytest.raises(DataKeyDestroyed):
        _ = fresh.summary
    profile = VictimProfile.objects.select_related("case__data_key").get(case=case)
    with pytest.raises(DataKeyDestroyed):
        _ = profile.full_name
