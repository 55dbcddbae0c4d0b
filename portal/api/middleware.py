"""The machine API skips the middleware that serves people.

Every answer under /api/ but its index page is JSON for a product holding a bearer key:
no session, cookie, CSRF token, message, sign-in, MFA, time zone, htmx or page Content
Security Policy applies to it. Placed after the middleware every answer needs (request
id, metrics, and the security headers and HTTPS redirect), this sends those requests
straight to their view, resolved and called by Django's own handler code; pages go on
through the rest of MIDDLEWARE.
"""

from collections.abc import Callable
from typing import cast

from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponseBase

API_PREFIX = "/api/"
# The API's page for people (`api_index`): a page like any other, with its middleware,
# which also sends the address without its slash on to it.
INDEX = "/api/v1/"
PAGES = frozenset({INDEX, INDEX.rstrip("/")})

Respond = Callable[[HttpRequest], HttpResponseBase]


class _Views(BaseHandler):
    """Django's resolve-and-call (`BaseHandler._get_response`), with no middleware."""

    def __init__(self) -> None:
        self._view_middleware: list[Respond] = []
        self._template_response_middleware: list[Respond] = []
        self._exception_middleware: list[Respond] = []


class MachineApiMiddleware:
    def __init__(self, get_response: Respond) -> None:
        self.get_response = get_response
        views = _Views()._get_response  # type: ignore[attr-defined]  # the stubs omit it
        self.view_response = cast(Respond, convert_exception_to_response(views))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        if path.startswith(API_PREFIX) and path not in PAGES:
            return self.view_response(request)
        return self.get_response(request)
