"""The machine API's HTTP conventions: JSON in, JSON out, and errors of one shape.

Every response under /api/v1/ is JSON, whatever goes wrong: a view answers with one of
the models in `schemas` (`answer()`), or raises `ApiError`, and `endpoint()` turns it
(or anything unexpected, as a 500) into `{"error": {"code": ..., "message": ...}}`. No
HTML page ever reaches a product.
"""

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from portal.api.keys import TOKEN_PATTERN, key_hash
from portal.api.schemas import Answer, Error, ErrorBody, ItemMistake
from portal.earnings.schemas import Mistake
from portal.numbers import written_decimal, written_int

logger = logging.getLogger(__name__)

JSON = "application/json"
# A streamed answer too: a completed manifest's findings, of any size.
Handler = Callable[..., HttpResponse | StreamingHttpResponse]


class ApiError(Exception):
    """A failure the product should see, with its status and stable code."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Sequence[Mistake | ItemMistake] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details, dict(headers or {})

    def response(self) -> HttpResponse:
        return error_response(
            self.status, self.code, self.message, details=self.details, headers=self.headers
        )


def _default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _response(body: str | bytes, status: int, headers: Mapping[str, str] | None) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=JSON)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def json_response(
    data: object, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """A document that is not an answer (the OpenAPI document itself)."""
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=_default)
    return _response(body, status, headers)


def body_response(body: bytes) -> HttpResponse:
    """An answer serialised before (`api.kept`), given again as it was."""
    return _response(body, 200, None)


def answer(
    model: Answer, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """An answer as its declared model serialises it."""
    return _response(model.model_dump_json(), status, headers)


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    details: Sequence[Mistake | ItemMistake] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    body = ErrorBody(
        code=code, message=message, details=list(details) if details is not None else None
    )
    return answer(Error(error=body), status=status, headers=headers)


UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer"}


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers=UNAUTHORIZED_HEADERS)


def bad_key() -> ApiError:
    return unauthorized("This API key is not valid, or it has been revoked.")


def bearer_key_hash(request: HttpRequest) -> str:
    """The SHA-256 of the bearer key, or 401 when there is none worth looking up."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Send your product's API key as `Authorization: Bearer <key>`.")
    token = token.strip()
    if not TOKEN_PATTERN.fullmatch(token):
        raise bad_key()
    return key_hash(token)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def read_body(request: HttpRequest, *, limit: int) -> bytes:
    """The raw body; 413 when it is over `limit` bytes, refused before it is read when
    its length is announced.

    A chunked body has no Content-Length, so Django reads it as empty. When the server
    says the input ends where the body does (`wsgi.input_terminated`, as gunicorn does),
    it is read from the server's stream instead, up to one byte over the limit.
    """
    too_large = ApiError(413, "payload_too_large", f"The body is over {limit:,} bytes.")
    announced = request.META.get("CONTENT_LENGTH")
    try:
        length = int(announced or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise too_large
    if not announced and request.META.get("wsgi.input_terminated"):
        stream = request.META["wsgi.input"]
    else:
        # From the stream, not request.body, so each endpoint sets its own limit.
        stream = request
    try:
        body = _read_up_to(stream, limit + 1)
    except RequestDataTooBig as exc:
        raise too_large from exc
    if len(body) > limit:
        raise too_large
    return body


def _read_up_to(stream: Any, size: int) -> bytes:
    """Up to `size` bytes: a server's stream may hand a chunked body over in pieces."""
    parts, left = [], size
    while left > 0:
        part = stream.read(left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


# Our documents are a few levels deep (a report, its lines, a line). Deeper nesting is
# refused before anything walks it: deep enough, a repr() or a json.loads() would reach
# Python's recursion limit.
MAX_DEPTH = 32


def _deeper_than(value: object, limit: int) -> bool:
    """Whether `value` nests lists and objects more than `limit` levels deep; level by
    level, without recursion. json.loads makes exactly dicts and lists, and comparing
    types is twice as fast as isinstance over a report's 100,000 lines."""
    level: list[Any] = [value] if type(value) in (dict, list) else []
    for _ in range(limit):
        level = [
            child
            for node in level
            for child in (node.values() if type(node) is dict else node)
            if type(child) in (dict, list)
        ]
        if not level:
            return False
    return True


def parse_json(body: bytes) -> Any:
    """JSON with numbers that have a fraction as exact Decimals, never floats, each
    number remembering how it was written (`portal.numbers`), nested at most MAX_DEPTH
    levels."""
    too_deep = ApiError(
        400, "invalid_request", f"The body is nested too deeply (at most {MAX_DEPTH} levels)."
    )
    try:
        data = json.loads(
            body,
            parse_float=written_decimal,
            parse_int=written_int,
            parse_constant=_reject_constant,
        )
    except RecursionError as exc:
        raise too_deep from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid_request", "The body is not valid JSON.") from exc
    if _deeper_than(data, MAX_DEPTH):
        raise too_deep
    return data


def endpoint(**handlers: Handler) -> Callable[..., HttpResponse | StreamingHttpResponse]:
    """One URL, a handler per method (`GET=..., POST=...`). Wrong method: JSON 405.

    CSRF does not apply: products authenticate with a bearer key, never a cookie.
    """
    if "GET" in handlers:
        handlers.setdefault("HEAD", handlers["GET"])
    allowed = ", ".join(sorted(handlers))

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse | StreamingHttpResponse:
        handler = handlers.get(request.method or "")
        if handler is None:
            return error_response(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed here; use {allowed}.",
                headers={"Allow": allowed},
            )
        try:
            response = handler(request, **kwargs)
        except ApiError as exc:
            response = exc.response()
        except Exception:
            logger.exception("API %s %s failed", request.method, request.path)
            response = error_response(
                500, "server_error", "Something went wrong on our side; try again shortly."
            )
        # Answers change the moment a permission does: no proxy or client may keep one.
        response.setdefault("Cache-Control", "no-store")
        return response

    return view
