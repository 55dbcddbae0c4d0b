"""The bench server's URLconf: the whole site, plus the framework floor at /bench/floor."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from config.urls import handler400, handler403, handler404, handler500


def floor(request: HttpRequest) -> JsonResponse:
    """A bare Django JSON view: the same server, settings and middleware as the consent
    check, but no authentication, no SQL and no cache. Nothing served can be faster."""
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/floor", floor, name="bench_floor"),
    path("", include("config.urls")),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
