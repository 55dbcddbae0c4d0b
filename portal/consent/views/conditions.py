"""Yes with conditions: for one work and use (what the product does with it and what a
yes pays, then the conditions, each explained), and a party's default for a product,
which every plain yes to it then carries."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from portal.accounts.http import AuthedRequest
from portal.consent import selectors
from portal.consent.access import READ_ONLY, Party, later_by_default, party_key, product_view
from portal.consent.conditions import Conditions, conditions_of
from portal.consent.forms import ConditionsForm
from portal.consent.models import Answer, Decision
from portal.consent.services import ConsentError, condition_default_set, decision_set
from portal.consent.views.artist import shares_words
from portal.consent.views.decisions import matrix_url
from portal.consent.wording import condition_names, conditions_words
from portal.licensing.models import Condition, Licence, Product, UseType

OWN_DEFAULTS = "Only the artist's team sets the conditions their yes carries by default."


def _initial(credit: str, conditions: Conditions, vocabulary: list[Condition]) -> dict[str, object]:
    """The form as `conditions` have it; a credit line starts as the artist's name."""
    initial: dict[str, object] = {}
    for condition in vocabulary:
        if condition.parameter == Condition.Parameter.CREDIT:
            initial[f"{condition.code}__credit"] = credit
    for given in conditions:
        initial[given.code] = True
        if given.credit:
            initial[f"{given.code}__credit"] = given.credit
        if given.allow:
            initial[f"{given.code}__allow"] = list(given.allow)
    return initial


def _reaches_later(party: Party, decision: Decision | None) -> bool:
    if decision is not None and decision.answer == Answer.GRANTED:
        return decision.later_versions
    return later_by_default(party)


def _vocabulary(product: Product) -> tuple[list[Condition], set[str]]:
    """Every condition, and the codes of those the product cannot honour (two queries)."""
    vocabulary = list(Condition.objects.all())
    honoured = set(product.conditions_honoured.values_list("code", flat=True))
    return vocabulary, {c.code for c in vocabulary} - honoured


def _said(conditions: Conditions) -> str:
    words = conditions_words(conditions, condition_names())
    return f"with conditions: {words}" if words else "without conditions"


@product_view
def conditions(
    request: AuthedRequest, party: Party, product: Product, use_types: list[UseType], work_id: int
) -> HttpResponse:
    work = get_object_or_404(party.works().select_related("primary_artist", "label"), pk=work_id)
    data = request.POST if request.method == "POST" else request.GET
    back = matrix_url(party, product, data.get("back", ""))
    if not party.can_decide:
        messages.error(request, READ_ONLY)
        return redirect(back)
    use_type = next((u for u in use_types if u.slug == data.get("use")), None)
    if use_type is None:
        messages.error(request, "This product does not ask for that use.")
        return redirect(back)
    vocabulary, cannot = _vocabulary(product)
    decision = Decision.objects.filter(
        product=product, work=work, use_type=use_type, side=party.side
    ).first()
    current = (
        conditions_of(decision.conditions)
        if decision is not None and decision.answer == Answer.GRANTED
        else selectors.default_conditions(product=product, **party_key(party))
    )
    form = ConditionsForm(
        request.POST if request.method == "POST" else None,
        use_types=use_types,
        vocabulary=vocabulary,
        cannot=cannot,
        own_defaults=party.delegation is None,
        initial={
            "use": use_type.slug,
            "reach": "later" if _reaches_later(party, decision) else "this",
            **_initial(work.primary_artist.name, current, vocabulary),
        },
    )
    if request.method == "POST" and form.is_valid():
        given = form.conditions()
        try:
            decision_set(
                actor=request.user,
                product=product,
                work=work,
                use_type=use_type,
                side=party.side,
                answer=Answer.GRANTED,
                conditions=given,
                delegation=party.delegation,
                later_versions=(
                    form.cleaned_data["reach"] == "later"
                    if form.cleaned_data["reach"]
                    else later_by_default(party)
                ),
            )
            if form.cleaned_data.get("make_default"):
                condition_default_set(
                    actor=request.user, product=product, conditions=given, **party_key(party)
                )
        except ConsentError as exc:
            form.add_error(None, str(exc))
        else:
            by = f"for {party.name}" if party.delegation else "by you"
            said = f"Saved: {use_type.name} for {work.title} is now allowed {by}, {_said(given)}."
            if form.cleaned_data.get("make_default"):
                said += f" Every yes to {product.name} carries them from now on."
            messages.success(request, said)
            return redirect(back)
    licences = list(
        Licence.objects.filter(
            licensee_id=product.licensee_id, label_id=work.label_id
        ).prefetch_related("shares")
    )
    context = {
        "party": party,
        "product": product,
        "work": work,
        "use_type": use_type,
        "purpose": product.uses.filter(use_type=use_type).values_list("purpose", flat=True).first(),
        "share": shares_words(licences, use_type.pk),
        "form": form,
        "legend": f"Allow {use_type.name.lower()} only if {product.name}…",
        "cannot": [c for c in vocabulary if c.code in cannot],
        "back": back,
        "back_query": data.get("back", ""),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "consent/conditions.html", context, status=status)


@product_view
def product_conditions(
    request: AuthedRequest, party: Party, product: Product, use_types: list[UseType]
) -> HttpResponse:
    """The conditions every plain yes of the party to the product carries from now on.
    The artist's own and the label's own: a label acting under a delegation follows the
    artist's and cannot change them."""
    back = matrix_url(party, product)
    if not party.can_decide or party.delegation is not None:
        messages.error(request, READ_ONLY if not party.can_decide else OWN_DEFAULTS)
        return redirect(back)
    vocabulary, cannot = _vocabulary(product)
    current = selectors.default_conditions(product=product, **party_key(party))
    credit = party.artist.name if party.artist is not None else ""
    form = ConditionsForm(
        request.POST if request.method == "POST" else None,
        use_types=None,
        vocabulary=vocabulary,
        cannot=cannot,
        initial=_initial(credit, current, vocabulary),
    )
    if request.method == "POST" and form.is_valid():
        given = form.conditions()
        try:
            condition_default_set(
                actor=request.user, product=product, conditions=given, **party_key(party)
            )
        except ConsentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Saved: every yes to {product.name} from now on is given {_said(given)}. "
                "Answers already given keep theirs.",
            )
            return redirect(back)
    context = {
        "party": party,
        "product": product,
        "form": form,
        "current": conditions_words(current, condition_names()),
        "legend": f"Every yes to {product.name}, unless you choose otherwise, only if it…",
        "cannot": [c for c in vocabulary if c.code in cannot],
        "back": back,
        "action": reverse("product_conditions", args=[party.plural, party.pk, product.slug]),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "consent/product_conditions.html", context, status=status)
