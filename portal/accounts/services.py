from allauth.mfa.models import Authenticator
from django.db import transaction

from portal.accounts.crypto import authenticator_data_encrypted
from portal.accounts.models import User, validate_time_zone

SECRET_KINDS = [Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]


@transaction.atomic
def mfa_secrets_reencrypt() -> int:
    """Encrypt every stored two-factor secret under the current key; return how many
    authenticators were rewritten.

    Run after rotating `SECRET_KEY` (or `MFA_SECRET_KEY`), while the old key is still in
    `SECRET_KEY_FALLBACKS`: afterwards the fallback can go. Rows are locked as they are
    rewritten, so a code checked meanwhile waits rather than reading a half-done row.
    """
    rewritten = 0
    rows = Authenticator.objects.select_for_update().filter(type__in=SECRET_KINDS)
    for authenticator in rows.order_by("pk"):
        authenticator.data = authenticator_data_encrypted(authenticator.type, authenticator.data)
        authenticator.save(update_fields=["data"])
        rewritten += 1
    return rewritten


def user_time_zone_set(*, user: User, time_zone: str) -> None:
    """Show `user` dates and times in `time_zone` (an IANA name, validated by the caller's
    form against `accounts.models.time_zones`) from their next page on."""
    validate_time_zone(time_zone)
    User.objects.filter(pk=user.pk).update(time_zone=time_zone)
    user.time_zone = time_zone
