"""Two-factor secrets at rest: what the database holds is useless without the key, which
lives outside it; signing in with a code or a recovery code works as before; rows stored
before encryption are encrypted by a migration; rotating SECRET_KEY keeps them usable."""

import re
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from portal.accounts.crypto import mfa_secret_decrypt
from portal.accounts.models import User
from tests import factories as f
from tests.mfa import recovery_codes_of, totp_code, totp_enable

PASSWORD = "correct horse battery"


def raw_data(user: User) -> dict[str, str]:
    """Each authenticator's `data` column as the database holds it, by type."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, CAST(data AS TEXT) FROM mfa_authenticator WHERE user_id = %s",
            [user.pk],
        )
        return dict(cursor.fetchall())


def signs_in_with(user: User, code: str) -> bool:
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_the_database_holds_neither_the_totp_secret_nor_the_recovery_seed(db: None) -> None:
    user = f.UserFactory()
    secret = totp_enable(user)
    codes = recovery_codes_of(user)

    stored = raw_data(user)

    assert secret not in stored["totp"]
    seed = mfa_secret_decrypt(
        Authenticator.objects.get(user=user, type="recovery_codes").data["seed"]
    )
    assert seed not in stored["recovery_codes"]
    # Nothing that looks like a secret at all: no base32 run, no long hex run, no code.
    assert not re.search(r"[A-Z2-7]{32}", stored["totp"])
    assert not re.search(r"[0-9a-f]{40}", stored["recovery_codes"])
    assert not any(code in stored["recovery_codes"] for code in codes)


def test_signing_in_with_a_code_and_with_a_recovery_code_still_works(db: None) -> None:
    user = f.UserFactory()
    secret = totp_enable(user)
    assert signs_in_with(user, totp_code(secret))
    recovery = recovery_codes_of(user)[0]
    assert signs_in_with(user, recovery)
    assert recovery not in recovery_codes_of(user)


def test_secrets_are_encrypted_with_a_key_of_their_own_when_one_is_set(
    db: None, settings: pytest.FixtureRequest
) -> None:
    settings.MFA_SECRET_KEY = "a key kept apart from SECRET_KEY"
    user = f.UserFactory()
    secret = totp_enable(user)
    assert signs_in_with(user, totp_code(secret))

    settings.MFA_SECRET_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FALLBACKS"):
        TOTP(Authenticator.objects.get(user=user, type="totp")).validate_code("123456")


def test_a_rotated_secret_key_keeps_secrets_usable_through_the_fallback_then_the_command(
    db: None, settings: pytest.FixtureRequest
) -> None:
    user = f.UserFactory()
    secret = totp_enable(user)
    codes = recovery_codes_of(user)
    old_key = settings.SECRET_KEY

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "the new key", [old_key]
    assert recovery_codes_of(user) == codes
    out = StringIO()
    call_command("mfa_secrets_reencrypt", stdout=out)
    assert "2 authenticator(s)" in out.getvalue()

    settings.SECRET_KEY_FALLBACKS = []
    assert recovery_codes_of(user) == codes
    assert signs_in_with(user, totp_code(secret))


def test_a_secret_the_key_cannot_open_is_an_error_that_names_the_fix(
    db: None, settings: pytest.FixtureRequest
) -> None:
    user = f.UserFactory()
    totp_enable(user)
    settings.SECRET_KEY = "not the key it was stored with"
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FALLBACKS"):
        RecoveryCodes(Authenticator.objects.get(user=user, type="recovery_codes")).generate_codes()


def test_the_migration_encrypts_secrets_stored_in_plaintext_and_can_be_reversed(
    transactional_db: None,
) -> None:
    user = f.UserFactory()
    secret, seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "ab" * 40
    call_command("migrate", "accounts", "0002", verbosity=0)
    # Rows as allauth wrote them before the adapter encrypted anything.
    Authenticator.objects.create(user=user, type="totp", data={"secret": secret})
    Authenticator.objects.create(
        user=user,
        type="recovery_codes",
        data={"seed": seed, "used_mask": 0, "migrated_codes": ["12345678"]},
    )
    Authenticator.objects.create(user=user, type="webauthn", data={"credential": {"id": "x"}})

    call_command("migrate", "accounts", verbosity=0)

    stored = raw_data(user)
    assert secret not in stored["totp"]
    assert seed not in stored["recovery_codes"]
    assert "12345678" not in stored["recovery_codes"]
    assert '"used_mask": 0' in stored["recovery_codes"]
    assert stored["webauthn"] == '{"credential": {"id": "x"}}'
    assert signs_in_with(user, totp_code(secret))
    assert recovery_codes_of(user) == ["12345678"]

    call_command("migrate", "accounts", "0002", verbosity=0)
    assert secret in raw_data(user)["totp"]
    assert seed in raw_data(user)["recovery_codes"]
    call_command("migrate", "accounts", verbosity=0)
    assert secret not in raw_data(user)["totp"]
