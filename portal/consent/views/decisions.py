"""The decision screens shared by every party: the matrix, a toggle, bulk answers, history.

Every view starts from what `portal.consent.access` lets the user touch, so another
user's artist, label, delegation, product page or work is a 404 from a scoped lookup.
"""

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import reswap

from portal.accounts.http import AuthedRequest
from portal.catalogue.models import Work
from portal.consent import selectors
from portal.consent.access import (
    READ_ONLY,
    Party,
    artists_of,
    labels_of,
    product_view,
    work_view,
)
from portal.consent.delivered import received_at
from portal.consent.forms import BulkForm, DecisionForm, MatrixFilter
from portal.consent.models import Answer, Side
from portal.consent.services import ConsentError, decision_set, decisions_set
from portal.licensing.models import Product, UseType
from portal.words import counted


def matrix_url(party: Party, product: Product, query: str = "") -> str:
    kwargs = {"kind": party.plural, "party_id": party.pk, "product_slug": product.slug}
    url = reverse("matrix", kwargs=kwargs)
    return f"{url}?{query}" if query else url


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Send people to the one place they act for, or let them choose."""
    artists = list(artists_of(request.user))
    labels = list(labels_of(request.user))
    if len(artists) + len(labels) == 1:
        if artists:
            return redirect("artist_home", artist_id=artists[0].pk)
        return redirect("label_home", label_id=labels[0].pk)
    return render(request, "consent/choose.html", {"artists": artists, "labels": labels})


@product_view
def matrix(
    request: AuthedRequest, party: Party, product: Product, use_types: list[UseType]
) -> HttpResponse:
    filters = MatrixFilter(request.GET)
    filters.is_valid()
    now = timezone.now()
    works = selectors.works_matching(
        works=party.works(),
        product=product,
        side=party.side,
        use_type_ids=[u.pk for u in use_types],
        q=filters.cleaned_data.get("q", ""),
        state=filters.cleaned_data.get("state", ""),
        now=now,
    ).select_related("primary_artist", "label")
    page = Paginator(works, settings.PORTAL_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = with_delivery(
        product,
        selectors.matrix_rows(
            product=product,
            side=party.side,
            works=list(page),
            use_types=use_types,
            now=now,
            delegated=party.delegation is not None,
        ),
    )
    query = urlencode({k: v for k, v in filters.cleaned_data.items() if v})
    context = {
        "party": party,
        "product": product,
        "use_types": use_types,
        "product_uses": [pu for pu in product.uses.all() if pu.use_type in use_types],
        "filters": filters,
        "page": page,
        "rows": rows,
        "query": query,
        "roster": list(party.label.roster.order_by("name")) if party.label else [],
    }
    return render(request, "consent/matrix.html", context)


def with_delivery(product: Product, rows: list[selectors.Row]) -> list[selectors.Row]:
    """Say under each cell whether the product has received its latest change: the proof
    that a "no" was heard."""
    status = received_at(
        product_id=product.pk,
        pairs=[(cell.work.pk, cell.use_type.pk) for row in rows for cell in row.cells],
    )
    if not status:
        return rows
    for row in rows:
        for i, cell in enumerate(row.cells):
            key = (cell.work.pk, cell.use_type.pk)
            if key not in status:
                continue
            at = status[key]
            text = (
                f"Delivered to {product.name} {timezone.localtime(at):%-d %b %H:%M}"
                if at
                else f"Sending to {product.name}…"
            )
            row.cells[i] = replace(cell, delivery=text)
    return rows


def _refuse(request: AuthedRequest, back: str, message: str) -> HttpResponse:
    if request.htmx:
        response = render(request, "consent/matrix.html#refusal", {"message": message}, status=422)
        return reswap(response, "none")
    messages.error(request, message)
    return redirect(back)


@require_POST
@product_view
def decide(
    request: AuthedRequest,
    party: Party,
    product: Product,
    use_types: list[UseType],
    work_id: int,
) -> HttpResponse:
    work = get_object_or_404(party.works().select_related("primary_artist", "label"), pk=work_id)
    form = DecisionForm(request.POST, use_types=use_types)
    back = matrix_url(party, product, request.POST.get("back", ""))
    if not party.can_decide:
        return _refuse(request, back, READ_ONLY)
    if not form.is_valid():
        return _refuse(
            request, back, " ".join(str(e) for errs in form.errors.values() for e in errs)
        )
    use_type: UseType = form.cleaned_data["use"]
    answer = form.cleaned_data["answer"]
    try:
        decision_set(
            actor=request.user,
            product=product,
            work=work,
            use_type=use_type,
            side=party.side,
            answer=answer,
            delegation=party.delegation,
        )
    except ConsentError as exc:
        return _refuse(request, back, str(exc))
    verb = "allowed" if answer == Answer.GRANTED else "refused"
    by = f"for {party.name}" if party.delegation else "by you"
    confirmation = f"Saved: {use_type.name} for {work.title} is now {verb} {by}."
    if not request.htmx:
        messages.success(request, confirmation)
        return redirect(back)
    (row,) = with_delivery(
        product,
        selectors.matrix_rows(
            product=product,
            side=party.side,
            works=[work],
            use_types=[use_type],
            now=timezone.now(),
            delegated=party.delegation is not None,
        ),
    )
    context = {
        "cell": row.cells[0],
        "party": party,
        "product": product,
        "confirmation": confirmation,
        "query": request.POST.get("back", ""),
    }
    return render(request, "consent/matrix.html#cell", context)


def _bulk_scope(
    party: Party, product: Product, use_types: list[UseType], form: BulkForm
) -> QuerySet[Work] | None:
    """The works a bulk answer covers, always inside the party's own catalogue. None, with
    an error on the form, when a forged or stale id names something outside it."""
    data = form.cleaned_data
    works = party.works()
    scope = data["scope"]
    if scope == "filtered":
        works = selectors.works_matching(
            works=works,
            product=product,
            side=party.side,
            use_type_ids=[u.pk for u in use_types],
            q=data["q"],
            state=data["state"],
            now=timezone.now(),
        )
    elif scope == "selected":
        works = works.filter(pk__in=data["works"])
        if works.count() != len(data["works"]):
            form.add_error(None, "Some selected works are not in this catalogue.")
            return None
    elif scope == "artists":
        if party.label is None:
            form.add_error(None, "Choosing artists is for labels.")
            return None
        roster = party.label.roster.filter(pk__in=data["artists"])
        if roster.count() != len(data["artists"]):
            form.add_error(None, "Some chosen artists are not on this roster.")
            return None
        works = works.filter(primary_artist__in=roster)
    if data["other_granted"]:
        works = selectors.works_where_other_side_granted(
            works=works, product=product, use_type=data["use"], side=party.side, now=timezone.now()
        )
    return works


@require_POST
@product_view
def bulk(
    request: AuthedRequest, party: Party, product: Product, use_types: list[UseType]
) -> HttpResponse:
    """Preview (exact counts, a sample), then apply, one answer for one use across many
    works. Everything is validated before anything is written."""
    form = BulkForm(request.POST, use_types=use_types)
    context: dict[str, Any] = {"party": party, "product": product, "form": form}
    back = matrix_url(party, product)
    if not party.can_decide:
        messages.error(request, READ_ONLY)
        return redirect(back)
    works = _bulk_scope(party, product, use_types, form) if form.is_valid() else None
    if works is None:
        return render(request, "consent/bulk.html", context, status=422)
    data = form.cleaned_data
    if not data["confirm"]:
        now = timezone.now()
        total, already = selectors.answer_counts(
            product=product,
            use_type=data["use"],
            side=party.side,
            works=works,
            answer=data["answer"],
        )
        context.update(
            total=total,
            already=already,
            changing=total - already,
            flipping=selectors.flips_if(
                product=product,
                use_type=data["use"],
                side=party.side,
                answer=data["answer"],
                works=works,
                now=now,
            ),
            sample=list(works.order_by("title")[:5]),
        )
        return render(request, "consent/bulk.html", context)
    try:
        outcome = decisions_set(
            actor=request.user,
            product=product,
            use_type=data["use"],
            side=party.side,
            answer=data["answer"],
            works=Work.objects.filter(pk__in=works.values("pk")),
            delegation=party.delegation,
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


@work_view
def work_history(request: AuthedRequest, work: Work) -> HttpResponse:
    entries = Paginator(selectors.history_for(work=work), 100).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"work": work, "entries": entries, "Side": Side}
    return render(request, "consent/history.html", context)
