"""The notifications page: the list, marking as read, and the email preference.

Every lookup is scoped to the signed-in user, so another user's notification is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.http import AuthedRequest
from portal.notifications.forms import BackForm, EmailPreferenceForm
from portal.notifications.selectors import notifications_for
from portal.notifications.services import (
    notification_email_preference_set,
    notifications_mark_read,
)

PAGE_SIZE = 30


def _back(request: AuthedRequest) -> HttpResponse:
    form = BackForm(request.POST)
    page = form.cleaned_data["page"] if form.is_valid() else None
    url = reverse("notifications")
    return redirect(f"{url}?page={page}" if page and page > 1 else url)


@require_GET
@login_required
def notification_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(notifications_for(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "preference_form": EmailPreferenceForm(
                initial={"email_notifications": request.user.email_notifications}
            ),
        },
    )


@require_POST
@login_required
def notification_read(request: AuthedRequest, notification_id: int) -> HttpResponse:
    notification = get_object_or_404(notifications_for(user=request.user), pk=notification_id)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    if request.htmx:
        notification.refresh_from_db(fields=["read_at"])
        return render(
            request,
            "notifications/list.html#item",
            {"notification": notification, "confirmation": "Marked as read."},
        )
    messages.success(request, "Marked as read.")
    return _back(request)


@require_POST
@login_required
def notifications_read_all(request: AuthedRequest) -> HttpResponse:
    marked = notifications_mark_read(user=request.user)
    if marked:
        messages.success(
            request, f"Marked {marked:,} notification{'s' if marked != 1 else ''} as read."
        )
    else:
        messages.info(request, "Everything was already read.")
    return redirect("notifications")


@require_POST
@login_required
def email_preference(request: AuthedRequest) -> HttpResponse:
    form = EmailPreferenceForm(request.POST)
    form.is_valid()  # a checkbox is always valid: absent means no
    enabled = bool(form.cleaned_data.get("email_notifications"))
    notification_email_preference_set(user=request.user, enabled=enabled)
    if enabled:
        messages.success(
            request, f"Saved: notifications will also be emailed to {request.user.email}."
        )
    else:
        messages.success(
            request, "Saved: notifications will only appear here. We will not email you."
        )
    return redirect(reverse("notifications") + "#email")
