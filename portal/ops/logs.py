"""Log lines that can be followed across processes: every record carries the id of the
request (or, in a Celery worker, the task) it was written for.

`LOGGING` in config/settings wires `RequestIdFilter` into the console handler, so records
from any logger (Django's, Celery's, libraries') get `request_id`; `JsonFormatter` writes
one JSON object per line for log collectors in production.

No log line carries a one-time token: `RedactFilter` (on the same handler) and
`AccessLogger` (gunicorn's access log, `--logger-class` in the Procfile) replace
invitation tokens, password-reset and email-confirmation keys, and `?token=`-like query
values with `[redacted]`, wherever they appear in a line.
"""

import json
import logging
import re
from contextvars import ContextVar, Token
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from celery.signals import task_postrun, task_prerun
from django.core.signals import request_finished
from gunicorn.glogging import Logger as GunicornLogger

NO_ID = "-"

request_id: ContextVar[str] = ContextVar("request_id", default=NO_ID)

# Attributes every LogRecord has; anything else on a record came from `extra=` and is
# written too, except the request object Django attaches to its own records.
_NOT_EXTRA = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "request",
}


# Where the machine API is served (config/urls.py).
API_PATH = "/api/"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, any `extra=`
    fields, and the formatted exception when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_ID),
        }
        line.update((key, value) for key, value in vars(record).items() if key not in _NOT_EXTRA)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


# --- one-time tokens ------------------------------------------------------------------
# Whoever reads one of these from a log can use it: join an artist's team, set a person's
# password, confirm their address. They travel in paths, percent-encoded in `next=`
# parameters (`/accounts/login/?next=%2Finvitations%2F<token>%2F`) and in Referer headers.
REDACTED = "[redacted]"
_SLASH = r"(?:/|%2F)"
_TOKEN_PATH = re.compile(
    # Where a path starts: the start of a field, after a space or `=`, or after a host.
    r"((?:^|[\s=\"']|https?://[^/\s\"']+|https?%3A%2F%2F[^%/\s\"'&]+)"
    rf"{_SLASH}(?:invitations|accounts{_SLASH}password{_SLASH}reset{_SLASH}key"
    rf"|accounts{_SLASH}confirm-email){_SLASH})"
    # The token runs to the next slash (plain or encoded), query or end; "done" is the
    # password-reset confirmation page, which carries none.
    rf"(?!done(?:{_SLASH}|$))(?:[^/?&#\s\"'%]|%(?!2F)[0-9A-F]{{2}})+",
    re.IGNORECASE,
)
# Query parameters whose value is a secret, after `?`, `&` or `;` (plain or encoded).
_TOKEN_PARAM = re.compile(
    r"((?:[?&;]|%3F|%26)(?:[\w.-]*(?:token|key|secret|password|signature)|code|sig)(?:=|%3D))"
    r"[^&#\s\"']*",
    re.IGNORECASE,
)


def _redacted(text: str) -> str:
    text = _TOKEN_PATH.sub(rf"\1{REDACTED}", text)
    return _TOKEN_PARAM.sub(rf"\1{REDACTED}", text)


def _decoded(text: str) -> str:
    """`text` percent-decoded until nothing changes (a few rounds at most): a token can
    hide behind any encoding a server still decodes (`/%69nvitations/`, `%252F`)."""
    for _ in range(4):
        plain = unquote(text)
        if plain == text:
            break
        text = plain
    return text


def redact(text: str) -> str:
    """`text` with every one-time token in a URL, path or query replaced by `[redacted]`.

    A token found only once the text is decoded is redacted in the decoded text, which is
    what gets logged then: a line that hid a token loses its encoding, never the token's
    redaction."""
    if not text:
        return text
    decoded = _decoded(text)
    if decoded != text and (redacted := _redacted(decoded)) != decoded:
        shown = _redacted(text)
        # Encoding hid nothing the plain pass missed: keep the line as it came.
        return shown if shown.count(REDACTED) >= redacted.count(REDACTED) else redacted
    return _redacted(text)


def _redact_query(query: str) -> str:
    """A raw query string (no `?`), redacted as the query of a URL."""
    return redact("?" + query)[1:] if query else query


class ApiAnswerFilter(logging.Filter):
    """Drops Django's warning for the machine API's 4xx answers (`django.request`): an
    ISRC not in the catalogue, a bad request or a key over its limit is an answer the
    product reads, counted by status in the metrics. Logged, one product's loop over
    unknown recordings would flood the log and slow every answer. 5xx stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        return not (
            getattr(record, "status_code", 500) < 500
            and request is not None
            and request.path.startswith(API_PATH)
        )


class RedactFilter(logging.Filter):
    """Takes one-time tokens out of a record's message (Django logs the path of every 4xx
    answer, and a spent invitation link is a 410); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class AccessLogger(GunicornLogger):
    """Gunicorn's logger, with one-time tokens taken out of every access-log field: the
    request line, path, query, Referer, and any header or environ value a format names."""

    _QUERY_ATOMS = frozenset({"q", "{query_string}e"})

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {
            name: (
                (_redact_query(value) if name in self._QUERY_ATOMS else redact(value))
                if isinstance(value, str)
                else value
            )
            for name, value in atoms.items()
        }


def _request_finished(**_: object) -> None:
    # Django logs an error response ("Not Found: /x") after the middleware has returned it,
    # so the id is cleared only once the response has been sent.
    request_id.set(NO_ID)


# A task run eagerly inside a request (`make run`) keeps the request's id; in a worker,
# where there is no request, the task's own id stands in. Tokens are kept per task id so
# the previous value comes back when the task ends.
_task_tokens: dict[str, Token[str]] = {}


def _task_started(task_id: str, **_: object) -> None:
    if request_id.get() == NO_ID:
        _task_tokens[task_id] = request_id.set(task_id)


def _task_finished(task_id: str, **_: object) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        request_id.reset(token)


def connect_signals() -> None:
    request_finished.connect(_request_finished, dispatch_uid="ops-request-finished")
    task_prerun.connect(_task_started, weak=False, dispatch_uid="ops-task-started")
    task_postrun.connect(_task_finished, weak=False, dispatch_uid="ops-task-finished")
