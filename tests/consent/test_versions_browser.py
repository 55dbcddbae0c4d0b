"""An artist, in a real browser, after Tunesmith published a version that changes what
it does: reads what changed on the home, sees exactly what keeping the answers does,
keeps them in one action, and finds the use permitted again."""

import pytest
from playwright.sync_api import Page, expect

from portal.consent.models import Answer, Side
from portal.consent.services.versions import version_publish
from tests.a11y import PHONE, axe_report, axe_serious, page_width, sign_in
from tests.conftest import World, say

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_artist_is_asked_again_and_keeps_their_answers_for_the_new_version(
    world: World, live_server, page: Page
) -> None:
    for work in world.works[:2]:
        say(world, Side.ARTIST, Answer.GRANTED, work=work)
        # The label's yes covers later versions: only the artist is asked again.
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work, later_versions=True)
    version_publish(
        actor=world.staff,
        product=world.product,
        name="2.0",
        summary="Tunesmith now trains a new generation of its model.",
        material=True,
    )
    sign_in(page, live_server.url, "ada@example.test")

    expect(page.get_by_text("What changed on")).to_be_visible()
    expect(page.get_by_text("2 of your yes answers were for the earlier version")).to_be_visible()
    page.get_by_role("link", name="Keep your answers for 2.0, or review them").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Tunesmith changed what it does")
    expect(
        page.get_by_text("Tunesmith now trains a new generation of its model.").first
    ).to_be_visible()
    expect(page.locator("body")).to_contain_text("makes 2 uses permitted again at once")
    assert not axe_serious(page), axe_report("the keep page", axe_serious(page))
    page.set_viewport_size(PHONE)
    assert page_width(page) <= PHONE["width"], "the keep page scrolls sideways on a phone"
    page.get_by_role("button", name="Keep my 2 answers for version 2.0").click()

    expect(page.locator(".flash")).to_contain_text(
        "Kept 2 yes answers for Tunesmith's new version; 2 permissions changed."
    )
    cell = page.locator(f"#cell-{world.works[0].pk}-training")
    expect(cell).to_contain_text("Permitted")
