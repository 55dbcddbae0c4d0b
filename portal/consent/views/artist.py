"""The artist's own screens: home, stop everything, delegation, activity."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.http import AuthedRequest
from portal.consent import selectors
from portal.consent.access import READ_ONLY, Party, PartyKind, party_view
from portal.consent.delegation_forms import SCOPE_ALL, SCOPE_CHOSEN, DelegationForm
from portal.consent.forms import ReachForm
from portal.consent.models import Delegation, Side
from portal.consent.selectors import versions
from portal.consent.selectors.batches import batches_of
from portal.consent.services import (
    ConsentError,
    artist_reach_set,
    delegation_grant,
    delegation_revoke,
    grants_withdraw_all,
)
from portal.consent.wording import delegation_scope, scope_words
from portal.licensing.models import Licence, UseType


def shares_words(licences: list[Licence], use_type_id: int) -> str:
    """The artist's percent of what the product pays for one use, under the licences with
    the artist's labels: "50%", or "45% or 50%" where two labels' licences differ."""
    shares = sorted({licence.artist_share_for(use_type_id) for licence in licences})
    return " or ".join(f"{share.normalize():f}%" for share in shares)  # 62.50 as 62.5%


def product_cards(party: Party) -> list[dict[str, object]]:
    """Each product asking for the party's works, with this side's tallies per use, its
    licences with the party's labels and the artist's share of what it pays per use."""
    works = party.works()
    products = selectors.products_requesting(works=works)
    # The cards say what each product can honour and pays; the product page needs neither.
    prefetch_related_objects(products, "conditions_honoured", "licensee__licences__shares")
    tallies = selectors.tallies(products=products, works=works, side=party.side, artist_id=party.pk)
    label_ids = selectors.label_ids_of(party=party)
    changed = versions.material_changes(products=products, side=party.side, works=works)
    cards = []
    for product in products:
        licences = [lc for lc in product.licensee.licences.all() if lc.label_id in label_ids]
        uses = [
            (product_use, tallies[(product.pk, product_use.use_type_id)])
            for product_use in product.uses.all()
        ]
        cards.append(
            {
                "product": product,
                "uses": uses,
                "waiting": sum(t.waiting for _, t in uses),
                "licences": licences,
                # The version that changed what it does, and the answers it asks again.
                "changed": changed.get(product.pk),
                "shares": [
                    (
                        product_use.use_type.name.lower(),
                        shares_words(licences, product_use.use_type_id),
                    )
                    for product_use in product.uses.all()
                ],
            }
        )
    return cards


@party_view(PartyKind.ARTISTS)
def artist_home(request: AuthedRequest, party: Party) -> HttpResponse:
    """The products asking for the catalogue and what waits for an answer; below, what
    the latest month with earnings paid (the page's `latest_paid` tag: one query,
    whatever the catalogue)."""
    context = {
        "party": party,
        "cards": product_cards(party),
        "work_count": party.works().count(),
        "delegation": Delegation.objects.filter(
            artist_id=party.pk, revoked_at__isnull=True
        ).first(),
        "this_month": timezone.now().date().replace(day=1),
    }
    return render(request, "consent/artist_home.html", context)


@require_http_methods(["GET", "POST"])
@party_view(PartyKind.ARTISTS)
def stop_everything(request: AuthedRequest, party: Party) -> HttpResponse:
    granted, products = selectors.granted_count(artist_id=party.pk)
    if request.method == "POST":
        if not party.can_decide:
            messages.error(request, READ_ONLY)
            return redirect("artist_home", artist_id=party.pk)
        assert party.artist is not None
        try:
            outcome = grants_withdraw_all(actor=request.user, artist=party.artist)
        except ConsentError as exc:
            # The role went between the page's check and the service's, which holds it
            # under lock: the person may no longer see this artist, so home decides where.
            messages.error(request, str(exc))
            return redirect("home")
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


@require_POST
@party_view(PartyKind.ARTISTS)
def artist_reach(request: AuthedRequest, party: Party) -> HttpResponse:
    """Whether the artist's yes covers a product's later versions unless they say
    otherwise; answers already given keep their own."""
    form = ReachForm(request.POST)
    if not party.can_decide:
        messages.error(request, READ_ONLY)
    elif not form.is_valid():
        messages.error(request, "Choose which versions a yes covers.")
    else:
        assert party.artist is not None
        later = form.cleaned_data["reach"] == "later"
        artist_reach_set(artist=party.artist, later_versions=later)
        said = (
            "later versions too, until you say otherwise"
            if later
            else "only the version it is given for: you are asked again when a product "
            "changes what it does"
        )
        messages.success(request, f"Saved: from now on a yes covers {said}.")
    return redirect("artist_home", artist_id=party.pk)


@require_http_methods(["GET", "POST"])
@party_view(PartyKind.ARTISTS)
def delegation(request: AuthedRequest, party: Party) -> HttpResponse:
    """Let the label decide the artist side (for all or some products and uses), or stop it.

    Only the team's admins change it; everyone on the team sees it."""
    assert party.artist is not None
    current = (
        Delegation.objects.filter(artist=party.artist, revoked_at__isnull=True)
        .select_related("label")
        .prefetch_related("products", "use_types")
        .first()
    )
    products = selectors.products_requesting(works=party.works())
    use_types = list(UseType.objects.filter(products__in=products).distinct())
    # Changing a delegation starts from what it covers now.
    initial = (
        {
            "products": list(current.products.all()),
            "use_types": list(current.use_types.all()),
            "product_scope": SCOPE_CHOSEN if current.products.exists() else SCOPE_ALL,
            "use_scope": SCOPE_CHOSEN if current.use_types.exists() else SCOPE_ALL,
        }
        if current is not None
        else {}
    )
    form = DelegationForm(
        request.POST if request.method == "POST" else None,
        products=products,
        use_types=use_types,
        initial=initial,
    )
    if request.method == "POST":
        if not party.can_manage:
            messages.error(request, "Only the team's admins can change who decides for you.")
            return redirect("artist_delegation", artist_id=party.pk)
        try:
            if request.POST.get("action") == "revoke":
                if current is not None:
                    delegation_revoke(actor=request.user, delegation=current)
                    messages.success(
                        request,
                        f"{current.label.name} can no longer decide for you. Answers they "
                        "gave stand until you change them.",
                    )
                return redirect("artist_delegation", artist_id=party.pk)
            if form.is_valid() and not form.cleaned_data["confirmed"]:
                # First say what it covers; the confirmation sends the same choice again.
                return render(
                    request,
                    "consent/delegation.html",
                    {
                        "party": party,
                        "current": current,
                        "scope": delegation_scope(current) if current else "",
                        "form": form,
                        "confirming": scope_words(
                            form.cleaned_data["products"], form.cleaned_data["use_types"]
                        ),
                    },
                )
            if form.is_valid():
                granted = delegation_grant(
                    actor=request.user,
                    artist=party.artist,
                    products=form.cleaned_data["products"],
                    use_types=form.cleaned_data["use_types"],
                )
                messages.success(
                    request,
                    f"{granted.label.name} can now decide for you: {delegation_scope(granted)}. "
                    "You can stop this at any time.",
                )
                return redirect("artist_delegation", artist_id=party.pk)
        except ConsentError as exc:
            messages.error(request, str(exc))
    context = {
        "party": party,
        "current": current,
        "scope": delegation_scope(current) if current else "",
        "form": form,
    }
    return render(request, "consent/delegation.html", context, status=422 if form.errors else 200)


@party_view(PartyKind.ARTISTS)
def artist_activity(request: AuthedRequest, party: Party) -> HttpResponse:
    """Every decision on the artist's works, by whom and for whom, every delegation, and
    the answers given in one go that can still be undone."""
    entries = Paginator(selectors.activity_for(works=party.works()), 50).get_page(
        request.GET.get("page")
    )
    delegations = Delegation.objects.filter(artist_id=party.pk).select_related(
        "label", "granted_by", "revoked_by"
    )
    context = {
        "party": party,
        "entries": entries,
        "delegations": delegations,
        "batches": batches_of(party=party, now=timezone.now())[:20],
        "Side": Side,
    }
    return render(request, "consent/activity.html", context)
