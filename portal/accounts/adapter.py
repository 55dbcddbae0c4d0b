from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are created by staff or invitation unless the operator opens sign-up.
        return bool(settings.ACCOUNT_ALLOW_SIGNUPS)
