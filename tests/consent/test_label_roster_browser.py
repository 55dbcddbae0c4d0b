"""A label manager, in a real browser, across the roster: the overview on the label's
home, a bulk approval narrowed to one artist and to what the artist already allowed
(previewed, then confirmed), the CSV export, and the money: the label's earnings over a
chosen period and the usage reported without permission."""

import csv
import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from portal.consent.models import Answer, Decision, Side
from portal.consent.selectors import EXPORT_COLUMNS
from tests.a11y import lived_in, sign_in
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, say
from tests.mfa import totp_enable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reviews_the_roster_approves_in_bulk_exports_and_checks_the_money(
    world: World, live_server, page: Page
) -> None:
    lived_in(world)
    _, night_1, night_2 = world.works
    say(world, Side.ARTIST, Answer.GRANTED, work=night_1, use=world.style)
    Authenticator.objects.filter(user=world.manager).delete()
    secret = totp_enable(world.manager)

    sign_in(page, live_server.url, "sam@example.test", secret)

    # The overview: what waits for the label, then the roster and who delegated.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "9 decisions wait for Northern Lights Records"
    )
    pending = page.get_by_role("region", name="By product and use")
    style_row = pending.get_by_role("row", name=re.compile("^Tunesmith · Style generation"))
    # waiting for you, waiting for artists, permitted, denied by either side
    expect(style_row.get_by_role("cell").filter(has_text=re.compile(r"^\d"))).to_have_text(
        [re.compile(r"^3"), re.compile(r"^2"), re.compile(r"^0"), re.compile(r"^1")]
    )
    # The roster has a page of its own (tests/consent/test_roster_journey_browser.py).
    expect(page.get_by_role("region", name="Roster", exact=True)).to_contain_text(
        "2 artists on the roster"
    )
    delegated = page.get_by_role("region", name="Artists who let you decide for them")
    expect(delegated).to_contain_text("Ada Lane since")

    # Bulk approval for one artist, only where the artist already said yes.
    style_row.get_by_role("link", name="See works for Tunesmith, Style generation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tunesmith")
    filters = page.get_by_role("search", name="Find works")
    filters.get_by_label("Artist", exact=True).select_option(label="Ada Lane")
    filters.get_by_role("button", name="Apply").click()
    bulk = page.locator("#bulk-form")
    expect(bulk.get_by_role("heading", level=2)).to_contain_text("by Ada Lane")
    bulk.get_by_label("Use", exact=True).select_option(label="Style generation")
    bulk.get_by_label("Only where the artist has already said yes").check()
    bulk.get_by_role("button", name="Approve…").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Approve style generation for Tunesmith?"
    )
    preview = page.locator("main .card")
    expect(preview).to_contain_text("This will grant Style generation for 1 work, as")
    expect(preview).to_contain_text("These are the works by Ada Lane")
    expect(preview).to_contain_text("1 of them becomes permitted at once")
    expect(preview.get_by_role("listitem")).to_have_text([re.compile(f"^{night_1.title}")])
    page.get_by_role("button", name="Grant for 1 work").click()
    expect(page.get_by_role("status").filter(has_text="granted")).to_contain_text(
        "1 permission changed."
    )
    assert Decision.objects.get(
        side=Side.RIGHTS_HOLDER, work=night_1, use_type=world.style
    ).answer == (Answer.GRANTED)
    # Night Drive 2 (the artist said no) and Bo Reed's work were left alone.
    assert not Decision.objects.filter(
        side=Side.RIGHTS_HOLDER, use_type=world.style, work__in=[night_2, *world.works[3:]]
    ).exists()

    # The export: the roster's consent state for one product, as a file.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Northern Lights Records"
    ).click()
    export = page.get_by_role("region", name="Export the roster's consent state")
    export.get_by_label("Product").select_option(label="Tunesmith")
    with page.expect_download() as download_info:
        export.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert re.fullmatch(
        rf"consent-{world.label.pk}-\d{{8}}-\d{{4}}\.csv", download.suggested_filename
    )
    with open(download.path(), newline="", encoding="utf-8") as file:
        header, *rows = list(csv.reader(file))
    assert header == EXPORT_COLUMNS
    by_key = {(row[1], row[4]): dict(zip(header, row, strict=True)) for row in rows}
    assert len(by_key) == len(rows) == 8  # 4 works x training and style generation
    assert {row[3] for row in rows} == {"tunesmith"}
    approved = by_key[(night_1.title, "style_generation")]
    assert (approved["artist_answer"], approved["label_answer"], approved["permitted"]) == (
        "granted",
        "granted",
        "yes",
    )
    refused = by_key[(night_2.title, "style_generation")]
    assert (refused["permitted"], refused["reasons"]) == (
        "no",
        "artist_denied rights_holder_undecided",
    )

    # The money: the label's earnings for a month, then the flagged usage.
    page.get_by_role("navigation", name="Money").get_by_role("link", name="Earnings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Earnings across the roster")
    totals = page.get_by_role("region", name="In total")
    expect(totals.get_by_role("row", name=re.compile("^Paid to Northern Lights"))).to_contain_text(
        "€110.07"  # 30% of 100.00 + 246.90 + 20.00
    )
    expect(totals.get_by_role("row", name=re.compile("^Held"))).to_contain_text("€24.00")
    page.get_by_label("From", exact=True).select_option("2026-10")
    page.get_by_label("To", exact=True).select_option("2026-10")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"from=2026-10&to=2026-10"))
    expect(totals.get_by_role("row", name=re.compile("^Paid to Northern Lights"))).to_contain_text(
        "€80.07"
    )
    by_artist = page.get_by_role("region", name="By artist")
    expect(by_artist.get_by_role("row", name=re.compile("^Ada Lane"))).to_contain_text("€296.90")

    totals.get_by_role("link", name="See the usage reported without permission").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Usage reported without permission")
    flags = page.locator("ol.flags > li")
    expect(flags).to_have_count(1)
    expect(flags.first).to_contain_text(
        f"Stemify reported 1,200 uses of {night_1.title} (Ada Lane) for Stems and remix "
        "without permission in October 2026."
    )
    page.get_by_label("Product").select_option(label="Stemify")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"product=stemify"))
    expect(page.locator("main .count")).to_have_text("1 line of usage, newest report first.")
