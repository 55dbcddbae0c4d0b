"""Two-factor authentication for tests, through allauth's own internals.

The secret is generated, stored (encrypted) and checked exactly as allauth does when a
person scans the QR code, so a code from `totp_code` is one allauth accepts.
"""

import time

from allauth.mfa import app_settings
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)

from portal.accounts.models import User


def totp_enable(user: User, *, recovery_codes: bool = True) -> str:
    """Give `user` an authenticator app (and, like allauth's set-up, recovery codes);
    return the secret the app would hold."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    if recovery_codes:
        RecoveryCodes.activate(user)
    return secret


def totp_code(secret: str, *, valid_for: float = 3.0) -> str:
    """The code an authenticator app holding `secret` shows now.

    allauth accepts only the current period's code (no tolerance), so when fewer than
    `valid_for` seconds of the period are left this waits for the next one: a code
    typed a moment later must not go stale at the boundary and make a test flaky.
    """
    period = app_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < valid_for:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def recovery_codes_of(user: User) -> list[str]:
    """The user's unused recovery codes (after `totp_enable`)."""
    return RecoveryCodes.activate(user).get_unused_codes()
