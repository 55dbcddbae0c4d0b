from django.conf import settings
from django.http import HttpRequest


def signup(request: HttpRequest) -> dict[str, bool]:
    """Whether open sign-up is on, so pages do not offer what the portal refuses."""
    return {"signup_open": bool(settings.ACCOUNT_ALLOW_SIGNUPS)}
