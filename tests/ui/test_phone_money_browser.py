"""On a phone 360 px wide, a statement's amounts are all there to read: no cell runs past
the screen or hides behind a sideways scroll."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from tests.a11y import lived_in, sign_in_as
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 360, "height": 800}
CUT = """() => [...document.querySelectorAll("main td, main th")]
    .filter(cell => cell.getBoundingClientRect().right > window.innerWidth + 0.5
                    || cell.scrollWidth > cell.clientWidth + 1)
    .map(cell => cell.textContent.trim())"""
SCROLLING = """() => [...document.querySelectorAll("main .table-wrap")]
    .filter(wrap => wrap.scrollWidth > wrap.clientWidth + 1).length"""


def unreadable(page: Page, base_url: str, path: str) -> tuple[list[str], int]:
    page.goto(base_url + path)
    return page.evaluate(CUT), page.evaluate(SCROLLING)


def test_the_artists_and_the_labels_statements_fit_a_phone(
    world: World, live_server, page: Page
) -> None:
    lived_in(world)
    page.set_viewport_size(NARROW)
    sign_in_as(page, world.artist_user, live_server.url)
    artist = reverse("artist_statement", args=[world.artist.pk, "2026-10"])
    assert unreadable(page, live_server.url, artist) == ([], 0)
    page.context.clear_cookies()
    sign_in_as(page, world.manager, live_server.url)
    label = reverse("label_statement", args=[world.label.pk, "2026-10"])
    assert unreadable(page, live_server.url, label) == ([], 0)
