"""The account and security page and allauth's account pages it links to, in a real
browser: they look like the portal's own, pass axe on a 360 px phone and on a desk, and
choosing a time zone shows the next page's times in it."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from portal.accounts.models import User
from portal.notifications.models import Notification
from tests.a11y import NARROW, checked, sign_in_as
from tests.conftest import World
from tests.notifications.test_notifications import NotificationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_account_pages_look_like_the_portal_and_pass_axe(
    world: World, live_server, page: Page
) -> None:
    sign_in_as(page, world.manager, live_server.url)
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account and security")
    problems = checked(page, "account")
    for link, heading, name in (
        ("Email addresses", "Email Addresses", "email"),
        ("Password", "Change Password", "password"),
        ("Two-factor authentication", "Two-Factor Authentication", "two-factor"),
    ):
        page.goto(f"{live_server.url}{reverse('account_security')}")
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        # The portal's header and stylesheet, not a bare page.
        expect(page.get_by_role("link", name="Consent Portal")).to_be_visible()
        expect(page.locator(".card.account")).to_be_visible()
        problems += checked(page, name)
    assert not problems, "\n\n".join(problems)


def test_choosing_a_time_zone_shows_the_next_pages_times_in_it(
    world: World, live_server, page: Page
) -> None:
    note = NotificationFactory(user=world.artist_user)
    Notification.objects.filter(pk=note.pk).update(created_at="2026-05-10T12:00:00Z")
    sign_in_as(page, world.artist_user, live_server.url)
    page.set_viewport_size(NARROW)
    page.goto(f"{live_server.url}{reverse('account_security')}")
    page.get_by_label("Show dates and times in").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash.success")).to_contain_text(
        "Saved: dates and times are now shown in Asia/Tokyo time."
    )
    expect(page.get_by_label("Show dates and times in")).to_have_value("Asia/Tokyo")
    assert User.objects.get(pk=world.artist_user.pk).time_zone == "Asia/Tokyo"
    page.goto(f"{live_server.url}{reverse('notifications')}")
    expect(page.locator("time").first).to_have_text("10 May 2026, 21:00 JST")
