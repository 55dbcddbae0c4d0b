"""The artist's and the label's consent screens.

Every view finds its party through `portal.consent.permissions`, so another user's
artist, label, product page or work is a 404 from a scoped lookup.
"""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap

from portal.accounts.models import User
from portal.catalogue.models import Work
from portal.consent import selectors
from portal.consent.forms import BulkForm, DecisionForm, MatrixFilter
from portal.consent.models import Answer, Side
from portal.consent.permissions import (
    Party,
    artist_party,
    artists_of,
    labels_of,
    party_for,
    works_visible_to,
)
from portal.consent.services import ConsentError, decision_set, decisions_set, grants_withdraw_all
from portal.licensing.models import Product


class AuthedRequest(HttpRequest):
    user: User


def _product_for(party: Party, product_slug: str) -> Product:
    """A product that asks for the party's catalogue; anything else is a 404."""
    products = selectors.products_requesting(works=party.works())
    for product in products:
        if product.slug == product_slug:
            return product
    return get_object_or_404(Product.objects.none())


def _matrix_url(party: Party, product: Product, query: str = "") -> str:
    url = reverse(
        "matrix",
        kwargs={"kind": party.kind + "s", "party_id": party.pk, "product_slug": product.slug},
    )
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


def _overview(request: AuthedRequest, party: Party, template: str) -> HttpResponse:
    products = selectors.products_requesting(works=party.works())
    tallies = selectors.tallies(products=products, works=party.works(), side=party.side)
    label_ids = party_label_ids(party)
    cards = []
    for product in products:
        uses = [
            (product_use, tallies[(product.pk, product_use.use_type_id)])
            for product_use in product.uses.all()
        ]
        cards.append(
            {
                "product": product,
                "uses": uses,
                "waiting": sum(t.waiting for _, t in uses),
                "licences": [
                    lc for lc in product.licensee.licences.all() if lc.label_id in label_ids
                ],
            }
        )
    context = {
        "party": party,
        "cards": cards,
        "waiting_products": sum(1 for c in cards if c["waiting"]),
        "work_count": party.works().count(),
    }
    return render(request, template, context)


def party_label_ids(party: Party) -> set[int]:
    if party.label is not None:
        return {party.label.pk}
    return set(party.works().values_list("label_id", flat=True).distinct())


@login_required
def artist_home(request: AuthedRequest, artist_id: int) -> HttpResponse:
    return _overview(request, artist_party(request.user, artist_id), "consent/artist_home.html")


@login_required
def label_home(request: AuthedRequest, label_id: int) -> HttpResponse:
    return _overview(request, party_for(request.user, "label", label_id), "consent/label_home.html")


@login_required
def matrix(request: AuthedRequest, kind: str, party_id: int, product_slug: str) -> HttpResponse:
    party = party_for(request.user, kind.removesuffix("s"), party_id)
    product = _product_for(party, product_slug)
    use_types = selectors.use_types_of(product=product)
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
    rows = selectors.matrix_rows(
        product=product, side=party.side, works=list(page), use_types=use_types, now=now
    )
    query = urlencode({k: v for k, v in filters.cleaned_data.items() if v})
    return render(
        request,
        "consent/matrix.html",
        {
            "party": party,
            "product": product,
            "use_types": use_types,
            "product_uses": list(product.uses.all()),
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": query,
            "bulk_form": BulkForm(
                use_types=use_types, initial={"scope": "all", "q": filters.cleaned_data.get("q")}
            ),
        },
    )


@require_POST
@login_required
def decide(
    request: AuthedRequest, kind: str, party_id: int, product_slug: str, work_id: int
) -> HttpResponse:
    party = party_for(request.user, kind.removesuffix("s"), party_id)
    product = _product_for(party, product_slug)
    work = get_object_or_404(party.works().select_related("primary_artist", "label"), pk=work_id)
    use_types = selectors.use_types_of(product=product)
    form = DecisionForm(request.POST, use_types=use_types)
    back = _matrix_url(party, product, request.POST.get("back", ""))
    if not party.can_decide:
        return _refuse(request, back, "Your role on this team can see decisions but not make them.")
    if not form.is_valid():
        return _refuse(request, back, " ".join(e for errs in form.errors.values() for e in errs))
    use_type = form.cleaned_data["use"]
    answer = form.cleaned_data["answer"]
    decision_set(
        actor=request.user,
        product=product,
        work=work,
        use_type=use_type,
        side=party.side,
        answer=answer,
    )
    verb = "allowed" if answer == Answer.GRANTED else "refused"
    confirmation = f"Saved: {use_type.name} for {work.title} is now {verb} by you."
    if not request.htmx:
        messages.success(request, confirmation)
        return redirect(back)
    (row,) = selectors.matrix_rows(
        product=product, side=party.side, works=[work], use_types=[use_type], now=timezone.now()
    )
    return render(
        request,
        "consent/matrix.html#cell",
        {
            "cell": row.cells[0],
            "party": party,
            "product": product,
            "confirmation": confirmation,
            "query": request.POST.get("back", ""),
        },
    )


