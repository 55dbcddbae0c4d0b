from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest

from portal.accounts.crypto import mfa_secret_decrypt, mfa_secret_encrypt


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up closed unless the operator opens it, and failed sign-ins counted against the
    right address. Invitations, which open sign-up for one address, build on this in
    `portal.teams.adapter`: the adapter settings name."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are created by staff or invitation unless the operator opens sign-up
        # (ACCOUNT_ALLOW_SIGNUPS).
        return bool(settings.ACCOUNT_ALLOW_SIGNUPS)

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address failed sign-ins are counted against (settings: TRUSTED_PROXY_COUNT,
        TRUSTED_CLIENT_IP_HEADER)."""
        try:
            ip: str = super().get_client_ip(request)
            return ip
        except ImproperlyConfigured:
            # Fewer X-Forwarded-For entries than proxies of ours: the request did not come
            # through them all, so whoever connected is the client (allauth would 500).
            peer = request.META.get("REMOTE_ADDR")
            if not peer:
                raise PermissionDenied("Unable to determine client IP address") from None
            return str(peer)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are encrypted before allauth stores them, with
    a key kept outside the database (portal/accounts/crypto.py): a copy of the database
    alone does not let anyone make a user's codes."""

    def encrypt(self, text: str) -> str:
        return mfa_secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return mfa_secret_decrypt(encrypted_text)
