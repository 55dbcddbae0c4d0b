"""The account adapter the settings name: accounts' own, with invitations.

A visitor holding a still-valid invitation may sign up even while sign-up is closed, with
the invited address only; the new account joins the team as it is created, its address
verified by the invitation itself (`portal.teams.signup`).
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest

from portal.accounts.adapter import AccountAdapter
from portal.accounts.models import User
from portal.teams.signup import invitation_remembered, join_on_signup, joined_redirect


class InvitationAccountAdapter(AccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return super().is_open_for_signup(request) or invitation_remembered(request) is not None

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        request = self.request
        if settings.ACCOUNT_ALLOW_SIGNUPS or request is None or not _is_signup(request):
            return email
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
        saved: User = super().save_user(request, user, form, commit)
        if commit and join_on_signup(request, saved) is not None:
            # The invitation reached this address, so it needs no second email to verify.
            self.stash_verified_email(request, saved.email)
        return saved

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return joined_redirect(request) or super().get_signup_redirect_url(request)


def _is_signup(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and match.url_name == "account_signup"
