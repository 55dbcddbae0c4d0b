"""A work's history: every decision on it, newest first, its disputes, and disputing it."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.accounts.http import AuthedRequest
from portal.catalogue.models import Work
from portal.consent import selectors
from portal.consent.access import work_view
from portal.consent.dispute_forms import DisputeForm
from portal.consent.models import DisputeEvent, Side
from portal.consent.selectors.disputes import dispute_open, dispute_right, dispute_steps
from portal.consent.services import ConsentError, dispute_raise


def _page(request: AuthedRequest, work: Work, form: DisputeForm) -> dict[str, Any]:
    entries = Paginator(selectors.history_for(work=work), 100).get_page(request.GET.get("page"))
    return {
        "work": work,
        "entries": entries,
        "Side": Side,
        "DisputeEvent": DisputeEvent,
        "dispute": dispute_open(work=work),
        "dispute_steps": list(dispute_steps(work=work)),
        "dispute_right": dispute_right(user=request.user, work=work),
        "dispute_form": form,
    }


@work_view
def work_history(request: AuthedRequest, work: Work) -> HttpResponse:
    return render(request, "consent/history.html", _page(request, work, DisputeForm()))


@require_POST
@work_view
def work_dispute(request: AuthedRequest, work: Work) -> HttpResponse:
    """Dispute the work: every use of it stops until staff resolve it."""
    form = DisputeForm(request.POST)
    if not form.is_valid():
        return render(request, "consent/history.html", _page(request, work, form), status=422)
    try:
        outcome = dispute_raise(actor=request.user, work=work, **form.cleaned_data)
    except ConsentError as exc:
        messages.error(request, f"{exc} Nothing was changed.")
    else:
        flipped = outcome.flipped
        changed = (
            f" {flipped:,} permitted use{'s' if flipped != 1 else ''} stopped at once."
            if flipped
            else ""
        )
        messages.success(
            request,
            f"Dispute raised: every use of “{work.title}” is stopped until staff resolve it."
            f"{changed} Its artist's team, its label and staff have been told.",
        )
    return redirect("work_history", work_id=work.pk)
