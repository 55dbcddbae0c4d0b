"""Signing secrets at rest: encrypted (`portal.encryption`, under `WEBHOOK_SECRET_KEY`
when set), never stored in the clear."""

import base64
import secrets

from cryptography.fernet import MultiFernet

from portal.encryption import keyring

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
# Standard Webhooks: secrets of 24 to 64 random bytes; 32 is the common choice.
SECRET_BYTES = 32


def _fernet() -> MultiFernet:
    return keyring(setting="WEBHOOK_SECRET_KEY", label=b"consent-portal webhook signing secrets")


def secret_generate() -> str:
    """A new signing secret in the Standard Webhooks form, `whsec_` + base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
