"""Middleware: a request id for every request and its latency in the metrics (outermost),
and answers meant for one person kept out of every cache."""

import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from portal.accounts.http import signed_in
from portal.ops.logs import request_id
from portal.ops.metrics import request_observe

HEADER = "X-Request-ID"
# A proxy's or client's id is kept only if it cannot smuggle anything into a log line or
# a header: short, and letters, digits, dot, dash and underscore.
VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_of(request: HttpRequest) -> str:
    incoming = request.headers.get(HEADER, "")
    return incoming if VALID_ID.fullmatch(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Takes the caller's `X-Request-ID` (or makes one), has every log line written while
    handling the request carry it, and sends it back, so a user's report, a proxy's log
    and ours can be matched. The id is cleared when the response has been sent
    (`portal.ops.logs`), not here: Django logs error responses after this returns."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        value = request_id_of(request)
        request_id.set(value)
        response = self.get_response(request)
        response[HEADER] = value
        return response


class RequestMetricsMiddleware:
    """Times every request, labelled by the route's view name (never the raw path, so a
    scan of random URLs cannot blow up the number of series)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        request_observe(
            request=request, status=response.status_code, seconds=time.perf_counter() - started
        )
        return response


def _download(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "")
    disposition = response.get("Content-Disposition", "")
    return content_type.startswith("text/csv") or disposition.startswith("attachment")


class PrivateNoStoreMiddleware:
    """`Cache-Control: no-store, private` on every answer to a signed-in person and on
    every download (CSV or any attachment), added to whatever the view chose unless it
    made the answer `public` or `no-store` already: pages and exports hold one person's
    catalogue, decisions and earnings, so no browser cache, back button after sign-out or
    shared proxy may keep a copy (ASVS 8.2.1). Static files (WhiteNoise, above this) and
    the API (its own `no-store`) never reach this rule."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _chosen(response) or not (_download(response) or signed_in(request)):
            return response
        patch_cache_control(response, no_store=True, private=True)
        return response


def _chosen(response: HttpResponse) -> bool:
    """Whether the view settled it already: anyone may cache it (the published keys), or
    nobody may store it (the API)."""
    directives = {d.strip() for d in response.get("Cache-Control", "").lower().split(",")}
    return bool(directives & {"public", "no-store"})
