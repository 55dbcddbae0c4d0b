"""Secrets at rest: each kind under its own key, and every older key still decrypts, so
setting or rotating a dedicated key locks nobody out and never widens what Django trusts."""

import pytest
from cryptography.fernet import InvalidToken

from portal.encryption import keyring

MFA = {"setting": "MFA_SECRET_KEY", "label": b"consent-portal mfa secrets"}
WEBHOOKS = {"setting": "WEBHOOK_SECRET_KEY", "label": b"consent-portal webhook signing secrets"}


@pytest.fixture
def keys(settings):
    settings.SECRET_KEY = "the-secret-key-" + "s" * 40
    settings.SECRET_KEY_FALLBACKS = []
    settings.MFA_SECRET_KEY = ""
    settings.MFA_SECRET_KEY_FALLBACKS = []
    return settings


def test_kinds_of_secret_do_not_share_a_key(keys) -> None:
    token = keyring(**MFA).encrypt(b"totp secret")
    with pytest.raises(InvalidToken):
        keyring(**WEBHOOKS).decrypt(token)


def test_setting_a_dedicated_key_keeps_what_secret_key_stored_readable(keys) -> None:
    stored = keyring(**MFA).encrypt(b"totp secret")
    keys.MFA_SECRET_KEY = "a-dedicated-key-" + "m" * 40
    assert keyring(**MFA).decrypt(stored) == b"totp secret"
    # and new secrets go under the dedicated key
    fresh = keyring(**MFA).encrypt(b"new")
    keys.MFA_SECRET_KEY = ""
    with pytest.raises(InvalidToken):
        keyring(**MFA).decrypt(fresh)


def test_a_dedicated_key_rotates_through_its_own_fallbacks(keys) -> None:
    keys.MFA_SECRET_KEY = "old-dedicated-" + "o" * 40
    stored = keyring(**MFA).encrypt(b"totp secret")
    keys.MFA_SECRET_KEY = "new-dedicated-" + "n" * 40
    with pytest.raises(InvalidToken):
        keyring(**MFA).decrypt(stored)
    keys.MFA_SECRET_KEY_FALLBACKS = ["old-dedicated-" + "o" * 40]
    assert keyring(**MFA).decrypt(stored) == b"totp secret"
    assert keys.SECRET_KEY_FALLBACKS == []  # Django was not asked to trust the old key


def test_fallbacks_alone_never_encrypt(keys) -> None:
    keys.MFA_SECRET_KEY_FALLBACKS = ["old-dedicated-" + "o" * 40]
    token = keyring(**MFA).encrypt(b"x")
    keys.MFA_SECRET_KEY_FALLBACKS = []
    assert keyring(**MFA).decrypt(token) == b"x"  # it was SECRET_KEY's
