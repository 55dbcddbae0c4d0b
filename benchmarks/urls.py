"""The bench server's URLconf: the whole site, plus two framework floors.

- `/bench/floor`: a bare Django JSON view through the site's whole middleware, as every
  page is served: the floor the consent check is measured against.
- `/api/bench/floor`: the same view on the API's path, through the API's shorter stack
  (`portal.api.middleware`): what any answer under /api/ costs before it does anything.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from config.urls import handler400, handler403, handler404, handler500


def floor(request: HttpRequest) -> JsonResponse:
    """No authentication, no SQL and no cache."""
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/floor", floor, name="bench_floor"),
    path("api/bench/floor", floor, name="bench_api_floor"),
    path("", include("config.urls")),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
