"""`manage.py receipt_signing_key`: print a new private signing key for consent receipts."""

import json
import secrets
from typing import Any

from django.core.management.base import BaseCommand
from joserfc.jwk import OKPKey


class Command(BaseCommand):
    help = (
        "Print a new Ed25519 private key as a JWK, for RECEIPT_SIGNING_KEYS. Put the newest "
        "first and keep older keys listed while their receipts should verify."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        key = OKPKey.generate_key("Ed25519", parameters={"kid": secrets.token_hex(8)})
        self.stdout.write(json.dumps(key.as_dict(private=True)))
