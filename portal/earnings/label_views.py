"""Not built yet."""

from django.http import Http404, HttpRequest, HttpResponse


def label_earnings(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def label_earnings_csv(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def label_usage_flags(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
