"""Signing secrets at rest: encrypted with Fernet, never stored in the clear.

The key is derived from `settings.WEBHOOK_SECRET_KEY` when set, else from `SECRET_KEY`;
keys in `SECRET_KEY_FALLBACKS` still decrypt, so rotating `SECRET_KEY` the Django way
keeps every stored secret readable until the fallback is dropped.
"""

import base64
import secrets

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
# Standard Webhooks: secrets of 24 to 64 random bytes; 32 is the common choice.
SECRET_BYTES = 32


def _fernet_for(key: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"consent-portal webhook signing secrets",
    ).derive(key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _fernet() -> MultiFernet:
    primary = getattr(settings, "WEBHOOK_SECRET_KEY", "") or settings.SECRET_KEY
    if not primary:
        raise RuntimeError("SECRET_KEY (or WEBHOOK_SECRET_KEY) must be set to store secrets")
    fallbacks = [key for key in getattr(settings, "SECRET_KEY_FALLBACKS", []) if key]
    return MultiFernet([_fernet_for(primary)] + [_fernet_for(key) for key in fallbacks])


def secret_generate() -> str:
    """A new signing secret in the Standard Webhooks form, `whsec_` + base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
