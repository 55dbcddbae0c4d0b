"""After a product changed what it does: its versions, and keeping one's yes answers for
the new version in one action, with the exact preview."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from portal.accounts.http import AuthedRequest
from portal.consent.access import READ_ONLY, Party, product_view
from portal.consent.selectors.versions import keep_preview, versions_of
from portal.consent.services import ConsentError
from portal.consent.services.versions import answers_keep
from portal.consent.views.decisions import matrix_url
from portal.licensing.models import Product, UseType
from portal.words import counted


@product_view
def keep_answers(
    request: AuthedRequest, party: Party, product: Product, use_types: list[UseType]
) -> HttpResponse:
    back = matrix_url(party, product)
    if request.method == "POST":
        if not party.can_decide:
            messages.error(request, READ_ONLY)
            return redirect(back)
        try:
            outcome = answers_keep(
                actor=request.user,
                product=product,
                side=party.side,
                works=party.works(),
                use_type_ids=[u.pk for u in use_types],
                delegation=party.delegation,
            )
        except ConsentError as exc:
            messages.error(request, f"{exc} Nothing was changed.")
            return redirect(back)
        messages.success(
            request,
            f"Kept {counted(outcome.changed, 'yes answer')} for {product.name}'s new version; "
            f"{counted(outcome.flipped, 'permission')} changed.",
        )
        return redirect(back)
    versions = versions_of(product=product)
    context = {
        "party": party,
        "product": product,
        "versions": versions,
        "material": next((v for v in versions if v.number == product.material_version), None),
        "preview": keep_preview(
            product=product,
            side=party.side,
            works=party.works(),
            use_type_ids=[u.pk for u in use_types],
        ),
        "back": back,
    }
    return render(request, "consent/keep_answers.html", context)
