import logging

from django.apps import AppConfig
from django.conf import settings

log = logging.getLogger(__name__)


class OpsConfig(AppConfig):
    name = "portal.ops"
    label = "ops"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal.ops.logs import connect_signals

        connect_signals()
        if settings.TASKS_IN_PROCESS:
            # Said once per process, so nobody mistakes `make run`'s tasks for production's.
            log.info(
                "Tasks run in-process (TASKS_IN_PROCESS): REDIS_URL is not set, so there is "
                "no worker or beat. Webhooks are sent as their change commits and not "
                "retried; emails are sent in the request."
            )
