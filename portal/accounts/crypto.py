"""Two-factor secrets at rest: TOTP secrets and recovery-code seeds, encrypted
(`portal.encryption`).

allauth stores them in `mfa_authenticator.data` and hands them to the MFA adapter's
`encrypt`/`decrypt` (portal/accounts/adapter.py), which use this module. The key is
`settings.MFA_SECRET_KEY` when set, else one derived from `SECRET_KEY` that no other kind
of secret shares; after a rotation, `manage.py mfa_secrets_reencrypt` moves every secret
to the new key before the fallback is dropped.
"""

from collections.abc import Callable
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet
from django.core.exceptions import ImproperlyConfigured

from portal.encryption import keyring


def _fernet() -> MultiFernet:
    return keyring(setting="MFA_SECRET_KEY", label=b"consent-portal mfa secrets")


def mfa_secret_encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def mfa_secret_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # Not a code the user got wrong: the key changed without a fallback, or the row
        # was never encrypted. Nobody can pass two-factor until it is fixed, so say how.
        raise ImproperlyConfigured(
            "A two-factor secret cannot be decrypted: put the SECRET_KEY (or MFA_SECRET_KEY) "
            "it was stored with in SECRET_KEY_FALLBACKS"
        ) from None


# --- every secret of one authenticator, for the data migration and re-encryption --------


def _reencrypt(fernet: MultiFernet, value: str) -> str:
    """`value` encrypted under the current key, whether it was plaintext (rows from before
    encryption) or encrypted under any key still known."""
    try:
        return fernet.rotate(value.encode()).decode()
    except InvalidToken:
        # A TOTP secret is base32 and a seed hex: never a Fernet token, so this is a
        # plaintext secret from before encryption.
        return fernet.encrypt(value.encode()).decode()


def _decrypted(fernet: MultiFernet, value: str) -> str:
    try:
        return fernet.decrypt(value.encode()).decode()
    except InvalidToken:
        return value  # already plaintext


def _secret_fields(kind: str) -> tuple[list[str], list[str]]:
    """Which of `data`'s values are secrets: single fields, and lists of them."""
    if kind == "totp":
        return ["secret"], []
    if kind == "recovery_codes":
        return ["seed"], ["migrated_codes"]
    return [], []  # WebAuthn holds a public key credential: nothing secret


def authenticator_data_encrypted(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A copy of an authenticator's `data` with every secret encrypted under the current
    key (a fresh token each time). Safe to run again."""
    return _transform(kind, data, _reencrypt)


def authenticator_data_decrypted(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A copy of `data` with every secret in plaintext, for reversing the migration."""
    return _transform(kind, data, _decrypted)


def _transform(
    kind: str, data: dict[str, Any], change: Callable[[MultiFernet, str], str]
) -> dict[str, Any]:
    fernet = _fernet()
    fields, lists = _secret_fields(kind)
    data = dict(data)
    for field in fields:
        if isinstance(data.get(field), str):
            data[field] = change(fernet, data[field])
    for field in lists:
        if isinstance(data.get(field), list):
            data[field] = [change(fernet, value) for value in data[field]]
    return data
