"""Encrypt the TOTP secrets and recovery-code seeds stored before the MFA adapter
encrypted them (portal/accounts/crypto.py). Reversible: backwards decrypts them again."""

from django.db import migrations

from portal.accounts.crypto import authenticator_data_decrypted, authenticator_data_encrypted

SECRET_KINDS = ["totp", "recovery_codes"]


def _each(apps, change):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=SECRET_KINDS).iterator():
        authenticator.data = change(authenticator.type, authenticator.data)
        authenticator.save(update_fields=["data"])


def encrypt(apps, schema_editor):
    _each(apps, authenticator_data_encrypted)


def decrypt(apps, schema_editor):
    _each(apps, authenticator_data_decrypted)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_name_validators"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
