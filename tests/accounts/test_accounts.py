"""Logging in with email, verification, password reset, and sign-up closed by default."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.accounts.models import User
from tests import factories as f
from tests.mfa import totp_enable


def test_a_user_logs_in_with_email_and_password(db: None) -> None:
    user = f.UserFactory(email="ada@example.test")
    response = Client().post(
        reverse("account_login"),
        {"login": "ADA@example.test", "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert Client().get(reverse("home")).status_code == 302  # a fresh client is anonymous
    assert response.wsgi_request.user == user


def test_a_wrong_password_is_refused_with_a_message(db: None) -> None:
    f.UserFactory(email="ada@example.test")
    response = Client().post(
        reverse("account_login"), {"login": "ada@example.test", "password": "nope"}
    )
    assert response.status_code == 200
    assert b"not correct" in response.content


def test_repeated_wrong_passwords_lock_the_address_out_for_a_while(db: None) -> None:
    from django.core.cache import cache

    cache.clear()
    f.UserFactory(email="ada@example.test")
    guess = {"login": "ada@example.test", "password": "nope"}
    for _ in range(5):
        assert b"not correct" in Client().post(reverse("account_login"), guess).content
    # Even the right password now waits until the lock-out ends.
    right = {"login": "ada@example.test", "password": "correct horse battery"}
    response = Client().post(reverse("account_login"), right)
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content
    assert not response.wsgi_request.user.is_authenticated
    cache.clear()


def test_an_unverified_address_gets_a_verification_email_first(db: None) -> None:
    user = User.objects.create_user("new@example.test", "correct horse battery")
    response = Client().post(
        reverse("account_login"), {"login": "new@example.test", "password": "correct horse battery"}
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "[Consent Portal]" in mail.outbox[0].subject


def test_password_reset_sends_a_link(db: None) -> None:
    f.UserFactory(email="ada@example.test")
    Client().post(reverse("account_reset_password"), {"email": "ada@example.test"})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_open_sign_up_is_off_by_default(db: None) -> None:
    response = Client().post(
        reverse("account_signup"),
        {
            "email": "x@example.test",
            "password1": "a long passphrase 1",
            "password2": "a long passphrase 1",
        },
    )
    assert b"Sign Up Closed" in response.content
    assert not User.objects.exists()
    login = Client().get(reverse("account_login")).content.decode()
    assert "sends you an invitation" in login
    assert reverse("account_signup") not in login


def test_sign_up_can_be_opened_by_setting(db: None, settings: pytest.FixtureRequest) -> None:
    settings.ACCOUNT_ALLOW_SIGNUPS = True
    Client().post(
        reverse("account_signup"),
        {
            "email": "x@example.test",
            "password1": "a long passphrase 1",
            "password2": "a long passphrase 1",
        },
    )
    assert User.objects.filter(email="x@example.test").exists()


def test_staff_reach_admin_through_the_portal_login(db: None) -> None:
    response = Client().get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    staff = f.UserFactory(is_staff=True, is_superuser=True)
    totp_enable(staff)
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_mfa_can_be_set_up_by_anyone(db: None) -> None:
    user = f.UserFactory()
    client = Client()
    client.post(
        reverse("account_login"), {"login": user.email, "password": "correct horse battery"}
    )
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 200
    assert b"Authenticator App" in response.content
    assert reverse("mfa_activate_totp").encode() in response.content
