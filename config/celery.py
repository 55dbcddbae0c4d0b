"""The Celery app. Configuration lives in Django settings under the CELERY_ namespace."""

import logging.config
import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging

from portal.ops.heartbeat import WorkerHeartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Every worker stamps a heartbeat in Redis that /readyz reads (portal/ops/heartbeat.py).
app.steps["worker"].add(WorkerHeartbeat)


@setup_logging.connect
def _logging_from_django(**_: Any) -> None:
    """Workers and beat log as the web does (LOGGING: request ids, JSON in production,
    LOG_LEVEL) instead of replacing it with Celery's own set-up."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
