import re
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from portal.catalogue.models import LabelManager

# Where a label manager or staff member acts for others. Everything else (sign-in, MFA
# set-up, logout, static files, an artist's own pages) stays open.
GUARDED_PREFIXES = ("/labels/", "/delegations/", "/admin/")
# A team page is an artist's, but a label manager can invite people from it too.
GUARDED_PATTERN = re.compile(r"^/artists/\d+/team/")

# The same kinds allauth asks for at login, so "set up" means "login asks for a code".
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]

MFA_REQUIRED_MESSAGE = (
    "Label managers and staff must turn on two-factor authentication before they can continue."
)


class RequireMfaMiddleware:
    """Label managers and staff must set up two-factor authentication first.

    Until they do, label pages and admin send them to allauth's authenticator-app set-up.
    Costs nothing for anonymous users and for paths outside the guarded prefixes; one
    query for staff and for managers who have set it up, two for anyone else.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        guarded = path.startswith(GUARDED_PREFIXES) or GUARDED_PATTERN.match(path)
        if guarded and must_set_up_mfa(request):
            messages.warning(request, MFA_REQUIRED_MESSAGE)
            setup = reverse("mfa_activate_totp")
            if request.headers.get("HX-Request") == "true":
                # htmx would follow a 302 in the background and swap the set-up page into
                # a table cell; ask it to navigate the whole window instead.
                return HttpResponseClientRedirect(setup)
            return HttpResponseRedirect(setup)
        return self.get_response(request)


def must_set_up_mfa(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    if is_mfa_enabled(user, SECOND_FACTORS):
        return False
    return user.is_staff or LabelManager.objects.filter(user_id=user.pk).exists()
