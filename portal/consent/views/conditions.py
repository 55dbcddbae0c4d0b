"""A yes with conditions, for one work and use: what the product does with it and what
a yes pays, then the conditions, each explained, then the answer."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from portal.accounts.http import AuthedRequest
from portal.consent.access import READ_ONLY, Party, product_view
from portal.consent.conditions import conditions_of
from portal.consent.forms import ConditionsForm
from portal.consent.models import Answer, Decision
from portal.consent.services import ConsentError, decision_set
from portal.consent.views.artist import shares_words
from portal.consent.views.decisions import matrix_url
from portal.consent.wording import condition_names, conditions_words
from portal.licensing.models import Condition, Licence, Product, UseType


def _initial(
    credit: str, decision: Decision | None, vocabulary: list[Condition]
) -> dict[str, object]:
    """The form as the current yes left it; a credit line starts as the artist's name."""
    initial: dict[str, object] = {}
    for condition in vocabulary:
        if condition.parameter == Condition.Parameter.CREDIT:
            initial[f"{condition.code}__credit"] = credit
    if decision is None or decision.answer != Answer.GRANTED:
        return initial
    for given in conditions_of(decision.conditions):
        initial[given.code] = True
        if given.credit:
            initial[f"{given.code}__credit"] = given.credit
        if given.allow:
            initial[f"{given.code}__allow"] = list(given.allow)
    return initial


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
    vocabulary = list(Condition.objects.all())
    honoured = set(product.conditions_honoured.values_list("code", flat=True))
    cannot = {c.code for c in vocabulary} - honoured
    decision = Decision.objects.filter(
        product=product, work=work, use_type=use_type, side=party.side
    ).first()
    form = ConditionsForm(
        request.POST if request.method == "POST" else None,
        use_types=use_types,
        vocabulary=vocabulary,
        cannot=cannot,
        initial={"use": use_type.slug, **_initial(work.primary_artist.name, decision, vocabulary)},
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
            )
        except ConsentError as exc:
            form.add_error(None, str(exc))
        else:
            words = conditions_words(given, condition_names())
            by = f"for {party.name}" if party.delegation else "by you"
            messages.success(
                request,
                f"Saved: {use_type.name} for {work.title} is now allowed {by}"
                + (f", with conditions: {words}." if words else ", without conditions."),
            )
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
        "cannot": [c for c in vocabulary if c.code in cannot],
        "back": back,
        "back_query": data.get("back", ""),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "consent/conditions.html", context, status=status)
