"""A fan's email address at rest: encrypted (`portal.encryption`, under `FANS_CONTACT_KEY`
when set), readable only with a key kept outside the database."""

from cryptography.fernet import MultiFernet

from portal.encryption import keyring


def _fernet() -> MultiFernet:
    return keyring(setting="FANS_CONTACT_KEY", label=b"consent-portal fans' contact addresses")


def contact_encrypt(contact: str) -> str:
    return _fernet().encrypt(contact.encode()).decode() if contact else ""


def contact_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""
