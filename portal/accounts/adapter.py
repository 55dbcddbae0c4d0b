from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest

from portal.accounts.crypto import mfa_secret_decrypt, mfa_secret_encrypt

# Invitations live in `portal.teams`, which builds on accounts; it is imported inside the
# methods so that accounts never needs teams at import time.


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are created by staff or invitation unless the operator opens sign-up
        # (ACCOUNT_ALLOW_SIGNUPS). A visitor holding a still-valid invitation may sign up.
        from portal.teams.signup import invitation_remembered

        if settings.ACCOUNT_ALLOW_SIGNUPS:
            return True
        return invitation_remembered(request) is not None

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        request = self.request
        if settings.ACCOUNT_ALLOW_SIGNUPS or request is None or not _is_signup(request):
            return email
        from portal.teams.signup import invitation_remembered

        # When it is the invitation that opens sign-up, it opens it for the invited
        # address only.
        invitation = invitation_remembered(request)
        if invitation is not None and invitation.email != email.strip().lower():
            raise ValidationError(
                f"Your invitation is for {invitation.email}. Sign up with that address, "
                "or ask for an invitation to this one."
            )
        return email

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: Form, commit: bool = True
    ) -> Any:
        from portal.teams.signup import join_on_signup

        user = super().save_user(request, user, form, commit)
        if commit and join_on_signup(request, user) is not None:  # type: ignore[arg-type]
            # The invitation reached this address, so it needs no second email to verify.
            self.stash_verified_email(request, user.email)  # type: ignore[attr-defined]
        return user

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        from portal.teams.signup import joined_redirect

        return joined_redirect(request) or super().get_signup_redirect_url(request)

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address failed sign-ins are counted against (settings: TRUSTED_PROXY_COUNT,
        TRUSTED_CLIENT_IP_HEADER)."""
        try:
            return super().get_client_ip(request)
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


def _is_signup(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and match.url_name == "account_signup"
