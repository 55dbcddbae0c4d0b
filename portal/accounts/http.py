"""Who is asking, as the request shows it."""

from typing import TypeGuard, cast

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from portal.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request from a signed-in person: what a view behind `login_required` (or one of
    the access decorators, which sign in first) is handed."""

    user: User
    htmx: HtmxDetails


def signed_in(request: HttpRequest) -> TypeGuard[AuthedRequest]:
    """Whether a signed-in person made this request.

    Without a session cookie nobody is signed in, and the session is left unread: reading
    it adds `Vary: Cookie` to the answer, which would keep shared caches from serving
    public answers (the key set, the API documents) that never depended on a cookie.
    """
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def user_of(request: HttpRequest) -> User:
    """The user of a request only signed-in people reach, where the request cannot be typed
    `AuthedRequest`: admin's (staff only), whose methods Django's own signatures type."""
    return cast(User, request.user)
