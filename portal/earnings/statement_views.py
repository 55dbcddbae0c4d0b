"""Not built yet."""

from django.http import Http404, HttpRequest, HttpResponse


def artist_credits(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def artist_statements(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def artist_statement(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def artist_statement_csv(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def label_statements(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def label_statement(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


def label_statement_csv(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
