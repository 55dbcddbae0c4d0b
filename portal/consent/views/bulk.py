"""Bulk answers on a product page: the preview, the answer in the request up to
`INLINE_LIMIT` works, and above it the job a worker applies, with its progress page."""

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.accounts.http import AuthedRequest
from portal.catalogue.models import Work
from portal.consent import selectors
from portal.consent.access import (
    READ_ONLY,
    Party,
    later_by_default,
    party_key,
    product_view,
)
from portal.consent.conditions import Conditions
from portal.consent.forms import BulkForm, ProductPageFilter
from portal.consent.models import Answer, BulkAnswer
from portal.consent.readers import addressed_to, label_name
from portal.consent.selectors import product_page as page_selectors
from portal.consent.services import ConsentError, decisions_set
from portal.consent.services.batches import bulk_batch
from portal.consent.services.bulk_answers import INLINE_LIMIT, bulk_answer_start, bulk_scope
from portal.consent.views.decisions import matrix_url, page_filter
from portal.licensing.models import Product, UseType
from portal.words import counted


@require_POST
@product_view
def bulk(
    request: AuthedRequest, party: Party, product: Product, use_types: list[UseType]
) -> HttpResponse:
    """Preview (exact counts, a sample), then apply, one answer for one use across every
    work the page's filter matches, or the works selected on the page. Up to
    `INLINE_LIMIT` works in this request; more in one transaction by a worker, whose
    progress the job's page shows. Everything is validated before anything is written."""
    form = BulkForm(request.POST, use_types=use_types)
    filters = page_filter(
        request.POST, party, product, use_types, prefix=ProductPageFilter.BULK_PREFIX
    )
    context: dict[str, Any] = {"party": party, "product": product, "form": form}
    if not party.can_decide:
        messages.error(request, READ_ONLY)
        return redirect(matrix_url(party, product))
    valid = form.is_valid() & filters.is_valid()
    for errors in filters.errors.values():
        for error in errors:
            form.add_error(None, error)
    selected = (
        form.cleaned_data.get("works") if form.cleaned_data.get("scope") == "selected" else None
    )
    if valid and selected and party.works().filter(pk__in=selected).count() != len(selected):
        form.add_error(None, "Some selected works are not in this catalogue.")
    if form.errors:
        return render(request, "consent/bulk.html", context, status=422)
    data = form.cleaned_data
    back = matrix_url(party, product, urlencode(filters.kept()))
    now = timezone.now()
    works = page_selectors.bulk_works(
        works=party.works(),
        product=product,
        side=party.side,
        use_type_ids=[u.pk for u in use_types],
        f=filters.work_filter(),
        selected=selected,
        other_granted_for=data["use"] if data["other_granted"] else None,
        now=now,
    )
    # A bulk yes carries the party's default conditions for the product.
    key, yes = party_key(party), data["answer"] == Answer.GRANTED
    given = selectors.default_conditions(product=product, **key) if yes else ()
    if not data["confirm"]:
        preview = selectors.bulk_preview(
            product=product,
            use_type=data["use"],
            side=party.side,
            answer=data["answer"],
            works=works,
            now=now,
            conditions=given,
            later_versions=later_by_default(party),
        )
        context.update(
            total=preview.total,
            already=preview.already,
            changing=preview.changing,
            flipping=preview.flipping,
            sample=list(works.select_related("primary_artist").order_by("title", "pk")[:5]),
            # What a no would forgo is summed over the same works (earnings' `forgone`).
            works=works,
            conditions_said=selectors.default_words(product=product, **key) if given else "",
            kept=filters.kept(),
            ticked=selected is not None,
            matching=filters.describe(label_name=label_name(party)),
            explanation=addressed_to(data["use"].explanation, party),
            in_background=preview.total > INLINE_LIMIT,
            inline_limit=INLINE_LIMIT,
            token=uuid.uuid4().hex,
            back=back,
        )
        return render(request, "consent/bulk.html", context)
    if data["scope"] == "filtered" and works.count() > INLINE_LIMIT:
        return _bulk_in_background(request, party, product, form, filters, back, given)
    try:
        outcome = decisions_set(
            actor=request.user,
            product=product,
            use_type=data["use"],
            side=party.side,
            answer=data["answer"],
            works=Work.objects.filter(pk__in=works.values("pk")),
            delegation=party.delegation,
            conditions=given,
            later_versions=later_by_default(party),
            batch=bulk_batch(
                party=party, product=product, use_type=data["use"], answer=data["answer"]
            ),
        )
    except ConsentError as exc:
        messages.error(request, f"{exc} Nothing was changed.")
        return redirect(back)
    verb = "granted" if data["answer"] == Answer.GRANTED else "denied"
    messages.success(
        request,
        f"{data['use'].name} {verb} for {counted(outcome.changed, 'work')} "
        f"({outcome.unchanged:,} already {'was' if outcome.unchanged == 1 else 'were'}). "
        f"{counted(outcome.flipped, 'permission')} changed.",
    )
    return redirect(back)


def _bulk_in_background(
    request: AuthedRequest,
    party: Party,
    product: Product,
    form: BulkForm,
    filters: ProductPageFilter,
    back: str,
    conditions: Conditions,
) -> HttpResponse:
    data = form.cleaned_data
    if not data["token"]:
        messages.error(request, "Preview the answer first: nothing was changed.")
        return redirect(back)
    try:
        job = bulk_answer_start(
            actor=request.user,
            party=party,
            product=product,
            use_type=data["use"],
            answer=data["answer"],
            scope=bulk_scope(
                f=filters.work_filter(), selected=None, other_granted=data["other_granted"]
            ),
            expected=int(request.POST.get("expected") or 0),
            token=data["token"],
            conditions=conditions,
            later_versions=later_by_default(party),
        )
    except ConsentError as exc:
        messages.error(request, f"{exc} Nothing was changed.")
        return redirect(back)
    return redirect(bulk_answer_url(party, product, job.pk))


def bulk_answer_url(party: Party, product: Product, job_id: int) -> str:
    kwargs = {
        "kind": party.plural,
        "party_id": party.pk,
        "product_slug": product.slug,
        "job_id": job_id,
    }
    return reverse("bulk_answer", kwargs=kwargs)


@product_view
def bulk_answer(
    request: AuthedRequest, party: Party, product: Product, use_types: list[UseType], job_id: int
) -> HttpResponse:
    """A bulk answer a worker applies: waiting, running, then what it changed or why it
    changed nothing. htmx polls it while it runs; without JavaScript, reloading does."""
    job = get_object_or_404(
        BulkAnswer.objects.select_related("use_type", "requested_by"),
        pk=job_id,
        product=product,
        party_kind=party.plural,
        party_id=party.pk,
    )
    context = {"party": party, "product": product, "job": job, "now": timezone.now()}
    if request.htmx:
        return render(request, "consent/bulk.html#job", context)
    return render(request, "consent/bulk.html", context)
