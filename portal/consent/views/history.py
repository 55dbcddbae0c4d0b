"""A work's history: every decision on it, newest first."""

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from portal.accounts.http import AuthedRequest
from portal.catalogue.models import Work
from portal.consent import selectors
from portal.consent.access import work_view
from portal.consent.models import Side


@work_view
def work_history(request: AuthedRequest, work: Work) -> HttpResponse:
    entries = Paginator(selectors.history_for(work=work), 100).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"work": work, "entries": entries, "Side": Side}
    return render(request, "consent/history.html", context)
