"""Undoing a bulk answer or "stop everything" within 30 days: the exact preview, then the
restore (`services.undo.batch_undo`)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from portal.accounts.http import AuthedRequest
from portal.consent.access import READ_ONLY, Party, party_view
from portal.consent.models import Side
from portal.consent.selectors.batches import batch_plan, batches_of, left_alone_named
from portal.consent.services.common import ConsentError
from portal.consent.services.undo import batch_undo
from portal.words import counted


def _back(party: Party) -> str:
    if party.side == Side.ARTIST:
        return reverse("artist_activity", args=[party.pk])
    return reverse("label_home", args=[party.pk])


@require_http_methods(["GET", "POST"])
@party_view()
def undo(request: AuthedRequest, party: Party, batch_id: int) -> HttpResponse:
    """GET: what restoring the answers a batch replaced would do. POST: do it."""
    if party.delegation is not None:
        # The artist's own team undoes what was done for them.
        raise Http404
    batch = get_object_or_404(batches_of(party=party, now=timezone.now()), pk=batch_id)
    back = _back(party)
    if batch.undone_at is not None:
        messages.info(request, "These answers were already restored.")
        return redirect(back)
    if request.method == "POST":
        if not party.can_decide:
            messages.error(request, READ_ONLY)
            return redirect(back)
        try:
            undone = batch_undo(actor=request.user, batch_id=batch.pk)
        except ConsentError as exc:
            messages.error(request, f"{exc} Nothing was changed.")
            return redirect(back)
        said = f"Restored {counted(undone.outcome.changed, 'answer')} as they were."
        if undone.left_alone:
            said += f" {counted(len(undone.left_alone), 'answer')} changed since were left alone."
        messages.success(request, said)
        return redirect(back)
    plan = batch_plan(batch=batch, now=timezone.now())
    context = {
        "party": party,
        "batch": batch,
        "plan": plan,
        "named": (named := left_alone_named(plan.left_alone)),
        "more": len(plan.left_alone) - len(named),
        "back": back,
    }
    return render(request, "consent/undo.html", context)
