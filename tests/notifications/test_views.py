"""The notifications page: only your own, unread counted in the navigation, marking as
read with and without htmx, and the email preference."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.notifications.models import Notification
from tests.conftest import World, logged_in
from tests.notifications.test_notifications import NotificationFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
LIST = "/notifications/"


def badge(count: int) -> str:
    return f'<span class="badge accent">{count}<span class="visually-hidden"> unread</span></span>'


def flashes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- who sees what -----------------------------------------------------------------------


def test_the_list_is_at_notifications() -> None:
    assert reverse("notifications") == LIST


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "notifications", []),
        ("post", "notifications_read_all", []),
        ("post", "notification_read", [1]),
        ("post", "notification_email_preference", []),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(
    db: None, method: str, name: str, args: list[int]
) -> None:
    response = getattr(Client(), method)(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_you_see_only_your_own_newest_first(world: World, artist_client: Client) -> None:
    now = timezone.now()
    NotificationFactory(
        user=world.artist_user, message="Older news", created_at=now - timedelta(hours=2)
    )
    NotificationFactory(user=world.artist_user, message="Newer news", url="/artists/7/")
    NotificationFactory(user=world.outsider_user, message="Someone else's news")

    body = artist_client.get(LIST).content.decode()

    assert body.index("Newer news") < body.index("Older news")
    assert "Someone else&#x27;s news" not in body and "Someone else's news" not in body
    assert '<a href="/artists/7/">Newer news</a>' in body
    assert "<time datetime=" in body


def test_unread_ones_look_different_and_say_so(world: World, artist_client: Client) -> None:
    NotificationFactory(user=world.artist_user, message="Fresh")
    NotificationFactory(user=world.artist_user, message="Seen", read_at=timezone.now())

    body = artist_client.get(LIST).content.decode()

    fresh = body[body.index("Fresh") - 400 : body.index("Fresh")]
    seen = body[body.index("Seen") - 400 : body.index("Seen")]
    assert 'class="notification unread"' in fresh and "Unread" in fresh
    assert 'class="notification"' in seen and "Unread" not in seen


def test_messages_are_shown_as_text_never_as_html(world: World, artist_client: Client) -> None:
    NotificationFactory(user=world.artist_user, message="<script>alert(1)</script>")

    body = artist_client.get(LIST).content.decode()

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_an_empty_list_says_what_will_appear(world: World, artist_client: Client) -> None:
    body = artist_client.get(LIST).content.decode()

    assert "No notifications yet" in body
    assert "acts for you" in body and "new AI product" in body
    assert "Mark all as read" not in body


def test_thirty_a_page(world: World, artist_client: Client) -> None:
    NotificationFactory.create_batch(31, user=world.artist_user)

    first = artist_client.get(LIST)
    second = artist_client.get(LIST, {"page": 2})

    assert len(first.context["page"].object_list) == 30
    assert len(second.context["page"].object_list) == 1
    assert 'rel="next"' in first.content.decode()


def test_the_page_has_no_inline_script_or_style(world: World, artist_client: Client) -> None:
    NotificationFactory(user=world.artist_user)
    body = artist_client.get(LIST).content.decode()
    assert "<script>" not in body and "<style" not in body and " style=" not in body


@pytest.mark.parametrize("count", [3, 90])
def test_the_list_costs_the_same_queries_however_many(
    world: World, artist_client: Client, django_assert_max_num_queries: Any, count: int
) -> None:
    NotificationFactory.create_batch(count, user=world.artist_user)
    with django_assert_max_num_queries(10):
        assert artist_client.get(LIST).status_code == 200


# --- the count in the navigation ---------------------------------------------------------


def test_the_navigation_counts_your_unread(world: World, artist_client: Client) -> None:
    NotificationFactory.create_batch(2, user=world.artist_user)
    NotificationFactory(user=world.artist_user, read_at=timezone.now())
    NotificationFactory.create_batch(5, user=world.outsider_user)

    response = artist_client.get(LIST)

    assert response.context["unread_notifications"] == 2
    assert badge(2) in response.content.decode()


def test_the_navigation_shows_no_badge_when_all_is_read(
    world: World, artist_client: Client
) -> None:
    NotificationFactory(user=world.artist_user, read_at=timezone.now())

    body = artist_client.get(LIST).content.decode()

    assert '<a id="nav-notifications" href="/notifications/">Notifications</a>' in body
    assert 'visually-hidden"> unread' not in body


def test_other_pages_show_the_count_too(world: World, artist_client: Client) -> None:
    NotificationFactory(user=world.artist_user)
    response = artist_client.get(reverse("artist_home", args=[world.artist.pk]))
    assert badge(1) in response.content.decode()


# --- marking as read ---------------------------------------------------------------------


def test_marking_one_as_read(world: World, artist_client: Client) -> None:
    mine, other = NotificationFactory.create_batch(2, user=world.artist_user)

    response = artist_client.post(reverse("notification_read", args=[mine.pk]))

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert flashes(response) == ["Marked as read."]
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None and other.read_at is None


def test_marking_as_read_returns_to_the_same_page(world: World, artist_client: Client) -> None:
    mine = NotificationFactory(user=world.artist_user)
    response = artist_client.post(reverse("notification_read", args=[mine.pk]), {"page": "2"})
    assert response["Location"] == f"{LIST}?page=2"


def test_a_forged_page_number_is_ignored(world: World, artist_client: Client) -> None:
    mine = NotificationFactory(user=world.artist_user)
    response = artist_client.post(
        reverse("notification_read", args=[mine.pk]), {"page": "//elsewhere.example"}
    )
    assert response["Location"] == LIST


def test_marking_one_as_read_with_htmx_updates_it_in_place(
    world: World, artist_client: Client
) -> None:
    mine, _ = NotificationFactory.create_batch(2, user=world.artist_user)

    response = artist_client.post(reverse("notification_read", args=[mine.pk]), **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{mine.pk}"' in body
    assert 'class="notification"' in body and "Mark as read" not in body
    assert "Marked as read." in body
    # The navigation's count follows, out of band.
    assert 'hx-swap-oob="innerHTML:#nav-notifications"' in body
    assert badge(1) in body
    assert "<html" not in body


def test_someone_elses_notification_cannot_be_marked(world: World, artist_client: Client) -> None:
    theirs = NotificationFactory(user=world.outsider_user, message="Private to Cy")

    for extra in ({}, HTMX):
        response = artist_client.post(reverse("notification_read", args=[theirs.pk]), **extra)
        assert response.status_code == 404
        assert b"Private to Cy" not in response.content

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_as_read_needs_a_post(world: World, artist_client: Client) -> None:
    mine = NotificationFactory(user=world.artist_user)
    assert artist_client.get(reverse("notification_read", args=[mine.pk])).status_code == 405
    assert artist_client.get(reverse("notifications_read_all")).status_code == 405
    mine.refresh_from_db()
    assert mine.read_at is None


def test_marking_all_as_read(world: World, artist_client: Client) -> None:
    NotificationFactory.create_batch(3, user=world.artist_user)
    theirs = NotificationFactory(user=world.outsider_user)

    response = artist_client.post(reverse("notifications_read_all"), follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert "Marked 3 notifications as read." in response.content.decode()
    assert response.context["unread_notifications"] == 0
    assert not Notification.objects.filter(user=world.artist_user, read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_all_as_read_twice_is_harmless(world: World, artist_client: Client) -> None:
    NotificationFactory(user=world.artist_user)
    artist_client.post(reverse("notifications_read_all"), follow=True)
    response = artist_client.post(reverse("notifications_read_all"))
    assert flashes(response) == ["Everything was already read."]


# --- the email preference -----------------------------------------------------------------


def test_the_preference_shows_what_is_saved(world: World, artist_client: Client) -> None:
    body = artist_client.get(LIST).content.decode()
    assert "Also email me notifications" in body
    assert 'name="email_notifications"' in body and "checked" in body
    assert world.artist_user.email in body


def test_turning_email_off_and_on(world: World, artist_client: Client) -> None:
    url = reverse("notification_email_preference")

    response = artist_client.post(url, {})  # an unticked box sends nothing
    assert response["Location"] == f"{LIST}#email"
    assert flashes(response) == [
        "Saved: notifications will only appear here. We will not email you."
    ]
    assert User.objects.get(pk=world.artist_user.pk).email_notifications is False
    assert "checked" not in artist_client.get(LIST).content.decode()

    response = artist_client.post(url, {"email_notifications": "on"})
    assert flashes(response) == [
        f"Saved: notifications will also be emailed to {world.artist_user.email}."
    ]
    assert User.objects.get(pk=world.artist_user.pk).email_notifications is True


def test_saving_the_same_preference_twice_is_harmless(world: World) -> None:
    client = logged_in(world.manager)
    url = reverse("notification_email_preference")
    for _ in range(2):
        assert client.post(url, {"email_notifications": "on"}).status_code == 302
    assert User.objects.get(pk=world.manager.pk).email_notifications is True


def test_your_preference_never_changes_anyone_elses(world: World, artist_client: Client) -> None:
    artist_client.post(reverse("notification_email_preference"), {})
    assert User.objects.get(pk=world.outsider_user.pk).email_notifications is True


# --- admin -------------------------------------------------------------------------------


def test_staff_find_notifications_by_email_and_read_state(world: World) -> None:
    NotificationFactory(user=world.artist_user, message="For Ada")
    NotificationFactory(user=world.outsider_user, message="For Cy", read_at=timezone.now())
    client = logged_in(world.staff)
    url = reverse("admin:notifications_notification_changelist")

    by_email = client.get(url, {"q": world.artist_user.email}).content.decode()
    unread_only = client.get(url, {"read": "no"}).content.decode()

    assert "For Ada" in by_email and "For Cy" not in by_email
    assert "For Ada" in unread_only and "For Cy" not in unread_only
    assert client.get(url, {"kind": Notification.Kind.NEW_PRODUCT}).status_code == 200
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403
