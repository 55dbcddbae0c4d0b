"""The two-factor gate: staff, and the holders of the roles other apps register (label
managers), reach nothing but the set-up until they have a second factor."""

from collections.abc import Callable
from functools import reduce
from operator import or_
from typing import Any
from zoneinfo import ZoneInfo

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.db.models import Exists, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from portal.accounts.http import signed_in
from portal.accounts.models import User, time_zones
from portal.accounts.roles import roles_requiring_second_factor

# What a label manager or staff member without a second factor may still reach: setting
# one up (allauth asks for the password again first), signing out, and confirming an
# email address, since allauth refuses to add an authenticator while an address of the
# account is unverified (on the email page, only seeing it and sending a verification
# again: see `EMAIL_PAGE_ACTIONS`). Everything else, whatever its path, waits for the
# second factor: a password alone must not show a label's works, receipts or
# notifications.
SET_UP_VIEWS = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_list_webauthn",
        "mfa_add_webauthn",
        "account_reauthenticate",
        "account_logout",
        "account_email",
        "account_confirm_email",
    }
)

# What a POST to allauth's email page may ask for before the second factor is set up:
# sending the verification of an address already on the account again. Adding an
# address, removing one or making one primary would let someone holding only the
# password put an address of theirs on the account and take over its resets.
EMAIL_PAGE_ACTIONS = frozenset({"action_send"})

# The same kinds allauth asks for at login, so "set up" means "login asks for a code".
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]

MFA_REQUIRED_MESSAGE = (
    "Label managers and staff must turn on two-factor authentication before they can continue."
)


class RequireMfaMiddleware:
    """Staff and label managers (the roles `portal.accounts.roles` holds) must set up
    two-factor authentication first.

    Gated by who the user is, not by where they go: until they have a second factor,
    every view but those in `SET_UP_VIEWS` (and on the email page, every POST but those
    `EMAIL_PAGE_ACTIONS` allow) sends them to allauth's authenticator-app set-up. Static
    files are served before any view (WhiteNoise), so they stay reachable. Costs nothing
    for anonymous users and for the set-up views; one query otherwise.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        match = request.resolver_match
        if (
            match is not None
            and match.url_name in SET_UP_VIEWS
            and not match.namespace
            and (match.url_name != "account_email" or _only_resends_verification(request))
        ):
            return None
        if request.path_info.startswith(settings.STATIC_URL):
            return None
        if not must_set_up_mfa(request):
            return None
        messages.warning(request, MFA_REQUIRED_MESSAGE)
        setup = reverse("mfa_activate_totp")
        if request.headers.get("HX-Request") == "true":
            # htmx would follow a 302 in the background and swap the set-up page into
            # a table cell; ask it to navigate the whole window instead.
            return HttpResponseClientRedirect(setup)
        return HttpResponseRedirect(setup)


def _only_resends_verification(request: HttpRequest) -> bool:
    if request.method in ("GET", "HEAD"):
        return True
    # allauth acts on the first action it finds, in its own order: any other beside
    # `action_send` could be the one it takes.
    actions = {key for key in request.POST if key.startswith("action_")}
    return request.method == "POST" and actions == EMAIL_PAGE_ACTIONS


def must_set_up_mfa(request: HttpRequest) -> bool:
    """Whether the signed-in user is staff, or holds a role that requires a second factor
    (a label manager), without one. One query; none for anonymous users."""
    if not signed_in(request):
        return False
    user = request.user
    second_factor = Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS)
    if user.is_staff:
        return not second_factor.exists()
    roles = [Q(Exists(holding(user.pk))) for holding in roles_requiring_second_factor()]
    if not roles:
        return False
    return (
        User.objects.filter(pk=user.pk)
        .filter(reduce(or_, roles))
        .filter(~Exists(second_factor))
        .exists()
    )


class TimeZoneMiddleware:
    """Dates and times in the signed-in reader's own time zone (`User.time_zone`), the
    site's for everyone else: what `portal.words` and the templates' `|moment` use. No
    query of its own: the user is read already when a session cookie came with the
    request, and nothing is read without one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = request.user.time_zone if signed_in(request) else ""
        if zone in time_zones():
            timezone.activate(ZoneInfo(zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
