"""A label manager, in a real browser: sign in with a code, approve the roster in bulk
after seeing what will change; the artist then sees "Permitted" where they said yes."""

import pytest
from playwright.sync_api import Page, expect

from portal.consent.models import Answer, Side
from tests.conftest import World, say
from tests.mfa import totp_code, totp_enable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str, secret: str | None = None) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign In").click()
    if secret is not None:
        page.get_by_label("Code").fill(totp_code(secret))
        page.get_by_role("button", name="Sign In").click()


def test_the_manager_approves_training_for_the_roster_and_the_artist_sees_it(
    world: World, live_server, page: Page, browser
) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=world.manager).delete()
    secret = totp_enable(world.manager)
    granted, undecided = world.works[0], world.works[1]
    say(world, Side.ARTIST, Answer.GRANTED, granted)

    sign_in(page, live_server.url, "sam@example.test", secret)
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "decisions wait for Northern Lights Records"
    )
    page.get_by_role("button", name="Approve all… Tunesmith, Training").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Approve training for Tunesmith?")
    preview = page.locator("main")
    expect(preview).to_contain_text("This will grant Training for 4 works")
    expect(preview).to_contain_text("1 of them becomes permitted at once")
    page.get_by_role("button", name="Grant for 4 works").click()
    expect(page.get_by_role("status").filter(has_text="Training granted")).to_contain_text(
        "Training granted for 4 works (0 already were). 1 permission changed."
    )

    artist_page = browser.new_context().new_page()
    sign_in(artist_page, live_server.url, "ada@example.test")
    artist_page.goto(f"{live_server.url}/artists/{world.artist.pk}/products/tunesmith/")
    expect(artist_page.locator(f"#cell-{granted.pk}-training")).to_contain_text("Permitted")
    expect(artist_page.locator(f"#cell-{undecided.pk}-training")).to_contain_text("Waiting for you")
