"""An artist, in a real browser: log in, open a product, say yes, see it stick."""

import re

import pytest
from playwright.sync_api import Page, expect

from portal.consent.models import Answer, Decision, Side
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_artist_grants_training_in_place_and_finds_it_in_the_history(
    world: World, live_server, page: Page
) -> None:
    work = world.works[1]
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill("ada@example.test")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("to use Ada Lane's catalogue")
    page.get_by_role("link", name=re.compile("Review 6 decisions for Tunesmith")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tunesmith")

    # A marker on the window survives only if the page is not reloaded.
    page.evaluate("window.notReloaded = true")
    yes = page.get_by_role("button", name=f"Training for {work.title}: yes")
    expect(yes).to_have_attribute("aria-pressed", "false")
    yes.click()
    cell = page.locator(f"#cell-{work.pk}-training")
    expect(cell).to_contain_text(f"Saved: Training for {work.title} is now allowed by you.")
    expect(cell).to_contain_text("Waiting for Northern Lights Records")
    expect(page.get_by_role("button", name=f"Training for {work.title}: yes")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#announcer")).to_contain_text("is now allowed by you")
    assert page.evaluate("window.notReloaded") is True
    # Focus stays on the control that was pressed, for keyboard and screen-reader users.
    assert page.evaluate("document.activeElement.id") == f"yes-{work.pk}-training"

    decision = Decision.objects.get(work=work, use_type=world.training)
    assert (decision.side, decision.answer) == (Side.ARTIST, Answer.GRANTED)

    page.reload()
    expect(page.get_by_role("button", name=f"Training for {work.title}: yes")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.evaluate("window.notReloaded") is None

    page.get_by_role("link", name=f"History of {work.title}").click()
    entry = page.get_by_role("listitem").filter(has_text="Training for Tunesmith")
    expect(entry).to_contain_text("You")
    expect(entry).to_contain_text("no answer → Yes")


def test_without_javascript_the_same_toggle_still_works(world: World, live_server, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    work = world.works[0]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("ada@example.test")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{live_server.url}/artists/{world.artist.pk}/products/tunesmith/")
    page.get_by_role("button", name=f"Style generation for {work.title}: no").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_contain_text(
        f"Style generation for {work.title} is now refused by you."
    )
    expect(
        page.get_by_role("button", name=f"Style generation for {work.title}: no")
    ).to_have_attribute("aria-pressed", "true")
    context.close()
