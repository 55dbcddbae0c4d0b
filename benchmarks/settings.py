"""Settings for the processes `make bench` starts: gunicorn and the Celery worker.

The test settings (DEBUG off, the bench database and Redis from DATABASE_URL and
REDIS_URL, the bench run's own webhook queue from WEBHOOK_QUEUE) with:

- `benchmarks.urls` as the URLconf: the whole site plus the framework floors (bare
  Django JSON views) the consent check is compared with;
- production's webhook delivery timings and beat schedule (a sweep every 10 s), not the
  test suite's shrunken ones, so propagation is measured as production runs it;
- no WhiteNoise autorefresh (production does not look at the disk per request).

Production settings themselves cannot serve here: they redirect plain HTTP to HTTPS
and require secrets that a throwaway bench has no business holding.
"""

import json

from config.settings import base
from config.settings.base import env
from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
WHITENOISE_AUTOREFRESH = False
WEBHOOK_DELIVERY = json.loads(env("WEBHOOK_DELIVERY_JSON", "{}"))
CELERY_BEAT_SCHEDULE = dict(base.CELERY_BEAT_SCHEDULE)
