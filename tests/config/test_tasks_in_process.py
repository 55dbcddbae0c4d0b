"""Without REDIS_URL (`make run`) tasks run in the process that queues them: a setting
that says so by name, and a line in the log at start-up that says why."""

import os

from tests.config.test_deploy_check import manage

SHOW = (
    "from django.conf import settings; "
    "print(settings.TASKS_IN_PROCESS, settings.CELERY_TASK_ALWAYS_EAGER)"
)


def local_env(**changes: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env = env | {"DJANGO_SETTINGS_MODULE": "config.settings.local"}
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def test_without_redis_tasks_run_in_process_and_the_log_says_why() -> None:
    result = manage(
        "shell", "--verbosity", "0", "-c", SHOW, env=local_env(REDIS_URL=None, DATABASE_URL=None)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
    assert result.stderr.count("Tasks run in-process (TASKS_IN_PROCESS)") == 1
    assert "REDIS_URL is not set" in result.stderr


def test_with_redis_tasks_go_to_the_workers_and_nothing_is_said() -> None:
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        SHOW,
        env=local_env(REDIS_URL="redis://127.0.0.1:9/0", DATABASE_URL=None),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
    assert "TASKS_IN_PROCESS" not in result.stderr
