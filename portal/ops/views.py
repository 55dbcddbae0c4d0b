"""Probes and metrics for machines: no login, no session, JSON or Prometheus text.

Reached over plain HTTP too (SECURE_REDIRECT_EXEMPT in production), since load balancers
and Prometheus talk to an instance directly, not through the HTTPS front door.
"""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from portal.ops.metrics import exposition
from portal.ops.readiness import readiness

TEXT = "text/plain; charset=utf-8"


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches nothing else, so a database outage never
    gets every web process restarted."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 when every check passes, 503 when one fails. Anyone gets the status;
    which checks failed, worker counts, lags and timings go only to the callers /metrics
    serves, since they map the deployment for whoever asks."""
    result = readiness()
    body = result.as_json() if trusted_caller(request) else result.status_json()
    return JsonResponse(body, status=200 if result.ready else 503)


FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_REAL_IP",
)


def _loopback(request: HttpRequest) -> bool:
    # A proxy on the same host makes every request look local; one that says it forwarded
    # the request is not trusted as local. Production's proxy must send X-Forwarded-Proto
    # (SECURE_PROXY_SSL_HEADER), so even one that adds nothing else is caught.
    if any(header in request.META for header in FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def trusted_caller(request: HttpRequest) -> bool:
    """Who may read /metrics and /readyz's detail. With METRICS_TOKEN set, only
    `Authorization: Bearer <token>` (compared in constant time); without it, only a
    direct connection from this host."""
    token = settings.METRICS_TOKEN
    if not token:
        return _loopback(request)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def _refused() -> HttpResponse:
    if settings.METRICS_TOKEN:
        response = HttpResponse("A bearer token is required.\n", status=401, content_type=TEXT)
        response["WWW-Authenticate"] = "Bearer"
        return response
    return HttpResponse(
        "Only from this host; set METRICS_TOKEN to scrape from elsewhere.\n",
        status=403,
        content_type=TEXT,
    )


@require_safe
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics (docs/operations.md lists them)."""
    if not trusted_caller(request):
        return _refused()
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
