"""The portal's receipt signing keys: loaded from settings, published as a JWK Set.

`settings.RECEIPT_SIGNING_KEYS` lists keys newest first. The first signs every new
receipt; all of them are published, so receipts signed before a rotation keep
verifying for as long as their key stays in the list. Each item is a private JWK (a
dict, or its JSON text) or a PEM private key; an item may also be a public key only (a
retired key whose private half has been destroyed), which is published but never signs.

Only Ed25519 (OKP) and P-256 (EC) keys are accepted: a symmetric or RSA key would
either leak its secret into the published set or make receipts that few JOSE libraries
agree on.

Without the setting, a development key is derived from SECRET_KEY with HKDF, so `make
run` and the tests work with no configuration. Anyone who knows SECRET_KEY can forge
receipts signed with that key: production must set real keys (docs/receipts.md).
"""

import base64
import functools
import json
from dataclasses import dataclass
from typing import Any, cast

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from joserfc.jwk import ECKey, KeySet, KeySetSerialization, OKPKey

# RFC 8037's name for Ed25519 signatures. RFC 9864 (2025) prefers the fully specified
# "Ed25519", but most JOSE libraries in use today only know "EdDSA"; the bytes signed
# are the same. A JWK may ask for "Ed25519" with its own "alg" member.
ED25519_ALGORITHMS = ("EdDSA", "Ed25519")
ALGORITHMS = (*ED25519_ALGORITHMS, "ES256")

# The public members of each key type: everything else (above all "d") stays private.
PUBLIC_MEMBERS = {"OKP": ("kty", "crv", "x"), "EC": ("kty", "crv", "x", "y")}

DEVELOPMENT_SALT = b"consent-portal/receipts"
DEVELOPMENT_INFO = b"receipt-signing-key/v1"

SigningKeyValue = OKPKey | ECKey


@dataclass(frozen=True)
class ReceiptKey:
    """One configured key: the joserfc key, its id and the algorithm it signs with."""

    key: SigningKeyValue
    kid: str
    alg: str

    @property
    def can_sign(self) -> bool:
        return self.key.is_private

    def public_jwk(self) -> dict[str, str]:
        """The key as published: public members only, with kid, alg and use."""
        jwk = self.key.as_dict(private=False)
        public = {name: str(jwk[name]) for name in PUBLIC_MEMBERS[str(jwk["kty"])]}
        return {**public, "kid": self.kid, "alg": self.alg, "use": "sig"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def development_jwk(secret_key: str) -> dict[str, str]:
    """A deterministic Ed25519 private JWK derived from SECRET_KEY: the same secret
    gives the same key, so development receipts survive a restart."""
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=DEVELOPMENT_SALT, info=DEVELOPMENT_INFO
    ).derive(secret_key.encode())
    private = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return {"kty": "OKP", "crv": "Ed25519", "d": _b64(seed), "x": _b64(public)}


def _import_pem(text: str) -> SigningKeyValue:
    data = text.encode()
    native: Any
    try:
        native = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        try:
            native = serialization.load_pem_public_key(data)
        except ValueError as exc:
            raise ImproperlyConfigured("RECEIPT_SIGNING_KEYS: a PEM item is not a key.") from exc
    if isinstance(native, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return OKPKey.import_key(data)
    if isinstance(native, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return ECKey.import_key(data)
    raise ImproperlyConfigured("RECEIPT_SIGNING_KEYS: only Ed25519 and P-256 keys can sign.")


def _import(item: object) -> tuple[SigningKeyValue, dict[str, Any]]:
    """A joserfc key and the JWK members it was configured with (kid, alg)."""
    if isinstance(item, str) and item.lstrip().startswith("-----BEGIN"):
        return _import_pem(item), {}
    if isinstance(item, str):
        try:
            item = json.loads(item)
        except ValueError as exc:
            raise ImproperlyConfigured(
                "RECEIPT_SIGNING_KEYS: an item is neither a JWK nor a PEM key."
            ) from exc
    if not isinstance(item, dict):
        raise ImproperlyConfigured("RECEIPT_SIGNING_KEYS: an item is neither a JWK nor a PEM key.")
    members = {name: item[name] for name in ("kid", "alg") if name in item}
    jwk = {name: value for name, value in item.items() if name not in ("kid", "alg", "use")}
    try:
        if jwk.get("kty") == "OKP":
            return OKPKey.import_key(jwk), members
        if jwk.get("kty") == "EC":
            return ECKey.import_key(jwk), members
    except ValueError as exc:
        raise ImproperlyConfigured(f"RECEIPT_SIGNING_KEYS: a JWK is invalid: {exc}") from exc
    raise ImproperlyConfigured("RECEIPT_SIGNING_KEYS: only OKP and EC keys can sign receipts.")


def _receipt_key(item: object) -> ReceiptKey:
    key, members = _import(item)
    if isinstance(key, OKPKey):
        if key.curve_name != "Ed25519":
            raise ImproperlyConfigured("RECEIPT_SIGNING_KEYS: an OKP key must be Ed25519.")
        alg = members.get("alg", "EdDSA")
        if alg not in ED25519_ALGORITHMS:
            raise ImproperlyConfigured(f"RECEIPT_SIGNING_KEYS: {alg} is not for Ed25519 keys.")
    else:
        if key.curve_name != "P-256":
            raise ImproperlyConfigured("RECEIPT_SIGNING_KEYS: an EC key must be on P-256.")
        alg = members.get("alg", "ES256")
        if alg != "ES256":
            raise ImproperlyConfigured(f"RECEIPT_SIGNING_KEYS: {alg} is not for P-256 keys.")
    # The RFC 7638 thumbprint: stable for the key's lifetime and the same whoever computes it.
    return ReceiptKey(key=key, kid=str(members.get("kid") or key.thumbprint()), alg=alg)


@functools.lru_cache(maxsize=8)
def _load(configured: str, secret_key: str) -> tuple[ReceiptKey, ...]:
    items = json.loads(configured) or [development_jwk(secret_key)]
    keys = tuple(_receipt_key(item) for item in items)
    if not keys[0].can_sign:
        raise ImproperlyConfigured("RECEIPT_SIGNING_KEYS: the first key must be a private key.")
    if len({key.kid for key in keys}) != len(keys):
        raise ImproperlyConfigured("RECEIPT_SIGNING_KEYS: two keys share a kid.")
    return keys


def receipt_keys() -> tuple[ReceiptKey, ...]:
    """Every configured key, the signing key first."""
    configured: Any = settings.RECEIPT_SIGNING_KEYS or []
    try:
        if isinstance(configured, str):  # the environment variable's JSON, passed as is
            configured = json.loads(configured)
        if isinstance(configured, dict):  # a single key, or a whole JWK Set
            configured = configured.get("keys", [configured])
        if not isinstance(configured, list | tuple):
            raise TypeError("not a list")
        # Keyed on the configuration itself, so a changed setting (a rotation, or
        # override_settings in tests) is never served stale keys.
        text = json.dumps(list(configured), sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(
            "RECEIPT_SIGNING_KEYS must be a list of JWKs and PEM keys, or its JSON."
        ) from exc
    return _load(text, settings.SECRET_KEY)


def signing_key() -> ReceiptKey:
    return receipt_keys()[0]


def public_key_set() -> KeySet:
    """The published keys as a joserfc KeySet, for verifying."""
    return KeySet.import_key_set(cast(KeySetSerialization, jwks()))


def jwks() -> dict[str, list[dict[str, str]]]:
    """The JWK Set published at /.well-known/jwks.json: public halves only."""
    return {"keys": [key.public_jwk() for key in receipt_keys()]}
