"""Sign-in settings: passwords of 12 characters or more, password resets that do not say
who has an account, and the proxy the client's address is read through."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from portal.accounts.models import User
from tests import factories as f
from tests.config.test_deploy_check import manage, production_env


def test_a_password_under_twelve_characters_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("x7#Kq9!vLm2")  # 11
    validate_password("x7#Kq9!vLm2p")  # 12


def test_sign_up_says_how_long_a_password_must_be(
    db: None, settings: pytest.FixtureRequest
) -> None:
    settings.ACCOUNT_ALLOW_SIGNUPS = True
    short = "x7#Kq9!vLm2"
    response = Client().post(
        reverse("account_signup"),
        {"email": "new@example.test", "password1": short, "password2": short},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    assert not User.objects.filter(email="new@example.test").exists()


def test_a_password_reset_for_an_unknown_address_sends_nothing_and_looks_the_same(
    db: None,
) -> None:
    f.UserFactory(email="ada@example.test")
    known = Client().post(reverse("account_reset_password"), {"email": "ada@example.test"})
    assert len(mail.outbox) == 1

    unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@example.test"})

    assert len(mail.outbox) == 1
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])


def settings_values(*names: str, **env: str | None) -> list[str]:
    """The production settings `names`, as repr()s, with the operator's environment."""
    shown = ", ".join(f"settings.{name}" for name in names)
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        f"from django.conf import settings; print(*map(repr, [{shown}]), sep='\\n')",
        env=production_env(**env),
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


PROXY = ("ALLAUTH_TRUSTED_PROXY_COUNT", "ALLAUTH_TRUSTED_CLIENT_IP_HEADER")


def test_production_reads_the_client_from_one_proxys_forwarded_for_by_default() -> None:
    assert settings_values(*PROXY, TRUSTED_PROXY_COUNT=None) == ["1", "None"]


def test_the_proxy_count_and_the_client_header_come_from_the_environment() -> None:
    values = settings_values(*PROXY, TRUSTED_PROXY_COUNT="2", TRUSTED_CLIENT_IP_HEADER="X-Real-IP")
    assert values == ["2", "'X-Real-IP'"]
