"""The earnings page in a real browser: a year of usage drawn as twelve bars, the same
twelve months in the table beneath, legible on a phone, nothing refused by the CSP."""

import re
from datetime import date

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from portal.accounts.models import User
from portal.licensing.models import Licence
from tests.conftest import World
from tests.earnings.test_artist import at, both_yes, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONTHS = [
    f"{year}-{month:02d}"
    for year, month in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)]
]


def sign_in(page: Page, user: User, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


def test_a_year_of_usage_is_twelve_bars_and_twelve_rows(
    world: World, live_server, page: Page
) -> None:
    Licence.objects.update(starts_on=date(2025, 1, 1))
    with at("2025-06-01"):
        both_yes(world, world.works[0])
    for i, month in enumerate(MONTHS, start=1):
        report(world.product, month, [(world.works[0], "training", 100 * i, f"{20 * i}.00")])
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, world.artist_user, live_server.url)

    page.goto(f"{live_server.url}/artists/{world.artist.pk}/earnings/")

    chart = page.get_by_role(
        "img", name=re.compile("Paid to you by month, November 2025 to October 2026")
    )
    expect(chart).to_be_visible()
    bars = chart.locator("g.bar rect.amount")
    expect(bars).to_have_count(12)
    heights = [bar.bounding_box()["height"] for bar in bars.all()]  # type: ignore[index]
    assert heights == sorted(heights) and heights[0] > 0  # each month earned more
    table = page.locator("#months-table tbody tr")
    expect(table).to_have_count(12)
    expect(table.first).to_contain_text("November 2025")
    expect(table.first).to_contain_text("€10.00")  # half of 20.00, the artist's share
    expect(table.last).to_contain_text("October 2026")
    expect(table.last).to_contain_text("€120.00")
    expect(page.locator("#total-paid")).to_contain_text("€780.00")  # 10 * (1 + ... + 12)
    # On a phone the page does not scroll sideways; wide tables scroll inside their frame.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []  # nothing refused by the Content Security Policy
