"""Secrets at rest (webhook signing secrets, two-factor secrets): Fernet, with keys that
live outside the database.

Each kind of secret has its own key: the one its setting names (`MFA_SECRET_KEY`,
`WEBHOOK_SECRET_KEY`) when set, else one derived from `SECRET_KEY` under a label of its
own (HKDF), so no two kinds share a key. Older keys still decrypt:

- the setting's own fallbacks (`MFA_SECRET_KEY_FALLBACKS`...), for rotating a dedicated
  key without handing Django an old key it would trust for sessions and reset links;
- `SECRET_KEY` and `SECRET_KEY_FALLBACKS`, so a deployment that sets a dedicated key
  for the first time still reads what was stored before, and `SECRET_KEY` is rotated
  the Django way.

Re-encrypting under the newest key (`mfa_secrets_reencrypt`, or a webhook secret's
rotation) lets the old ones be dropped.
"""

import base64

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet_for(key: str, label: bytes) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def keyring(*, setting: str, label: bytes) -> MultiFernet:
    """The keys for one kind of secret: the first encrypts, every one decrypts.

    `setting` names the setting of a key of its own (e.g. "WEBHOOK_SECRET_KEY"), empty
    when the key follows `SECRET_KEY`, with its fallbacks in `<setting>_FALLBACKS`;
    `label` keeps the derived keys of each kind apart.
    """
    primary = getattr(settings, setting) or settings.SECRET_KEY
    if not primary:
        raise ImproperlyConfigured(f"SECRET_KEY (or {setting}) must be set to store secrets")
    older = [
        *getattr(settings, f"{setting}_FALLBACKS"),
        settings.SECRET_KEY,
        *settings.SECRET_KEY_FALLBACKS,
    ]
    keys = list(dict.fromkeys(key for key in [primary, *older] if key))
    return MultiFernet([_fernet_for(key, label) for key in keys])
