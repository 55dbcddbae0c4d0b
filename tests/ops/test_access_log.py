"""One-time tokens (invitation links, password-reset and email-confirmation keys, any
`?token=`) never reach a log: not gunicorn's access log, run here through the logger class
and format the Procfile names, nor the portal's own log lines.

tests/accounts/test_signin_live.py checks the same on a running gunicorn."""

import io
import logging
import shlex
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from gunicorn.config import Config

from portal.ops.logs import redact

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zq8vN3xT0kenF0rAnInvitation"
KEY = "cz3x9k-8f2d1c0b9a8e7d6c5b4a"


def procfile_option(name: str) -> str:
    lines = (ROOT / "Procfile").read_text().splitlines()
    line = next(line for line in lines if line.startswith("web:"))
    args = shlex.split(line.split("exec ", 1)[1])
    return args[args.index(name) + 1]


@pytest.fixture
def access_log(tmp_path: Path) -> Iterator[tuple[Config, Path]]:
    """Gunicorn's configuration as the Procfile sets it, logging to a file."""
    path = tmp_path / "access.log"
    cfg = Config()
    cfg.set("logger_class", procfile_option("--logger-class"))
    cfg.set("access_log_format", procfile_option("--access-logformat"))
    cfg.set("accesslog", str(path))
    yield cfg, path
    access = logging.getLogger("gunicorn.access")
    for handler in list(access.handlers):
        access.removeHandler(handler)
        handler.close()


def served(cfg: Config, method: str, uri: str, referer: str = "-") -> None:
    """Have gunicorn's logger log one answered request, as a worker does."""
    path, _, query = uri.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "RAW_URI": uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_REFERER": referer,
    }
    request = SimpleNamespace(headers=[("REFERER", referer), ("HOST", "consent.example")])
    response = SimpleNamespace(status="200 OK", headers=[("X-Request-ID", "abc123")], sent=512)
    cfg.logger_class(cfg).access(response, request, environ, timedelta(milliseconds=12))


def test_the_procfiles_access_log_redacts_one_time_tokens(
    access_log: tuple[Config, Path],
) -> None:
    cfg, path = access_log
    served(cfg, "GET", f"/invitations/{TOKEN}/")
    served(cfg, "GET", f"/accounts/login/?next=%2Finvitations%2F{TOKEN}%2F")
    served(cfg, "POST", f"/accounts/password/reset/key/1-{KEY}/")
    served(cfg, "GET", f"/accounts/confirm-email/{KEY}/")
    served(cfg, "GET", f"/api/v1/anything?token={TOKEN}&page=2")

    lines = path.read_text().splitlines()

    assert lines == [
        '10.0.0.2 "GET /invitations/[redacted]/ HTTP/1.1" 200 512 12ms abc123',
        '10.0.0.2 "GET /accounts/login/?next=%2Finvitations%2F[redacted]%2F HTTP/1.1" '
        "200 512 12ms abc123",
        '10.0.0.2 "POST /accounts/password/reset/key/[redacted]/ HTTP/1.1" 200 512 12ms abc123',
        '10.0.0.2 "GET /accounts/confirm-email/[redacted]/ HTTP/1.1" 200 512 12ms abc123',
        '10.0.0.2 "GET /api/v1/anything?token=[redacted]&page=2 HTTP/1.1" 200 512 12ms abc123',
    ]


def test_every_field_a_format_may_name_is_redacted(access_log: tuple[Config, Path]) -> None:
    cfg, path = access_log
    cfg.set("access_log_format", "%(r)s|%(U)s|%(q)s|%(f)s|%({referer}i)s|%({raw_uri}e)s")
    served(
        cfg,
        "GET",
        f"/invitations/{TOKEN}/?key={KEY}",
        referer=f"https://consent.example/invitations/{TOKEN}/",
    )

    line = path.read_text()

    assert TOKEN not in line
    assert KEY not in line
    assert line.count("[redacted]") == 8


def test_pages_without_tokens_are_logged_as_they_are() -> None:
    for text in [
        "GET /accounts/password/reset/key/done/ HTTP/1.1",
        "GET /accounts/confirm-email/ HTTP/1.1",
        "GET /artists/3/team/invitations/12/revoke/ HTTP/1.1",
        "GET /labels/1/?page=2&work=7 HTTP/1.1",
        "GET /api/v1/permissions/check?isrc=USRC17607839&use=training HTTP/1.1",
    ]:
        assert redact(text) == text


def test_the_portals_own_log_lines_are_redacted_too(db: None) -> None:
    """Django logs every 4xx answer with its path: an unknown invitation is a 404."""
    console = next(
        handler for handler in logging.getLogger().handlers if handler.get_name() == "console"
    )
    stream = io.StringIO()
    previous = console.setStream(stream)  # type: ignore[attr-defined]
    try:
        response = Client().get(f"/invitations/{TOKEN}/")
    finally:
        console.setStream(previous)  # type: ignore[attr-defined]

    assert response.status_code == 404
    assert "Not Found: /invitations/[redacted]/" in stream.getvalue()
    assert TOKEN not in stream.getvalue()


@pytest.mark.parametrize(
    "line",
    [
        f"GET /%69nvitations/{TOKEN}/ HTTP/1.1",
        f"GET /accounts/login/?next=%252Finvitations%252F{TOKEN}%252F HTTP/1.1",
        f"GET /accounts/login/?next=%25252Finvitations%25252F{TOKEN}%25252F HTTP/1.1",
        f"GET /accounts/password/reset/key/1-{KEY}%2F HTTP/1.1",
        f"GET /accounts/%63onfirm-email/{KEY}/ HTTP/1.1",
        f"GET /x?%74oken={TOKEN} HTTP/1.1",
    ],
)
def test_a_token_hidden_behind_percent_encoding_is_redacted_too(line: str) -> None:
    redacted = redact(line)
    assert TOKEN not in redacted and KEY not in redacted
    assert "[redacted]" in redacted
