"""Sign-in while Redis is unreachable: refused with a page that says so, never a 500.

allauth counts failed passwords, password resets and sign-ups, and remembers spent TOTP
codes, in the default cache (Redis). Without it those checks cannot run, and signing in
without them would switch off the only brake on password guessing and let one TOTP code
open several sessions. So they fail closed: the request answers 503 with a "try again in
a minute" page and nothing is changed. People already signed in carry on (sessions live
in PostgreSQL), and the machine API fails open on its own cache (portal/api/ratelimit.py).
"""

import logging
from collections.abc import Callable

import redis
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

# What an unreachable, refusing or too slow Redis raises.
OUTAGES = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
RETRY_AFTER_SECONDS = 30


class CacheOutageMiddleware:
    """Turns a Redis outage inside a view (in practice, allauth's rate limits and TOTP
    check) into a 503 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OUTAGES):
            return None
        # The view's name, not the path: a path may carry a password-reset key.
        match = request.resolver_match
        logger.warning(
            "Refused %s %s: the cache (Redis) is unreachable",
            request.method,
            match.view_name if match else "-",
            exc_info=exception,
        )
        response = render(request, "account/unavailable.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
