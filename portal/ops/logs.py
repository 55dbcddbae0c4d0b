"""Log lines that can be followed across processes: every record carries the id of the
request (or, in a Celery worker, the task) it was written for.

`LOGGING` in config/settings wires `RequestIdFilter` into the console handler, so records
from any logger (Django's, Celery's, libraries') get `request_id`; `JsonFormatter` writes
one JSON object per line for log collectors in production.
"""

import json
import logging
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

from celery.signals import task_postrun, task_prerun
from django.core.signals import request_finished

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
