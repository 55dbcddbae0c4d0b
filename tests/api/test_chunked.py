"""Bodies sent chunked (Transfer-Encoding: chunked, no Content-Length), through the server
production runs: gunicorn, started here on a free port against this run's test database.
Django alone reads such a body as empty; the API reads it from the server's stream, and
an oversized one is a 413, not a 400."""

import http.client
import io
import json
from collections.abc import Iterator

import pytest
from django.core.handlers.wsgi import WSGIRequest

from portal.api.http import ApiError, read_body
from portal.api.services import api_key_issue
from portal.api.views import CHECK_BODY_LIMIT
from portal.earnings.models import UsageLine, UsageReport
from tests.conftest import World


def chunks(body: bytes, size: int = 16 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def post_chunked(port: int, path: str, body: bytes, key: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        # An iterable body with no Content-Length goes as Transfer-Encoding: chunked.
        conn.request("POST", path, body=chunks(body), headers=headers, encode_chunked=True)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def usage_report(world: World) -> bytes:
    lines = [
        {"isrc": work.isrc, "use": "training", "units": 1, "gross": "1.00", "credit": "x" * 200}
        for work in world.works
    ]
    report = {
        "reference": "chunked",
        "period": {"start": "2026-10-01", "end": "2026-10-31"},
        "currency": "EUR",
        "lines": lines,
    }
    return json.dumps(report).encode()


def test_a_chunked_usage_report_is_read_whole_and_stored(world: World, gunicorn: int) -> None:
    key = api_key_issue(product=world.product)[1]
    status, body = post_chunked(gunicorn, "/api/v1/usage-reports", usage_report(world), key)
    assert (status, body["lines"]) == (201, 3)
    assert UsageReport.objects.get().reference == "chunked"
    assert UsageLine.objects.count() == 3


def test_a_chunked_bulk_check_is_answered(world: World, gunicorn: int) -> None:
    key = api_key_issue(product=world.product)[1]
    items = [{"isrc": work.isrc, "use": "training"} for work in world.works] * 300
    body = json.dumps({"items": items}).encode()
    status, answer = post_chunked(gunicorn, "/api/v1/permissions/check", body, key)
    assert status == 200 and len(answer["results"]) == 900


def padded(size: int) -> bytes:
    """An empty bulk check of exactly `size` bytes."""
    return b'{"items": [' + b" " * (size - 13) + b"]}"


def test_a_chunked_body_one_byte_over_the_limit_is_a_413(world: World, gunicorn: int) -> None:
    key = api_key_issue(product=world.product)[1]
    status, answer = post_chunked(gunicorn, "/api/v1/permissions/check", padded(1_000), key)
    assert (status, answer) == (200, {"results": []})
    status, answer = post_chunked(
        gunicorn, "/api/v1/permissions/check", padded(CHECK_BODY_LIMIT), key
    )
    assert (status, answer) == (200, {"results": []})
    status, answer = post_chunked(
        gunicorn, "/api/v1/permissions/check", padded(CHECK_BODY_LIMIT + 1), key
    )
    assert (status, answer["error"]["code"]) == (413, "payload_too_large")


# --- the same, at the WSGI interface, as gunicorn builds the environ ---------------------


def gunicorn_request(body: bytes, **environ: object) -> WSGIRequest:
    return WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/v1/permissions/check",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
            "HTTP_TRANSFER_ENCODING": "chunked",
            **environ,
        }
    )


def test_a_terminated_input_without_a_length_is_read_up_to_the_limit() -> None:
    assert read_body(gunicorn_request(b'{"items": []}'), limit=100) == b'{"items": []}'
    with pytest.raises(ApiError) as raised:
        read_body(gunicorn_request(b"x" * 101), limit=100)
    assert raised.value.status == 413


def test_an_input_not_known_to_end_is_read_only_as_far_as_its_length() -> None:
    # Without wsgi.input_terminated the stream may not end: reading on would hang.
    request = gunicorn_request(b"x" * 10, **{"wsgi.input_terminated": False})
    assert read_body(request, limit=100) == b""
    request = gunicorn_request(b"x" * 10, CONTENT_LENGTH="4")
    assert read_body(request, limit=100) == b"xxxx"
