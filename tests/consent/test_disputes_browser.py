"""A label manager, signed in with their second factor in a real browser, disputes a work
from its history page: reads the banner, then finds its cells stopped in the matrix; the
page is clean for axe at phone and desktop sizes, before and after."""

import pytest
from playwright.sync_api import Page, expect

from portal.consent.models import Answer, Side
from tests.a11y import DESKTOP, PHONE, axe_report, axe_serious, page_width, sign_in
from tests.conftest import World, say
from tests.mfa import totp_enable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_clean(page: Page, where: str) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        violations = axe_serious(page)
        assert not violations, axe_report(f"{where} at {size['width']}px", violations)
    page.set_viewport_size(PHONE)
    assert page_width(page) <= PHONE["width"]


def test_the_manager_disputes_a_work_and_sees_every_use_stopped(
    world: World, live_server, page: Page
) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=world.manager).delete()
    secret = totp_enable(world.manager)
    work = world.works[0]
    say(world, Side.ARTIST, Answer.GRANTED, work)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work)

    sign_in(page, live_server.url, "sam@example.test", secret)
    page.goto(f"{live_server.url}/works/{work.pk}/history/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(work.title)
    assert_clean(page, "the history page")

    page.get_by_label("What is wrong").select_option(label="Wrong credits")
    page.get_by_label("Note for staff").fill("The producer credited is not on this recording.")
    page.get_by_role("button", name="Dispute this recording").click()

    expect(page.get_by_role("status").filter(has_text="Dispute raised")).to_contain_text(
        f"every use of “{work.title}” is stopped until staff resolve it. "
        "1 permitted use stopped at once."
    )
    banner = page.locator("#dispute-banner")
    expect(banner).to_contain_text("Under dispute since")
    expect(banner).to_contain_text(
        "Wrong credits — raised by you for Northern Lights Records; every use is stopped "
        "until staff resolve it."
    )
    expect(page.get_by_role("button", name="Dispute this recording")).to_have_count(0)
    assert_clean(page, "the history page under dispute")

    page.goto(f"{live_server.url}/labels/{world.label.pk}/products/tunesmith/")
    expect(page.locator(f"#cell-{work.pk}-training")).to_contain_text(
        "Not permitted: this recording is under dispute"
    )
