"""What sign-in counts (failed passwords, spent TOTP codes) lives in the shared Redis
cache; counted per client behind the proxy; and when Redis is unreachable, sign-in is
refused with a page that says so rather than run without its limits or answer 500.

tests/accounts/test_signin_live.py shows the same across two gunicorn workers."""

import os
import socket

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from portal.accounts.cache import RedisCache
from tests import factories as f
from tests.conftest import logged_in
from tests.mfa import totp_code, totp_enable

PASSWORD = "correct horse battery"
TOO_MANY = b"Too many failed login attempts"
NOT_CORRECT = b"are not correct"

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="the shared cache is Redis (REDIS_URL)"
)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def sign_in(email: str, password: str, **headers: str) -> tuple[Client, HttpResponse]:
    client = Client(headers=headers)
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    return client, response


@needs_redis
def test_failed_passwords_are_counted_in_redis_under_this_sites_prefix(db: None) -> None:
    assert isinstance(caches["default"], RedisCache)
    user = f.UserFactory()
    sign_in(user.email, "a wrong guess")

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
    keys = [key.decode() for key in client.scan_iter(match=f"{prefix}:*")]
    assert any(":allauth:rl:allauth.account:login_failed:" in key for key in keys), keys


@needs_redis
def test_clearing_the_cache_leaves_celery_the_api_and_other_runs_alone(db: None) -> None:
    # Django's own Redis cache would FLUSHDB, queued tasks and all.
    assert isinstance(caches["default"], RedisCache)
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    others = {"celery-queue-of-someone-else": "task", "portal-test-other-run:1:x": "y"}
    try:
        for key, value in others.items():
            client.set(key, value, ex=60)
        caches["api"].set("counter", 1)
        cache.set("ours", 1)

        cache.clear()

        assert cache.get("ours") is None
        assert caches["api"].get("counter") == 1
        assert all(client.get(key) == value.encode() for key, value in others.items())
    finally:
        client.delete(*others)
        caches["api"].delete("counter")


# --- Redis unreachable ---------------------------------------------------------------


def take_redis_away(settings: pytest.FixtureRequest) -> None:
    """Point the default cache at a port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        **django_settings.CACHES,
        "default": {
            "BACKEND": "portal.accounts.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }


@pytest.fixture
def redis_down(settings: pytest.FixtureRequest) -> None:
    take_redis_away(settings)


def test_without_redis_sign_in_is_refused_with_a_page_that_says_so(
    db: None, redis_down: None
) -> None:
    user = f.UserFactory()
    assert Client().get(reverse("account_login")).status_code == 200

    client, response = sign_in(user.email, PASSWORD)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"Try again in a minute" in response.content
    assert "_auth_user_id" not in client.session


def test_without_redis_no_totp_code_is_accepted(db: None, settings: pytest.FixtureRequest) -> None:
    user = f.UserFactory()
    secret = totp_enable(user)
    client, response = sign_in(user.email, PASSWORD)
    assert response["Location"] == reverse("mfa_authenticate")

    take_redis_away(settings)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert response.status_code == 503
    assert "_auth_user_id" not in client.session


def test_without_redis_people_already_signed_in_carry_on(db: None, redis_down: None) -> None:
    user = f.UserFactory()
    client = logged_in(user)
    assert client.get(reverse("account_email")).status_code == 200


# --- behind the proxy ------------------------------------------------------------------


def test_behind_the_proxy_one_client_cannot_lock_the_others_out(
    db: None, settings: pytest.FixtureRequest
) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    victim = f.UserFactory()
    targets = [f.UserFactory() for _ in range(10)]
    attacker = {"X-Forwarded-For": "203.0.113.7"}
    # Every request reaches us from the proxy (the test client's REMOTE_ADDR).
    for target in targets:
        _, response = sign_in(target.email, "a wrong guess", **attacker)
        assert NOT_CORRECT in response.content
    _, refused = sign_in(f.UserFactory().email, "a wrong guess", **attacker)
    assert TOO_MANY in refused.content

    client, response = sign_in(
        victim.email, PASSWORD, **{"X-Forwarded-For": "spoofed, 198.51.100.20"}
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_request_that_skipped_a_proxy_is_counted_against_its_peer_not_a_500(
    db: None, settings: pytest.FixtureRequest
) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    user = f.UserFactory()

    _, response = sign_in(user.email, "a wrong guess", **{"X-Forwarded-For": "203.0.113.7"})

    assert response.status_code == 200
    assert NOT_CORRECT in response.content
