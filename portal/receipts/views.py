"""The published verification keys, and a work's receipts for the people who may see it."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from portal.accounts.http import AuthedRequest
from portal.catalogue.models import Work
from portal.consent.access import work_view
from portal.receipts import keys
from portal.receipts.selectors import entries_for_receipts
from portal.receipts.signing import receipt_claims, receipt_for

# Verifiers may cache the key set for an hour; a retired key stays published for much
# longer than that (docs/receipts.md), so a cached set never misses a current key.
JWKS_MAX_AGE = 3600


@require_safe
def jwks(request: HttpRequest) -> HttpResponse:
    """The public keys that verify receipts. Public on purpose: no login, any origin."""
    response = JsonResponse(keys.jwks())
    patch_cache_control(response, public=True, max_age=JWKS_MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@work_view
def receipt_download(request: AuthedRequest, work: Work, position: int) -> HttpResponse:
    """One ledger entry's receipt: the compact JWS as a file, or with `?format=json` the
    JWS beside its claims. A work the user may not see, or a position that is another
    work's, is a 404."""
    entry = get_object_or_404(entries_for_receipts(), work=work, position=position)
    receipt = receipt_for(entry)
    if request.GET.get("format") == "json":
        response: HttpResponse = JsonResponse(
            {
                "receipt": receipt,
                "claims": receipt_claims(entry),
                "jwks_uri": request.build_absolute_uri(reverse("jwks")),
            }
        )
    else:
        response = HttpResponse(receipt, content_type="application/jwt")
        response["Content-Disposition"] = f'attachment; filename="receipt-{entry.position}.jws"'
    patch_cache_control(response, private=True)
    return response
