"""Before their second factor, a label manager reaches allauth's email page only to see it
and to have a verification sent again (allauth refuses a second factor while an address
is unverified). Adding, removing or making primary an address waits for the second
factor: with only the password, someone could otherwise put their own address on the
account and take over its password resets."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.accounts.models import User
from tests import factories as f
from tests.conftest import World, logged_in

SETUP = reverse("mfa_activate_totp")
EMAIL = reverse("account_email")


@pytest.fixture
def manager(world: World) -> User:
    """A label manager who has not set up a second factor, with a second address still
    to verify."""
    user = f.LabelManagerFactory(label=world.label, user__email="new.manager@example.test").user
    EmailAddress.objects.create(user=user, email="second@example.test", verified=False)
    return user


def addresses(user: User) -> list[tuple[str, bool, bool]]:
    return list(
        EmailAddress.objects.filter(user=user)
        .order_by("email")
        .values_list("email", "verified", "primary")
    )


def test_the_email_page_is_shown_before_the_second_factor(manager: User) -> None:
    assert logged_in(manager).get(EMAIL).status_code == 200


def test_a_verification_is_sent_again_before_the_second_factor(manager: User) -> None:
    response = logged_in(manager).post(EMAIL, {"action_send": "", "email": "second@example.test"})

    assert response.status_code == 302
    assert response["Location"] != SETUP
    assert [m.to for m in mail.outbox] == [["second@example.test"]]


@pytest.mark.parametrize(
    "data",
    [
        {"action_add": "", "email": "taker@example.test"},
        {"action_primary": "", "email": "second@example.test"},
        {"action_remove": "", "email": "second@example.test"},
        # allauth adds before it sends: a second action must not ride along.
        {"action_send": "", "action_add": "", "email": "taker@example.test"},
    ],
    ids=["add", "primary", "remove", "send-and-add"],
)
def test_any_other_change_to_the_addresses_waits_for_the_second_factor(
    manager: User, data: dict[str, str]
) -> None:
    before = addresses(manager)

    response = logged_in(manager).post(EMAIL, data)

    assert response["Location"] == SETUP
    assert addresses(manager) == before
    assert mail.outbox == []


def test_with_a_second_factor_the_page_is_allauths_to_judge(world: World) -> None:
    EmailAddress.objects.create(user=world.manager, email="old@example.test", verified=False)

    response = logged_in(world.manager).post(
        EMAIL, {"action_remove": "", "email": "old@example.test"}
    )

    assert response["Location"] != SETUP
    assert not EmailAddress.objects.filter(email="old@example.test").exists()


def test_an_artist_is_not_held_to_it(world: World, manager: User) -> None:
    client: Client = logged_in(world.artist_user)
    client.post(EMAIL, {"action_add": "", "email": "ada.second@example.test"})
    assert EmailAddress.objects.filter(email="ada.second@example.test").exists()
