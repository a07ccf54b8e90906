"""Declaring encrypted fields and blind indexes on a model.

    class VictimProfile(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        full_name = EncryptedField()
        date_of_birth = EncryptedField(kind="date")
        name_dob_index = BlindIndexField(source=("full_name", "date_of_birth"), normaliser="name_dob")

        def vault_data_key(self) -> DataKey:   # the key everything is sealed under
            return self.case.data_key

Reading the attribute gives the plaintext (decrypted on first access, cached
on the instance); assigning a value seals it on save, with associated data
binding it to model, field and row. The database, `values()`, dumps and
serialisers only ever see ciphertext. Encrypted fields cannot be filtered on:
search through a BlindIndexField with `blind_index_lookup(...)`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from vault import aead
from vault.errors import VaultIntegrityError
from vault.keyring import keyring
from vault.normalise import NORMALISERS


class _Pending:
    """A plaintext assigned in Python and not yet sealed."""

    __slots__ = ("value",)

    def __init__(self, value) -> None:
        self.value = value


def _context(instance, field) -> bytes:
    if instance.pk is None:
        raise VaultIntegrityError("Encrypted fields need a primary key set before saving (use a UUID default).")
    meta = instance._meta
    return f"vaf|{meta.app_label}.{meta.model_name}|{field.name}|{instance.pk}".encode()


class EncryptedAttribute(DeferredAttribute):
    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        field = self.field
        data = instance.__dict__
        if field.attname not in data:
            instance.refresh_from_db(fields=[field.attname])
        raw = data[field.attname]
        if raw is None or isinstance(raw, _Pending):
            return None if raw is None else raw.value
        cache = data.setdefault("_vault_plaintext", {})
        hit = cache.get(field.attname)
        if hit is not None and hit[0] is raw:
            return hit[1]
        value = field.open(instance, raw)
        cache[field.attname] = (raw, value)
        return value

    def __set__(self, instance, value):
        if isinstance(value, memoryview):
            value = bytes(value)
        if value is None or isinstance(value, bytes):
            instance.__dict__[self.field.attname] = value  # ciphertext, as stored
            return
        instance.__dict__[self.field.attname] = _Pending(self.field.clean_plaintext(value))
        # The blind indexes computed from this field must be recomputed on save.
        stale = instance.__dict__.setdefault("_vault_stale_indexes", set())
        for other in instance._meta.concrete_fields:
            if isinstance(other, BlindIndexField) and self.field.name in other.source:
                stale.add(other.attname)


class EncryptedField(models.BinaryField):
    descriptor_class = EncryptedAttribute
    KINDS = ("text", "date")

    def __init__(self, *args, kind: str = "text", **kwargs) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"EncryptedField kind must be one of {self.KINDS}.")
        self.kind = kind
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.kind != "text":
            kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def clean_plaintext(self, value):
        if value == "":
            return None
        if self.kind == "date":
            if isinstance(value, dt.datetime):
                raise TypeError(f"{self.name} takes a date, not a datetime.")
            if isinstance(value, str):
                value = dt.date.fromisoformat(value)
            if not isinstance(value, dt.date):
                raise TypeError(f"{self.name} takes a date.")
            return value
        if not isinstance(value, str):
            raise TypeError(f"{self.name} takes text.")
        return value

    def _encode(self, value) -> bytes:
        return (value.isoformat() if self.kind == "date" else value).encode("utf-8")

    def _decode(self, raw: bytes):
        text = raw.decode("utf-8")
        return dt.date.fromisoformat(text) if self.kind == "date" else text

    def seal(self, instance, value) -> bytes:
        data_key = instance.vault_data_key()
        return aead.encrypt(data_key.cipher(), data_key.id, self._encode(value), _context(instance, self))

    def open(self, instance, ciphertext: bytes):
        data_key = instance.vault_data_key()
        if aead.ciphertext_key_id_bytes(ciphertext) != data_key.id.bytes:
            raise VaultIntegrityError(
                f"{instance._meta.model_name}.{self.name} was encrypted under another record's data key."
            )
        return self._decode(aead.decrypt(data_key.cipher(), ciphertext, _context(instance, self)))

    def pre_save(self, model_instance, add):
        raw = model_instance.__dict__.get(self.attname)
        if isinstance(raw, _Pending):
            plaintext = raw.value
            raw = None if plaintext is None else self.seal(model_instance, plaintext)
            model_instance.__dict__[self.attname] = raw
            if raw is not None:
                model_instance.__dict__.setdefault("_vault_plaintext", {})[self.attname] = (raw, plaintext)
        return raw

    def value_from_object(self, obj):
        # Serialisers and dumps get the ciphertext, never the plaintext.
        raw = obj.__dict__.get(self.attname)
        return None if isinstance(raw, _Pending) else raw

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None  # an encrypted value cannot be searched; use a blind index
        return super().get_lookup(lookup_name)


def _index_key(label: str) -> bytes:
    return _derived_index_key(label, keyring().blind_index_key)


@lru_cache(maxsize=64)
def _derived_index_key(label: str, blind_index_key: bytes) -> bytes:
    # Keyed by the blind-index key too, so a changed key is never served stale.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"vaf-blind-index|{label}".encode()).derive(
        blind_index_key
    )


def blind_index(label: str, normaliser: str, values) -> str | None:
    normalised = NORMALISERS[normaliser](list(values))
    if normalised is None:
        return None
    return hmac.new(_index_key(label), normalised.encode("utf-8"), hashlib.sha256).hexdigest()


class BlindIndexField(models.CharField):
    """HMAC-SHA256 of normalised source values, under a key for this field."""

    def __init__(self, *args, source=(), normaliser: str = "", **kwargs) -> None:
        self.source = (source,) if isinstance(source, str) else tuple(source)
        if normaliser and normaliser not in NORMALISERS:
            raise ValueError(f"Unknown blind index normaliser {normaliser!r}.")
        self.normaliser = normaliser
        kwargs.update(max_length=64, null=True, blank=True, editable=False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("max_length", "null", "blank", "editable"):
            kwargs.pop(key, None)
        kwargs["source"] = self.source
        kwargs["normaliser"] = self.normaliser
        return name, path, args, kwargs

    @property
    def label(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}.{self.name}"

    def compute(self, *values) -> str | None:
        return blind_index(self.label, self.normaliser, values)

    def pre_save(self, model_instance, add):
        stale = model_instance.__dict__.get("_vault_stale_indexes", set())
        if add or self.attname in stale:
            sources = [model_instance._meta.get_field(name) for name in self.source]
            value = self.compute(*(getattr(model_instance, f.attname) for f in sources))
            setattr(model_instance, self.attname, value)
            stale.discard(self.attname)
            return value
        return getattr(model_instance, self.attname)


def blind_index_lookup(model, field_name: str, *values) -> str | None:
    """The index value to filter on: `Model.objects.filter(**{field: value})`."""
    return model._meta.get_field(field_name).compute(*values)
