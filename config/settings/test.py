"""The test suite: PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, else SQLite."""

import json
import os
import tempfile

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Each run's uploads in a directory of its own, under the machine's temp directory; a
    # worker that a test starts gets the test's through IMPORTS_ROOT, to read its uploads.
    "imports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env("IMPORTS_ROOT")
            or os.path.join(tempfile.gettempdir(), f"imports-test-{os.getpid()}")
        },
    },
}
WHITENOISE_AUTOREFRESH = True

# ------------------------------------------------------------------------------
# Webhook delivery: timings shrunk so a retry, a timeout or a lapsed lease takes a
# moment. A Celery worker that a test starts gets the test's values through
# WEBHOOK_DELIVERY_JSON, and this run's own queues through WEBHOOK_QUEUE and
# CELERY_QUEUE, so it never takes another run's messages, nor another run its (the
# suite runs in parallel processes, each a run of its own).
# ------------------------------------------------------------------------------
WEBHOOK_DELIVERY = {
    "timeout": 2.0,
    "retry_delays": [0.3, 0.6, 1.0],
    "jitter": 0.1,
    "requeue_after": 2.0,
    **json.loads(env("WEBHOOK_DELIVERY_JSON", "{}")),
}
# The test receivers listen on http://127.0.0.1; tests of the production rule turn it off.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
WEBHOOK_QUEUE = env("WEBHOOK_QUEUE") or f"webhooks-test-{os.getpid()}"
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE") or f"celery-test-{os.getpid()}"
CELERY_TASK_QUEUES = {CELERY_TASK_DEFAULT_QUEUE: {}, WEBHOOK_QUEUE: {}}
CELERY_TASK_ROUTES = {"portal.delivery.tasks.*": {"queue": WEBHOOK_QUEUE}}
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,  # noqa: F405
    "deliveries-sweep": {"task": "portal.delivery.tasks.deliveries_sweep", "schedule": 0.5},
}

# ------------------------------------------------------------------------------
# Probes: this run's own heartbeat key, as for the webhook queue above, so a worker of
# another run never makes this one's look alive; a worker a test starts gets it through
# OPS_HEARTBEAT_KEY. A short interval, so a test sees a worker stamp again in a moment.
# ------------------------------------------------------------------------------
OPS_HEARTBEAT_KEY = env("OPS_HEARTBEAT_KEY") or f"ops:worker-heartbeats-test-{os.getpid()}"
OPS_HEARTBEAT_INTERVAL = 0.5

# ------------------------------------------------------------------------------
# Caches: this run's own key prefix, as for the webhook queue above, so runs sharing one
# Redis never count each other's failed sign-ins or spent codes, and clearing the cache
# clears this run's keys alone. A server a test starts gets it through CACHE_KEY_PREFIX.
# ------------------------------------------------------------------------------
if REDIS_URL:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX") or f"portal-test-{os.getpid()}"  # noqa: F405
