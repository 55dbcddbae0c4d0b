"""Control characters in a page request's address or form are refused before any view
reads them: a plain 400, never a 500 from a database that cannot store a NUL.

Forms refuse NUL themselves (Django's CharField does), but a view that reads
request.GET directly does not, and nothing refuses the other control characters. What
is refused is portal.text's rule for any text (C0 controls but TAB, LF and CR; DEL;
C1 controls): passwords and notes may hold line breaks, so they pass here. The API
(/api/) is left to its views: they answer in JSON naming the field, and only after the
key has been checked.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string

from portal.text import code_point, control_in

API_PREFIX = "/api/"


def _in_fields(fields: QueryDict, kind: str) -> str | None:
    """Where in `fields` the first control character is, in words, or None."""
    for name, values in fields.lists():
        for text in (name, *values):
            if (char := control_in(text, multiline=True)) is not None:
                shown = f" “{name}”" if control_in(name) is None and len(name) <= 40 else ""
                return f"The {kind}{shown} holds a control character ({code_point(char)})"
    return None


def control_found(request: HttpRequest) -> str | None:
    """Where the request's address or form holds a control character, or None."""
    if (char := control_in(request.path_info)) is not None:
        return f"The address holds a control character ({code_point(char)})"
    found = _in_fields(request.GET, "address's parameter")
    if found is None and request.method == "POST":
        found = _in_fields(request.POST, "form field")
    return found


class ControlCharactersMiddleware:
    """Answers 400 to a page request with a control character in its address or form.
    Last in MIDDLEWARE, so the answer still carries every security header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = None if request.path_info.startswith(API_PREFIX) else control_found(request)
        if found is not None:
            reason = f"{found}, which nothing here can take. Go back and send it without."
            return HttpResponse(render_to_string("400.html", {"reason": reason}), status=400)
        return self.get_response(request)
