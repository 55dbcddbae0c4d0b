"""Every periodic task beat is told to run exists, so a typo cannot silently stop one."""

from django.conf import settings

from config.celery import app


def test_every_scheduled_task_is_registered() -> None:
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
