"""Checkpoints as C2SP signed notes (c2sp.org/signed-note, c2sp.org/tlog-checkpoint).

Pure functions over `cryptography` and the standard library, shared by the
server and the offline verifier. A checkpoint's text is

    <origin>\n<tree size>\n<base64 root>\n

followed by a blank line and one `— <key name> <base64(key id || signature)>`
line per signer. The key id is the first 4 bytes of
SHA-256(key name || 0x0A || 0x01 || public key); a verifier key is written
`<name>+<key id hex>+<base64(0x01 || public key)>` and a signer key
`PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || private key)>`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = b"\x01"
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space


class NoteError(ValueError):
    """A key or a note that is malformed or does not verify."""


def key_id(name: str, public_bytes: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_bytes).digest()[:4]


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"a key name must be non-empty, without spaces or '+': {name!r}")


def public_raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    @property
    def vkey(self) -> str:
        raw = public_raw(self.public_key)
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(ED25519 + raw).decode()}"

    def verify(self, text: bytes, signature: bytes) -> bool:
        try:
            self.public_key.verify(signature, text)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    name: str
    private_key: Ed25519PrivateKey

    @property
    def verifier(self) -> Verifier:
        public = self.private_key.public_key()
        return Verifier(self.name, key_id(self.name, public_raw(public)), public)

    @property
    def skey(self) -> str:
        raw = self.private_key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{base64.b64encode(ED25519 + raw).decode()}"

    def signature_line(self, text: str) -> str:
        signature = self.private_key.sign(text.encode())
        return f"{SIGNATURE_PREFIX}{self.name} {base64.b64encode(self.verifier.key_id + signature).decode()}\n"


def signer_from_raw(name: str, raw: bytes) -> Signer:
    _check_name(name)
    if len(raw) != 32:
        raise NoteError("an Ed25519 private key is 32 bytes")
    return Signer(name, Ed25519PrivateKey.from_private_bytes(raw))


def signer_generate(name: str) -> Signer:
    _check_name(name)
    return Signer(name, Ed25519PrivateKey.generate())


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError("not valid base64") from None


def parse_signer(skey: str) -> Signer:
    parts = skey.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("a signer key looks like PRIVATE+KEY+<name>+<key id>+<base64 key>")
    data = _b64(parts[4])
    if data[:1] != ED25519:
        raise NoteError("only Ed25519 signer keys are supported")
    signer = signer_from_raw(parts[2], data[1:])
    if signer.verifier.key_id.hex() != parts[3].lower():
        raise NoteError("the signer key's id does not match its name and key")
    return signer


def parse_verifier(vkey: str) -> Verifier:
    parts = vkey.strip().split("+", 2)  # base64 may itself hold a "+"
    if len(parts) != 3:
        raise NoteError("a verifier key looks like <name>+<key id hex>+<base64(0x01 || public key)>")
    name, id_hex, encoded = parts
    _check_name(name)
    data = _b64(encoded)
    if data[:1] != ED25519 or len(data) != 33:
        raise NoteError("only Ed25519 verifier keys are supported")
    try:
        public = Ed25519PublicKey.from_public_bytes(data[1:])
    except ValueError:
        raise NoteError("not an Ed25519 public key") from None
    if key_id(name, data[1:]).hex() != id_hex.lower():
        raise NoteError("the verifier key's id does not match its name and key")
    return Verifier(name, bytes.fromhex(id_hex), public)


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    @property
    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


@dataclass
class SignedNote:
    text: str
    signatures: list[tuple[str, bytes, bytes]] = field(default_factory=list)  # (name, key id, signature)

    def signed_by(self, verifier: Verifier) -> bool:
        return any(
            name == verifier.name and kid == verifier.key_id and verifier.verify(self.text.encode(), sig)
            for name, kid, sig in self.signatures
        )

    def checkpoint(self) -> Checkpoint:
        lines = self.text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("a checkpoint has an origin, a tree size and a root hash, each on its own line")
        origin, size_text, root_text = lines[0], lines[1], lines[2]
        if (
            not origin
            or not size_text.isascii()
            or not size_text.isdigit()
            or (size_text != "0" and size_text[0] == "0")
        ):
            raise NoteError("the checkpoint's origin or tree size is malformed")
        root = _b64(root_text)
        if len(root) != 32:
            raise NoteError("the checkpoint's root hash is not 32 bytes")
        return Checkpoint(origin, int(size_text), root)


def sign_note(text: str, signers: list[Signer]) -> str:
    return text + "\n" + "".join(s.signature_line(text) for s in signers)


def parse_note(note: str) -> SignedNote:
    """Split a note into its text and signatures (signatures are not checked here)."""
    if "\r" in note or not note.endswith("\n"):
        raise NoteError("a signed note ends with a newline and has no carriage returns")
    text, sep, block = note.rpartition("\n\n")
    if not sep:
        raise NoteError("a signed note has a blank line between its text and its signatures")
    text += "\n"
    signatures = []
    for line in block[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("a signature line starts with an em dash")
        name, _sp, encoded = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
        data = _b64(encoded)
        if not name or len(data) < 5:
            raise NoteError("a signature line names its key and carries a key id and a signature")
        signatures.append((name, data[:4], data[4:]))
    if not signatures:
        raise NoteError("the note carries no signature")
    return SignedNote(text, signatures)


def add_signature(note: str, signer: Signer) -> str:
    """The note with one more signature line (a witness's cosignature)."""
    parsed = parse_note(note)
    return note + signer.signature_line(parsed.text)
