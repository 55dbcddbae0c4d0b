"""An artist with the keyboard alone (Tab, Shift+Tab, Enter, Space; never the mouse):
signs in, skips to the content, opens a product, answers, and keeps their place: after
htmx swaps the answer in, the focus is still on the control they pressed, the next Tab
goes on from there, and the confirmation is announced. Then takes someone off the team,
through the question that comes first."""

import pytest
from playwright.sync_api import Page, expect

from portal.catalogue.models import ArtistMembership
from portal.consent.models import Answer, Decision, Side
from tests import factories as f
from tests.a11y import PASSWORD, tab_to
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def outline_of_focused(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.activeElement).outlineStyle")


def clipping_the_focused(page: Page) -> str:
    """The class of the nearest box around the focused control that hides what overflows
    it (and so cuts its focus ring off), or "" when none does."""
    return page.evaluate(
        """() => {
            for (let e = document.activeElement.parentElement; e && e !== document.body;
                 e = e.parentElement) {
                const overflow = getComputedStyle(e).overflow;
                if (overflow.includes("hidden") || overflow.includes("clip")) {
                    return e.className || e.tagName;
                }
            }
            return "";
        }"""
    )


def test_an_artist_signs_in_and_answers_with_the_keyboard_alone(
    world: World, live_server, page: Page
) -> None:
    work = world.works[1]
    f.ArtistMembershipFactory(
        artist=world.artist, role=ArtistMembership.Role.EDITOR, user__name="Ed Ito"
    )
    page.goto(f"{live_server.url}/accounts/login/")

    # Signing in: the first Tab offers the skip link, the form follows.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type("ada@example.test")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("to use Ada Lane's catalogue")

    # The skip link jumps past the navigation to the page's content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    tab_to(page, page.get_by_role("link", name="Review 6 decisions for Tunesmith →"))
    assert outline_of_focused(page) == "solid"  # where the focus is, is visible
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tunesmith")

    # Yes with Space: saved in place, the focus stays on the button, the news is read out.
    yes = page.get_by_role("button", name=f"Training for {work.title}: yes")
    no = page.get_by_role("button", name=f"Training for {work.title}: no")
    cell = page.locator(f"#cell-{work.pk}-training")
    # htmx keeps the focus on the new button as it swaps, but makes the new form its own
    # only when the swap settles: with any settle delay, an Enter pressed in between is a
    # plain form post and a page load. The portal settles at once.
    assert page.evaluate("htmx.config.defaultSettleDelay") == 0
    tab_to(page, yes)
    page.keyboard.press("Space")
    expect(cell).to_contain_text(f"Saved: Training for {work.title} is now allowed by you.")
    expect(yes).to_have_attribute("aria-pressed", "true")
    expect(yes).to_be_focused()
    assert page.evaluate("document.activeElement.id") == f"yes-{work.pk}-training"
    assert outline_of_focused(page) == "solid"
    assert clipping_the_focused(page) == ""  # and not cut off by the button group
    expect(page.locator("#announcer")).to_have_text(
        f"Saved: Training for {work.title} is now allowed by you."
    )

    # The next Tab goes on from there, to "No", as if nothing had been replaced.
    page.keyboard.press("Tab")
    expect(no).to_be_focused()
    page.keyboard.press("Enter")
    expect(cell).to_contain_text(f"Saved: Training for {work.title} is now refused by you.")
    expect(no).to_have_attribute("aria-pressed", "true")
    expect(no).to_be_focused()
    expect(page.locator("#announcer")).to_have_text(
        f"Saved: Training for {work.title} is now refused by you."
    )
    page.keyboard.press("Shift+Tab")
    expect(yes).to_be_focused()

    decision = Decision.objects.get(work=work, use_type=world.training, side=Side.ARTIST)
    assert decision.answer == Answer.DENIED

    # Removing a team member: Enter opens the question, the next Tab reaches the answer.
    page.goto(f"{live_server.url}/artists/{world.artist.pk}/team/")
    ask = page.locator("summary", has_text="Remove…")
    remove = page.get_by_role("button", name="Remove Ed Ito from the team")
    tab_to(page, ask)
    expect(remove).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.locator(".confirm-panel")).to_contain_text("Take Ed Ito off Ada Lane's team?")
    page.keyboard.press("Tab")
    expect(remove).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="no longer")).to_contain_text(
        "is no longer on Ada Lane's team."
    )
    assert not ArtistMembership.objects.filter(artist=world.artist, user__name="Ed Ito")
