"""Things cut short that people should read whole: on a phone 360 px wide, a statement's
amounts (no cell runs past the screen or hides behind a sideways scroll); on a desk,
the search box's example."""

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


def test_the_search_shows_its_whole_example(world: World, live_server, page: Page) -> None:
    sign_in_as(page, world.artist_user, live_server.url)
    page.set_viewport_size({"width": 1200, "height": 800})
    page.goto(live_server.url + reverse("matrix", args=["artists", world.artist.pk, "tunesmith"]))
    search = page.get_by_role("searchbox", name="Title or ISRC")
    # The example text is narrower than the box that shows it.
    assert search.evaluate(
        """box => {
            const probe = document.createElement("span");
            probe.style.font = getComputedStyle(box).font;
            probe.textContent = box.placeholder;
            document.body.append(probe);
            const wide = probe.getBoundingClientRect().width;
            probe.remove();
            const style = getComputedStyle(box);
            const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
            const room = box.clientWidth - padding;
            return wide <= room;
        }"""
    )
