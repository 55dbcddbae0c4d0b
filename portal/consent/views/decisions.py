"""The decision screens shared by every party: the matrix, a toggle, bulk answers, history.

Every view starts from what `portal.consent.access` lets the user touch, so another
user's artist, label, delegation, product page or work is a 404 from a scoped lookup.
"""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
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
    PartyKind,
    artists_of,
    labels_of,
    later_by_default,
    party_key,
    product_view,
)
from portal.consent.forms import DecisionForm, ProductPageFilter
from portal.consent.models import NO_ANSWER, Answer
from portal.consent.readers import label_name
from portal.consent.selectors import counting, filtering
from portal.consent.selectors import product_page as page_selectors
from portal.consent.services import ConsentError, decision_set
from portal.consent.services.bulk_answers import INLINE_LIMIT
from portal.licensing.models import Product, UseType


def matrix_url(party: Party, product: Product, query: str = "") -> str:
    kwargs = {"kind": party.plural, "party_id": party.pk, "product_slug": product.slug}
    url = reverse("matrix", kwargs=kwargs)
    return f"{url}?{query}" if query else url


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Send people to the one place they act for, or let them choose; staff to admin."""
    artists = list(artists_of(request.user))
    labels = list(labels_of(request.user))
    if request.user.is_staff and not artists and not labels:
        return redirect("admin:index")
    if len(artists) + len(labels) == 1:
        if artists:
            return redirect("artist_home", artist_id=artists[0].pk)
        return redirect("label_home", label_id=labels[0].pk)
    return render(request, "consent/choose.html", {"artists": artists, "labels": labels})


def page_filter(
    data: Any, party: Party, product: Product, use_types: list[UseType], prefix: str | None = None
) -> ProductPageFilter:
    works = party.works()
    return ProductPageFilter(
        data,
        prefix=prefix,
        use_types=use_types,
        artists=page_selectors.artists_to_filter(
            works=works, label=party.label if party.delegation is None else None
        ),
        releases=page_selectors.releases_to_filter(works=works),
    )


@product_view
def matrix(
    request: AuthedRequest, party: Party, product: Product, use_types: list[UseType]
) -> HttpResponse:
    """A party's works for one product: filtered, sorted and paged as the URL says, each
    row with both sides' answers, and one bulk answer for everything the filter matches."""
    filters = page_filter(request.GET, party, product, use_types)
    context: dict[str, Any] = {
        "party": party,
        "product": product,
        "use_types": use_types,
        "product_uses": [pu for pu in product.uses.all() if pu.use_type in use_types],
        "filters": filters,
        "artist_choices": filters.fields["artist"].queryset.values_list("pk", "name"),  # type: ignore[attr-defined]  # a ModelChoiceField's
        "job": page_selectors.bulk_answer_latest(
            product=product, party_kind=party.plural, party_id=party.pk
        ),
        "inline_limit": INLINE_LIMIT,
    }
    if not filters.is_valid():
        # A forged or stale id: say so, and offer no rows and no bulk answer, which would
        # otherwise cover more than the filter asked for.
        context.update(rows=[], page=None, query="", kept=[])
        return render(request, "consent/matrix.html", context, status=400)
    now = timezone.now()
    f = filters.work_filter()
    works = filtering.works_filtered(
        works=party.works(),
        product_id=product.pk,
        side=party.side,
        use_type_ids=[u.pk for u in use_types],
        f=f,
        now=now,
    )
    works = filtering.works_sorted(works, filters.cleaned_data.get("sort") or "title")
    per_page = filters.cleaned_data.get("per_page") or settings.PORTAL_PAGE_SIZE
    count, more = counting.page_count(party=party, product_id=product.pk, f=f, works=works, now=now)
    paginator = counting.CountedPaginator(
        works.values_list("pk", flat=True), per_page, count=count, more=more
    )
    page = paginator.get_page(request.GET.get("page"))
    # The page's ids first, which a filter finds in its indexes alone, then their rows.
    found = Work.objects.select_related("primary_artist", "label").in_bulk(list(page))
    rows = page_selectors.rows_delivered(
        product,
        selectors.matrix_rows(
            product=product,
            side=party.side,
            works=[found[pk] for pk in page if pk in found],
            use_types=use_types,
            now=now,
            delegated=party.delegation is not None,
        ),
    )
    if party.via == PartyKind.LABELS:
        assert party.label is not None
        rows = page_selectors.rows_delegated(label=party.label, product=product, rows=rows)
    rows = page_selectors.rows_released(rows)
    kept = filters.kept()
    paged = kept + ([("per_page", str(per_page))] if per_page != settings.PORTAL_PAGE_SIZE else [])
    context.update(
        rows=rows,
        page=page,
        page_numbers=list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        ellipsis=Paginator.ELLIPSIS,
        query=urlencode(paged),
        back=urlencode(paged + ([("page", str(page.number))] if page.number > 1 else [])),
        kept=kept,
        paged=paged,
        filtered=filters.filtered(),
        matching=filters.describe(label_name=label_name(party)),
        bulk_use=filters.cleaned_data.get("use") or (use_types[0] if use_types else None),
        yes_carries=(
            selectors.default_words(product=product, **party_key(party)) if party.can_decide else ""
        ),
    )
    return render(request, "consent/matrix.html", context)


def _refuse(request: AuthedRequest, back: str, message: str, cell_id: str = "") -> HttpResponse:
    if request.htmx:
        context = {"message": message, "cell_id": cell_id}
        response = render(request, "consent/matrix.html#refusal", context, status=422)
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
    # Without JavaScript, back to the row answered, on the page and filter it was on.
    back = f"{matrix_url(party, product, request.POST.get('back', ''))}#work-{work.pk}"
    use = request.POST.get("use", "")
    cell = f"{work.pk}-{use}" if any(u.slug == use for u in use_types) else ""
    if not party.can_decide:
        return _refuse(request, back, READ_ONLY, cell)
    if not form.is_valid():
        errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
        return _refuse(request, back, errors, cell)
    use_type: UseType = form.cleaned_data["use"]
    answer = form.cleaned_data["answer"]
    terms = selectors.yes_terms(
        product=product,
        work=work,
        use_type=use_type,
        answer=answer,
        later_default=later_by_default(party),
        **party_key(party),
    )
    try:
        decision_set(
            actor=request.user,
            product=product,
            work=work,
            use_type=use_type,
            side=party.side,
            answer=answer,
            delegation=party.delegation,
            conditions=terms.conditions,
            later_versions=terms.later_versions,
        )
    except ConsentError as exc:
        return _refuse(request, back, str(exc), cell)
    by = f"for {party.name}" if party.delegation else "by you"
    if answer == NO_ANSWER:
        confirmation = f"Cleared: {use_type.name} for {work.title} has no answer {by}."
    else:
        verb = "allowed" if answer == Answer.GRANTED else "refused"
        confirmation = f"Saved: {use_type.name} for {work.title} is now {verb} {by}."
    if not request.htmx:
        messages.success(request, confirmation)
        return redirect(back)
    (row,) = page_selectors.rows_delivered(
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
    if party.label is not None:
        (row,) = page_selectors.rows_delegated(label=party.label, product=product, rows=[row])
    context = {
        "cell": row.cells[0],
        "party": party,
        "product": product,
        "confirmation": confirmation,
        "query": request.POST.get("back", ""),
    }
    return render(request, "consent/matrix.html#cell", context)
