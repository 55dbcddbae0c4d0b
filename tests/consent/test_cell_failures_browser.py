"""A decision cell in a real browser when things go wrong: a request that never arrives
or that the server fails is said in the cell, with a way to send the same answer again;
while an answer is on its way the cell is busy and cannot send twice; and without
JavaScript an answer brings the reader back to the row they answered."""

import re

import pytest
from playwright.sync_api import Page, Route, expect

from portal.catalogue.models import ArtistMembership
from portal.consent.access import READ_ONLY
from portal.consent.models import Answer, Decision, Side
from tests import factories as f
from tests.a11y import DESKTOP, PHONE, axe_report, axe_serious, sign_in_as
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECIDE = re.compile(r"/works/\d+/decide/$")


def _matrix(page: Page, world: World, base: str, query: str = "") -> None:
    sign_in_as(page, world.artist_user, base)
    page.goto(f"{base}/artists/{world.artist.pk}/products/tunesmith/{query}")


def test_a_connection_that_fails_is_said_in_the_cell_and_try_again_saves(
    world: World, live_server, page: Page
) -> None:
    work = world.works[0]
    _matrix(page, world, live_server.url)
    page.route(DECIDE, lambda route: route.abort("connectionfailed"))
    page.get_by_role("button", name=f"Training for {work.title}: yes").click()

    status = page.locator(f"#saved-{work.pk}-training")
    expect(status).to_contain_text("Not saved: the connection failed. Try again")
    expect(page.locator(f"#cell-{work.pk}-training")).not_to_have_attribute("aria-busy", "true")
    assert not Decision.objects.filter(work=work).exists()
    # The page is still the matrix, not an error page.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tunesmith")

    page.unroute(DECIDE)
    page.get_by_role("button", name=f"Try again: Training for {work.title}").click()
    expect(status).to_contain_text(f"Saved: Training for {work.title} is now allowed by you.")
    expect(page.get_by_role("button", name=f"Training for {work.title}: yes")).to_have_attribute(
        "aria-pressed", "true"
    )
    decision = Decision.objects.get(work=work, use_type=world.training)
    assert (decision.side, decision.answer) == (Side.ARTIST, Answer.GRANTED)


def test_a_server_error_is_said_in_the_cell_and_the_retry_sends_the_same_answer(
    world: World, live_server, page: Page
) -> None:
    work = world.works[1]
    _matrix(page, world, live_server.url)
    page.route(
        DECIDE,
        lambda route: route.fulfill(status=500, content_type="text/html", body="<h1>Oops</h1>"),
    )
    page.get_by_role("button", name=f"Training for {work.title}: no").click()

    cell = page.locator(f"#cell-{work.pk}-training")
    expect(cell).to_contain_text("Not saved: the server could not save it (error 500).")
    expect(page.get_by_text("Oops")).to_have_count(0)
    for width in (PHONE, DESKTOP):
        page.set_viewport_size(width)
        violations = axe_serious(page)
        assert not violations, axe_report(f"failed cell at {width['width']} px", violations)

    page.unroute(DECIDE)
    page.get_by_role("button", name=re.compile("Try again")).click()
    expect(cell).to_contain_text(f"Saved: Training for {work.title} is now refused by you.")
    decision = Decision.objects.get(work=work, use_type=world.training)
    assert decision.answer == Answer.DENIED


def test_while_an_answer_is_on_its_way_the_cell_is_busy_and_cannot_send_twice(
    world: World, live_server, page: Page
) -> None:
    work = world.works[2]
    _matrix(page, world, live_server.url)
    held: list[Route] = []
    page.route(DECIDE, lambda route: held.append(route))
    yes = page.get_by_role("button", name=f"Training for {work.title}: yes")
    cell = page.locator(f"#cell-{work.pk}-training")
    yes.click()

    expect(cell).to_have_attribute("aria-busy", "true")
    expect(yes).to_be_disabled()
    expect(page.get_by_role("button", name=f"Training for {work.title}: no")).to_be_disabled()
    yes.click(force=True)  # a second tap on the disabled button sends nothing
    assert len(held) == 1

    held[0].continue_()
    expect(cell).to_contain_text(f"Saved: Training for {work.title} is now allowed by you.")
    expect(cell).not_to_have_attribute("aria-busy", "true")
    expect(page.get_by_role("button", name=f"Training for {work.title}: yes")).to_be_enabled()
    # The confirmation takes the line kept for it and never widens the column: without
    # it the cell is as wide.
    saved = cell.bounding_box()
    page.locator(f"#saved-{work.pk}-training").evaluate("status => { status.textContent = '' }")
    quiet = cell.bounding_box()
    assert saved and quiet and abs(saved["width"] - quiet["width"]) < 1, (saved, quiet)
    assert len(held) == 1
    assert Decision.objects.filter(work=work).count() == 1


def test_a_refused_answer_is_said_in_the_cell(world: World, live_server, page: Page) -> None:
    work = world.works[0]
    _matrix(page, world, live_server.url)
    # Made a reader of the team after the page was drawn: the answer is refused (422).
    ArtistMembership.objects.filter(user=world.artist_user).update(
        role=ArtistMembership.Role.READER
    )
    page.get_by_role("button", name=f"Training for {work.title}: yes").click()
    expect(page.locator(f"#saved-{work.pk}-training")).to_have_text(f"Not saved: {READ_ONLY}")
    expect(page.get_by_role("button", name=f"Training for {work.title}: yes")).to_be_enabled()
    assert not Decision.objects.filter(work=work).exists()


def test_without_javascript_an_answer_on_page_two_lands_on_its_row(
    world: World, live_server, browser
) -> None:
    tides = [f.WorkFactory(primary_artist=world.artist, title=f"Tide {n:02}") for n in range(60)]
    work = tides[55]  # sorted by title, page 2 holds Tide 47 to Tide 59
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    _matrix(page, world, live_server.url, "?sort=title&page=2")
    page.get_by_role("button", name=f"Style generation for {work.title}: yes").click()

    assert page.url.endswith(f"?sort=title&page=2#work-{work.pk}"), page.url
    row = page.locator(f"#work-{work.pk}")
    expect(row).to_be_in_viewport()
    expect(
        page.get_by_role("button", name=f"Style generation for {work.title}: yes")
    ).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("status").filter(has_text="Saved:")).to_contain_text(
        f"Style generation for {work.title} is now allowed by you."
    )
    context.close()
