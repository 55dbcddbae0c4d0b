"""A label manager, in a real browser and by keyboard: filter the product page to the
works whose artist said yes to training, preview approving them all, approve, and read
the outcome."""

import pytest
from playwright.sync_api import Page, expect

from portal.consent.models import Answer, Decision, Side
from tests import factories as f
from tests.conftest import World, say
from tests.consent.test_label_journey_browser import sign_in
from tests.mfa import totp_enable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_manager_approves_every_work_whose_artist_said_yes(
    world: World, live_server, page: Page
) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=world.manager).delete()
    secret = totp_enable(world.manager)
    f.WorkFactory.create_batch(60, primary_artist=world.other_artist, title="Tide")
    said_yes = [world.works[0], world.works[2], *world.other_artist.works.all()[:55]]
    for work in said_yes:
        say(world, Side.ARTIST, Answer.GRANTED, work)

    sign_in(page, live_server.url, "sam@example.test", secret)
    page.goto(f"{live_server.url}/labels/{world.label.pk}/products/tunesmith/")
    filters = page.get_by_role("search", name="Find works")
    filters.get_by_label("Use", exact=True).select_option("training")
    filters.get_by_label("Artist's answer").select_option("yes")
    filters.get_by_role("button", name="Apply").focus()
    page.keyboard.press("Enter")
    expect(page.locator("p.count")).to_contain_text(
        "57 works where the artist said yes for training"
    )
    expect(page.get_by_role("heading", level=2, name="Answer the 57 works")).to_be_visible()
    # Two pages of rows, but the answer covers all 57.
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("2")
    approve = page.get_by_role("button", name="Approve…")
    approve.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Approve training for Tunesmith?")
    preview = page.locator("main")
    expect(preview).to_contain_text("This will grant Training for 57 works")
    expect(preview).to_contain_text("57 of them become permitted at once")
    page.get_by_role("button", name="Grant for 57 works").click()
    expect(page.get_by_role("status").filter(has_text="Training granted")).to_contain_text(
        "Training granted for 57 works (0 already were). 57 permissions changed."
    )
    expect(page.locator("p.count")).to_contain_text("57 works where the artist said yes")
    assert Decision.objects.filter(side=Side.RIGHTS_HOLDER).count() == 57
