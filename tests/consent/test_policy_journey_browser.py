"""A label manager, in a real browser, sets a standing policy after seeing exactly what it
stops; the artist then reads the label's reason where they had said yes, and the manager
lifts it again."""

import pytest
from playwright.sync_api import Page, expect

from portal.consent.models import Answer, Side
from tests.conftest import World, say
from tests.consent.test_label_journey_browser import sign_in
from tests.mfa import totp_enable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_manager_sets_a_policy_and_the_artist_reads_why(
    world: World, live_server, page: Page, browser
) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=world.manager).delete()
    secret = totp_enable(world.manager)
    work = world.works[0]
    say(world, Side.ARTIST, Answer.GRANTED, work)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work)

    sign_in(page, live_server.url, "sam@example.test", secret)
    page.goto(f"{live_server.url}/labels/{world.label.pk}/policies/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Policies of Northern Lights Records")
    page.get_by_label("Never for one use, whatever the product").check()
    page.get_by_label("The use (never for one use)").select_option(label="Training")
    page.get_by_role("button", name="Preview what it stops").click()

    main = page.locator("main")
    expect(main).to_contain_text("Northern Lights Records will not allow training.")
    expect(main).to_contain_text("1 use of works stops being permitted at once, by product:")
    expect(main).to_contain_text("Tunesmith: 1")
    page.get_by_role("button", name="Add the policy and stop 1 permitted use").click()
    expect(page.get_by_role("status").filter(has_text="Policy added")).to_contain_text(
        "Policy added: Northern Lights Records does not allow training. "
        "Tunesmith: 1 permission changed."
    )

    artist_page = browser.new_context().new_page()
    sign_in(artist_page, live_server.url, "ada@example.test")
    artist_page.goto(f"{live_server.url}/artists/{world.artist.pk}/products/tunesmith/")
    expect(artist_page.locator(f"#cell-{work.pk}-training")).to_contain_text(
        "Not permitted: Northern Lights Records does not allow training"
    )

    page.get_by_role("button", name="Lift… the policy that does not allow training").click()
    expect(main).to_contain_text("1 use of works becomes permitted again at once")
    page.get_by_role("button", name="Lift the policy and permit 1 use again").click()
    expect(page.get_by_role("status").filter(has_text="Policy lifted")).to_contain_text(
        "Tunesmith: 1 permission changed."
    )
    artist_page.reload()
    expect(artist_page.locator(f"#cell-{work.pk}-training")).to_contain_text("Permitted")
