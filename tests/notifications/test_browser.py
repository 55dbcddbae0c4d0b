"""Notifications in a real browser: marked as read in place with htmx, and without
JavaScript through the same form."""

import re

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from portal.accounts.models import User
from portal.notifications.models import Notification
from tests.conftest import World
from tests.notifications.test_notifications import NotificationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, user: User, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


def test_marking_one_as_read_updates_it_and_the_count_in_place(
    world: World, live_server, page: Page
) -> None:
    first = NotificationFactory(user=world.artist_user, message="Sam said yes for you.")
    NotificationFactory(user=world.artist_user, message="Tunesmith asks for your catalogue.")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, world.artist_user, live_server.url)

    page.goto(f"{live_server.url}/notifications/")
    nav = page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications")
    expect(nav).to_have_text(re.compile(r"Notifications\s*2 unread"))
    page.evaluate("window.notReloaded = true")

    page.get_by_role("button", name="Mark as read: Sam said yes for you.").click()

    item = page.locator(f"#notification-{first.pk}")
    expect(item).to_contain_text("Marked as read.")
    expect(item).not_to_have_class(re.compile(r"\bunread\b"))
    expect(nav).to_have_text(re.compile(r"Notifications\s*1 unread"))
    expect(page.locator("#announcer")).to_have_text("Marked as read.")
    assert page.evaluate("window.notReloaded") is True
    assert Notification.objects.get(pk=first.pk).read_at is not None
    assert errors == []  # nothing refused by the Content Security Policy


def test_without_javascript_the_same_forms_work(
    world: World, live_server, browser: Browser
) -> None:
    NotificationFactory(user=world.artist_user, message="Sam said yes for you.")
    NotificationFactory(user=world.artist_user, message="Tunesmith asks for your catalogue.")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, world.artist_user, live_server.url)

    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("button", name="Mark as read: Sam said yes for you.").click()
    expect(page.get_by_role("status").filter(has_text="Marked as read.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications")
    expect(nav).to_have_text(re.compile(r"Notifications\s*1 unread"))

    page.get_by_role("button", name="Mark all as read").click()
    expect(
        page.get_by_role("status").filter(has_text="Marked 1 notification as read.")
    ).to_be_visible()
    expect(nav).to_have_text("Notifications")

    page.get_by_label("Also email me notifications").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="We will not email you.")).to_be_visible()
    expect(page.get_by_label("Also email me notifications")).not_to_be_checked()
    context.close()
