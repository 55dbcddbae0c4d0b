"""The production settings, as an operator sets them, pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(**changes: str | None) -> dict[str, str]:
    """The environment an operator sets; a change to None leaves that variable out."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_", "EMAIL_"))
    }
    key = manage(
        "receipt_signing_key", env=env | {"DJANGO_SETTINGS_MODULE": "config.settings.test"}
    )
    assert key.returncode == 0, key.stderr
    env = env | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "ALLOWED_HOSTS": "consent.example",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "RECEIPT_SIGNING_KEYS": f"[{key.stdout.strip()}]",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_HOST": "smtp.consent.example",
        **changes,
    }
    return {name: value for name, value in env.items() if value is not None}


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_https_is_turned_off():
    """A guard on the guard: the check does catch an unsafe setting."""
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(SECURE_SSL_REDIRECT="false"),
    )
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_production_refuses_to_start_without_redis():
    result = manage("check", env=production_env(REDIS_URL=None))
    assert result.returncode != 0
    assert "REDIS_URL must be set in production" in result.stderr


def test_production_refuses_to_start_without_an_smtp_host():
    result = manage("check", env=production_env(EMAIL_HOST=None))
    assert result.returncode != 0
    assert "EMAIL_HOST must be set in production" in result.stderr


def test_production_prints_mail_only_when_told_to():
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        env=production_env(EMAIL_HOST=None, EMAIL_CONSOLE="true"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.console.EmailBackend"
