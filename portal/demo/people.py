"""The demo's logins: found or created by email, their password reset on every run (so
the printed one always works), verified, and for staff and label managers the published
second factor."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from portal.accounts.models import User
from portal.demo.specs import Login

# Staff and label managers must use two-factor authentication, in the demo too. A fixed,
# published secret lets anyone add the demo logins to an authenticator app.
DEMO_TOTP_SECRET = "CONSENTPORTALDEMOTOTPSECRET23456"  # noqa: S105 (published on purpose)


def second_factor_seed(*, user: User) -> None:
    """Give the user the demo's TOTP authenticator, unless they have one."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)


def login_seed(*, login: Login, password: str) -> User:
    """The login's user, active, with `password` and a verified primary address."""
    user, _ = User.objects.get_or_create(
        email=login.email,
        defaults={"name": login.name, "is_staff": login.staff, "is_superuser": login.staff},
    )
    if login.staff and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    # The password is reset on every run, so the printed one always works.
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    # Verified and primary, so the login works at once without a confirmation email.
    other_primary = EmailAddress.objects.filter(user=user, primary=True).exclude(email=login.email)
    address, _ = EmailAddress.objects.get_or_create(
        user=user,
        email=login.email,
        defaults={"verified": True, "primary": not other_primary.exists()},
    )
    if not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    return user
