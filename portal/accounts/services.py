from allauth.mfa.models import Authenticator
from django.db import transaction

from portal.accounts.crypto import authenticator_data_encrypted

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
