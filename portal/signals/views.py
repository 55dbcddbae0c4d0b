"""The public signals: a work's page (HTML for people, JSON for machines), its CAWG
assertion, TDMRep's rules and policy, and robots.txt.

For anyone, signed in or not, and the same for everyone, so caches may share them. What
a work page says is read afresh on every request; only caches outside the portal keep a
copy, for `SIGNALS_MAX_AGE`.
"""

from typing import Any

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from portal.catalogue.identifiers import isrc_parsed
from portal.signals import cawg, documents, selectors

JSON = "application/json"
HTML = "text/html"
# Site-wide documents change only with a release.
DOCUMENT_MAX_AGE = 3600


def _wants_json(request: HttpRequest) -> bool:
    # Browsers ask for */* among others, which HTML (listed first) satisfies.
    return request.get_preferred_type([HTML, JSON]) == JSON


def _json(data: Any, *, status: int = 200, content_type: str = JSON) -> JsonResponse:
    return JsonResponse(
        data,
        safe=False,
        status=status,
        content_type=content_type,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


def _work_headers(response: HttpResponse, *, public: bool) -> HttpResponse:
    """TDMRep's HTTP technique and the AI Preferences field on every work response; a
    found page is cacheable, and differs by what the client accepts."""
    response[documents.TDM_RESERVATION] = "1"
    response[documents.TDM_POLICY] = settings.PORTAL_BASE_URL + documents.POLICY_PATH
    response["Content-Usage"] = documents.CONTENT_USAGE
    patch_vary_headers(response, ["Accept"])
    if public:
        patch_cache_control(response, public=True, max_age=settings.SIGNALS_MAX_AGE)
    return response


def _not_found(request: HttpRequest, message: str, *, as_json: bool) -> HttpResponse:
    if not as_json:
        raise Http404(message)  # the site's own "not found" page
    body = {"error": {"code": "not_found", "message": message}}
    return _work_headers(_json(body, status=404), public=False)


def _found(
    request: HttpRequest, isrc: str, name: str
) -> tuple[selectors.WorkSignals | None, HttpResponse | None]:
    """The work's signals, or the answer instead: a redirect to the canonical address
    (`USRC17607839` for `us-rc1-76-07839`) or a 404."""
    # The assertion is JSON whoever asks; the page is what the client prefers.
    as_json = name == "work_cawg" or _wants_json(request)
    canonical = isrc_parsed(isrc)
    if canonical is None:
        return None, _not_found(
            request,
            f"{isrc[:40]} is not a valid ISRC (12 characters such as USRC17607839).",
            as_json=as_json,
        )
    if canonical != isrc:
        response = HttpResponsePermanentRedirect(reverse(name, kwargs={"isrc": canonical}))
        return None, _work_headers(response, public=False)
    signals = selectors.work_signals(isrc=canonical, now=timezone.now())
    if signals is None:
        message = f"No recording with ISRC {canonical} is in the catalogue."
        return None, _not_found(request, message, as_json=as_json)
    return signals, None


@require_safe
def work_page(request: HttpRequest, isrc: str) -> HttpResponse:
    """/w/<ISRC>: what AI use of the recording is licensed now, and through which
    products; everything else is reserved. JSON when the client asks for it."""
    signals, refusal = _found(request, isrc, "work_page")
    if signals is None:
        assert refusal is not None
        return refusal
    base_url = settings.PORTAL_BASE_URL
    if _wants_json(request):
        return _work_headers(_json(documents.work_json(signals, base_url=base_url)), public=True)
    context = {
        "signals": signals,
        "work": signals.work,
        "url": documents.work_url(base_url, signals.work.isrc),
        "policy_url": base_url + documents.POLICY_PATH,
        "cawg_url": documents.cawg_url(base_url, signals.work.isrc),
    }
    return _work_headers(render(request, "signals/work.html", context), public=True)


@require_safe
def work_cawg(request: HttpRequest, isrc: str) -> HttpResponse:
    """The work's CAWG training and data mining assertion."""
    signals, refusal = _found(request, isrc, "work_cawg")
    if signals is None:
        assert refusal is not None
        return refusal
    work_url = documents.work_url(settings.PORTAL_BASE_URL, signals.work.isrc)
    response = _json(cawg.training_mining(signals, work_url=work_url))
    return _work_headers(response, public=True)


def _document(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=DOCUMENT_MAX_AGE)
    return response


@require_safe
def tdmrep(request: HttpRequest) -> HttpResponse:
    """/.well-known/tdmrep.json: TDM rights reserved on the work pages, and the policy."""
    return _document(_json(documents.tdmrep_rules(base_url=settings.PORTAL_BASE_URL)))


@require_safe
def tdm_policy(request: HttpRequest) -> HttpResponse:
    """The TDM Policy the rules point at, as TDMRep's JSON-LD."""
    policy = documents.tdm_policy(base_url=settings.PORTAL_BASE_URL)
    return _document(_json(policy, content_type="application/ld+json"))


@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    text = documents.robots_txt(base_url=settings.PORTAL_BASE_URL)
    return _document(HttpResponse(text, content_type="text/plain; charset=utf-8"))
