"""The earnings filters' months in a real browser: lists of the months there are, which
read well when nothing is chosen (Chromium draws an empty month input as "--------- ----"),
keep the filter's URL parameters, and pass axe on a 360 px phone and on a desk."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.a11y import checked, lived_in, sign_in_as
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_report_lines_months_read_any_month_until_chosen(
    world: World, live_server, page: Page
) -> None:
    lived_in(world)
    sign_in_as(page, world.artist_user, live_server.url)
    lines = reverse("artist_earning_lines", args=[world.artist.pk])
    page.goto(f"{live_server.url}{lines}")
    filters = page.get_by_role("form", name="Filter report lines")
    start, end = filters.get_by_label("From", exact=True), filters.get_by_label("To", exact=True)
    for month in (start, end):
        expect(month.locator("option:checked")).to_have_text("Any month")
        expect(month.locator("option")).to_have_text(
            ["Any month", "October 2026", "September 2026"]
        )
    problems = checked(page, "earning-lines")

    start.select_option(label="October 2026")
    filters.get_by_role("button", name="Show lines").click()
    expect(page).to_have_url(f"{live_server.url}{lines}?from=2026-10&to=&product=&use=&compliance=")
    expect(page.get_by_label("From", exact=True)).to_have_value("2026-10")
    expect(page.locator("main")).not_to_contain_text("TS-2026-09")
    assert not problems, "\n\n".join(problems)


def test_the_earnings_periods_are_chosen_from_the_months_there_are(
    world: World, live_server, page: Page
) -> None:
    lived_in(world)
    sign_in_as(page, world.artist_user, live_server.url)
    page.goto(f"{live_server.url}{reverse('artist_earnings', args=[world.artist.pk])}")
    period = page.get_by_role("form", name="Period")
    # The twelve months to the latest with earnings, the first of them before any data.
    expect(period.get_by_label("From", exact=True).locator("option:checked")).to_have_text(
        "November 2025"
    )
    expect(period.get_by_label("To", exact=True).locator("option:checked")).to_have_text(
        "October 2026"
    )
    problems = checked(page, "artist-earnings")
    period.get_by_label("From", exact=True).select_option("2026-10")
    period.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="October 2026 to October 2026")).to_be_visible()

    sign_in_as(page, world.manager, live_server.url)
    page.goto(f"{live_server.url}{reverse('label_earnings', args=[world.label.pk])}")
    expect(page.get_by_label("From", exact=True)).to_have_value("2025-11")
    problems += checked(page, "label-earnings")
    # A hand-written period that cannot be read: said, not a 500.
    response = page.goto(
        f"{live_server.url}{reverse('label_earnings', args=[world.label.pk])}?from=soon&to=2026-10"
    )
    assert response is not None and response.status == 200
    expect(page.get_by_role("status").filter(has_text="could not be read")).to_be_visible()
    assert not problems, "\n\n".join(problems)
