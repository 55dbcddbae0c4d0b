"""The person's own account: one page that gathers how they sign in (email addresses,
password, two-factor authentication), whether notifications are emailed, and the time
zone dates are shown in. The sign-in pages themselves are allauth's."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.accounts.forms import TimeZoneForm, time_zone_choices
from portal.accounts.http import AuthedRequest
from portal.accounts.middleware import SECOND_FACTORS
from portal.accounts.services import user_time_zone_set


def _page(request: AuthedRequest, form: TimeZoneForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "zones": time_zone_choices(),
        "chosen": form.data.get("time_zone") or request.user.time_zone,
        "second_factor": Authenticator.objects.filter(
            user_id=request.user.pk, type__in=SECOND_FACTORS
        ).exists(),
        "now": timezone.now(),
    }
    return render(request, "accounts/security.html", context, status=status)


@login_required
def account_security(request: AuthedRequest) -> HttpResponse:
    return _page(request, TimeZoneForm(initial={"time_zone": request.user.time_zone}))


@require_POST
@login_required
def account_time_zone(request: AuthedRequest) -> HttpResponse:
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    zone = form.cleaned_data["time_zone"]
    user_time_zone_set(user=request.user, time_zone=zone)
    messages.success(request, f"Saved: dates and times are now shown in {zone} time.")
    return redirect("account_security")
