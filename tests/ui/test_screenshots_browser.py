"""Screenshots of the main screens on a phone (390 x 844) and a desk (1280 x 900), saved
to artifacts/screenshots/ for CI to keep and people to look at: artist home, a product's
matrix, earnings, label home. Each must fit the phone's width."""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from tests.a11y import DESKTOP, PHONE, SCREENSHOTS, lived_in, page_width, sign_in_as
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page: Page, name: str) -> None:
    for size, device in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(size)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if device == "phone":
            assert page_width(page) <= PHONE["width"], f"{name} scrolls sideways on a phone"
        page.screenshot(path=SCREENSHOTS / f"{name}-{device}.png", full_page=True)


def test_screenshots_of_the_main_screens_on_a_phone_and_a_desk(
    world: World, live_server, page: Page, browser: Browser
) -> None:
    lived_in(world)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    artist = world.artist.pk

    sign_in_as(page, world.artist_user, base)
    for name, url in [
        ("artist-home", reverse("artist_home", args=[artist])),
        ("matrix", reverse("matrix", args=["artists", artist, "tunesmith"])),
        ("earnings", reverse("artist_earnings", args=[artist])),
    ]:
        page.goto(f"{base}{url}")
        shoot(page, name)

    manager = browser.new_context().new_page()
    sign_in_as(manager, world.manager, base)
    manager.goto(f"{base}{reverse('label_home', args=[world.label.pk])}")
    shoot(manager, "label-home")
    manager.context.close()

    assert {p.name for p in SCREENSHOTS.glob("*.png")} >= {
        f"{name}-{device}.png"
        for name in ("artist-home", "matrix", "earnings", "label-home")
        for device in ("phone", "desktop")
    }