def _refuse(request: AuthedRequest, back: str, message: str) -> HttpResponse:
    if request.htmx:
        response = render(request, "consent/matrix.html#refusal", {"message": message}, status=422)
        return reswap(response, "none")
    messages.error(request, message)
    return redirect(back)


@require_POST
@login_required
def bulk(request: AuthedRequest, kind: str, party_id: int, product_slug: str) -> HttpResponse:
    """Preview, then apply, one answer for one use across many works."""
    party = party_for(request.user, kind.removesuffix("s"), party_id)
    product = _product_for(party, product_slug)
    use_types = selectors.use_types_of(product=product)
    form = BulkForm(request.POST, use_types=use_types)
    back = _matrix_url(party, product)
    if not party.can_decide:
        messages.error(request, "Your role on this team can see decisions but not make them.")
        return redirect(back)
    if not form.is_valid():
        return render(
            request,
            "consent/bulk.html",
            {"party": party, "product": product, "form": form},
            status=422,
        )
    data = form.cleaned_data
    works = party.works()
    if data["scope"] == "filtered":
        works = selectors.works_matching(
            works=works,
            product=product,
            side=party.side,
            use_type_ids=[u.pk for u in use_types],
            q=data["q"],
            state=data["state"],
            now=timezone.now(),
        )
    elif data["scope"] == "selected":
        works = works.filter(pk__in=data["works"])
        if works.count() != len(data["works"]):
            form.add_error(
                None, "Some selected works are not in this catalogue. Nothing was changed."
            )
            return render(
                request,
                "consent/bulk.html",
                {"party": party, "product": product, "form": form},
                status=422,
            )
    total, already = selectors.answer_counts(
        product=product, use_type=data["use"], side=party.side, works=works, answer=data["answer"]
    )
    if not data["confirm"]:
        return render(
            request,
            "consent/bulk.html",
            {
                "party": party,
                "product": product,
                "form": form,
                "total": total,
                "already": already,
                "changing": total - already,
                "sample": list(works.order_by("title")[:5]),
            },
        )
    try:
        outcome = decisions_set(
            actor=request.user,
            product=product,
            use_type=data["use"],
            side=party.side,
            answer=data["answer"],
            works=Work.objects.filter(pk__in=works.values("pk")),
        )
    except ConsentError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    verb = "granted" if data["answer"] == Answer.GRANTED else "denied"
    messages.success(
        request,
        f"{data['use'].name} {verb} for {outcome.changed:,} works "
        f"({outcome.unchanged:,} already were). {outcome.flipped:,} permissions changed.",
    )
    return redirect(back)


@require_http_methods(["GET", "POST"])
@login_required
def stop_everything(request: AuthedRequest, artist_id: int) -> HttpResponse:
    party = artist_party(request.user, artist_id)
    granted, products = selectors.granted_count(artist_id=party.pk)
    if request.method == "POST":
        if not party.can_decide:
            messages.error(request, "Your role on this team can see decisions but not make them.")
            return redirect("artist_home", artist_id=party.pk)
        assert party.artist is not None
        outcome = grants_withdraw_all(actor=request.user, artist=party.artist)
        messages.success(
            request,
            f"Done. {outcome.changed:,} yes answers are now no. Nothing of {party.name}'s "
            "catalogue is permitted for any AI product until you say yes again.",
        )
        return redirect("artist_home", artist_id=party.pk)
    return render(
        request,
        "consent/stop_everything.html",
        {"party": party, "granted": granted, "products": products},
    )


@login_required
def work_history(request: AuthedRequest, work_id: int) -> HttpResponse:
    work = get_object_or_404(
        works_visible_to(request.user).select_related("primary_artist", "label"), pk=work_id
    )
    entries = Paginator(selectors.history_for(work=work), 100).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"work": work, "entries": entries, "Side": Side}
    return render(request, "consent/history.html", context)
