"""The account and security page: what it links to, and the reader's time zone, which
every page then shows dates and times in."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from portal.accounts.models import User
from portal.notifications.models import Notification
from tests.conftest import World, logged_in
from tests.notifications.test_notifications import NotificationFactory

PAGE = "/account/"
TIME_ZONE = "/account/time-zone/"


def test_the_page_gathers_sign_in_notifications_and_time_zone(
    world: World, artist_client: Client
) -> None:
    body = artist_client.get(PAGE).content.decode()
    assert "<h1>Account and security</h1>" in body
    for name in ("account_email", "account_change_password", "mfa_index"):
        assert f'href="{reverse(name)}"' in body
    assert f'href="{reverse("notifications")}#email"' in body
    assert "also emailed to ada@example.test" in body
    assert '<option value="Europe/Berlin">Europe / Berlin</option>' in body
    assert '<option value="UTC" selected>UTC</option>' in body
    # Reached from every page's header.
    assert f'<a href="{PAGE}">Account</a>' in body


def test_the_page_says_whether_two_factor_is_on(world: World, manager_client: Client) -> None:
    assert 'class="badge ok">On</span>' in manager_client.get(PAGE).content.decode()
    body = logged_in(world.artist_user).get(PAGE).content.decode()
    assert 'class="badge warn">Off</span>' in body


def test_a_new_person_reads_the_sites_time_zone(world: World) -> None:
    assert world.artist_user.time_zone == "UTC"


def test_choosing_a_time_zone_shows_every_page_in_it(world: World, artist_client: Client) -> None:
    response = artist_client.post(TIME_ZONE, {"time_zone": "Europe/Berlin"}, follow=True)
    assert response.redirect_chain[-1][0] == PAGE
    body = response.content.decode()
    assert "Saved: dates and times are now shown in Europe/Berlin time." in body
    assert '<option value="Europe/Berlin" selected>' in body
    User.objects.filter(pk=world.artist_user.pk).get(time_zone="Europe/Berlin")

    note = NotificationFactory(user=world.artist_user)
    Notification.objects.filter(pk=note.pk).update(
        created_at=datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    )
    body = artist_client.get("/notifications/").content.decode()
    assert '<time datetime="2026-05-10T14:00:00+02:00">10 May 2026, 14:00 CEST</time>' in body
    # Someone else, in the site's zone, reads the same instant in UTC.
    other = NotificationFactory(user=world.other_artist_user)
    Notification.objects.filter(pk=other.pk).update(
        created_at=datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    )
    body = logged_in(world.other_artist_user).get("/notifications/").content.decode()
    assert ">10 May 2026, 12:00 UTC</time>" in body


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "Europe/Berlin\u0000", "x" * 300])
def test_a_zone_not_on_the_list_is_refused_clearly_and_changes_nothing(
    world: World, artist_client: Client, zone: str
) -> None:
    response = artist_client.post(TIME_ZONE, {"time_zone": zone})
    assert response.status_code in (400, 422)
    if response.status_code == 422:
        assert "Choose a time zone from the list" in response.content.decode()
    assert User.objects.get(pk=world.artist_user.pk).time_zone == "UTC"


def test_the_page_and_the_time_zone_need_a_signed_in_person(world: World) -> None:
    client = Client()
    assert client.get(PAGE)["Location"].startswith(reverse("account_login"))
    assert client.post(TIME_ZONE, {"time_zone": "Europe/Berlin"}).status_code == 302
    assert client.get(TIME_ZONE).status_code in (302, 405)


def test_the_account_page_costs_a_few_queries(
    world: World, artist_client: Client, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(9):
        assert artist_client.get(PAGE).status_code == 200
