from typing import Any

from django.core.management.base import BaseCommand

from portal.accounts.services import mfa_secrets_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every TOTP secret and recovery-code seed under the current key. Run it "
        "after rotating SECRET_KEY (or MFA_SECRET_KEY), before dropping the old key from "
        "SECRET_KEY_FALLBACKS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = mfa_secrets_reencrypt()
        self.stdout.write(f"Re-encrypted the secrets of {count} authenticator(s).")
