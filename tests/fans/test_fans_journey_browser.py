"""In a real browser: the team's admin publishes the page, a fan with no account reads it
(without JavaScript too) and reports a fake, and the team finds the report in its inbox.
The public page passes axe on a phone and on a desk."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.fans.models import MisuseReport
from portal.fans.services import misuse_report_file
from tests.a11y import DESKTOP, axe_report, axe_serious, page_width, sign_in_as
from tests.conftest import World
from tests.fans.helpers import permitted, published

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 360, "height": 780}


def test_the_admin_publishes_a_fan_reports_and_the_team_sees_it(
    world: World, live_server, page: Page, browser: Browser, settings
) -> None:
    settings.PORTAL_BASE_URL = live_server.url
    settings.FANS_REPORT_MIN_SECONDS = 0  # a test fills the form faster than a person
    permitted(world)

    sign_in_as(page, world.artist_user, live_server.url)
    page.goto(f"{live_server.url}/artists/{world.artist.pk}/")
    page.get_by_role("link", name="Public page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your public page")
    expect(page.get_by_label(re.compile("^Address"))).to_have_value("ada-lane")
    page.get_by_role("button", name="Publish the page").click()
    expect(
        page.get_by_role("status").filter(has_text="Your public page is live at /a/ada-lane/.")
    ).to_be_visible()

    fan = browser.new_context(java_script_enabled=False).new_page()
    fan.goto(f"{live_server.url}/a/ada-lane/")
    expect(fan.get_by_role("heading", level=1)).to_have_text("Ada Lane and AI")
    expect(fan.get_by_role("heading", name=re.compile("^Tunesmith"))).to_be_visible()
    expect(fan.get_by_text("Everything else is not authorised by Ada Lane.")).to_be_visible()
    # Hidden from people: the honeypot is not something a fan can see or reach.
    expect(fan.get_by_label("Leave this empty")).to_be_hidden()

    fan.get_by_label("Where you found it").fill("https://video.example/watch?v=fake-ada")
    fan.get_by_label("A voice clone").check()
    fan.get_by_label(re.compile("^What makes you think")).fill("Ada never sang this.")
    fan.get_by_role("button", name="Send the report").click()
    expect(fan.get_by_role("status")).to_have_text(
        "Thank you: your report reached Ada Lane's team."
    )
    assert MisuseReport.objects.get().url == "https://video.example/watch?v=fake-ada"

    page.goto(f"{live_server.url}/artists/{world.artist.pk}/")
    page.get_by_role("link", name="Misuse reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Misuse reports")
    expect(page.get_by_role("link", name="https://video.example/watch?v=fake-ada")).to_be_visible()
    expect(page.get_by_text("Ada never sang this.")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Mark handled")).click()
    expect(page.get_by_role("status").filter(has_text="Marked handled")).to_be_visible()
    expect(page.get_by_text("Handled", exact=True)).to_be_visible()


def test_the_public_page_passes_axe_on_a_phone_and_on_a_desk(
    world: World, live_server, page: Page, settings
) -> None:
    permitted(world)
    published(world)
    problems = []
    for size, where in ((PHONE, "phone"), (DESKTOP, "desk")):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/a/ada-lane/")
        if found := axe_serious(page):
            problems.append(axe_report(f"public page ({where})", found))
        if where == "phone" and (width := page_width(page)) > PHONE["width"]:
            problems.append(f"the public page is {width}px wide on a 360px phone")
        # The form refused, with its mistakes shown, must pass too (sent empty, past the
        # browser's own checks).
        page.evaluate("document.querySelector('form.fan-form').noValidate = true")
        page.get_by_role("button", name="Send the report").click()
        expect(page.get_by_role("alert").first).to_be_visible()
        if found := axe_serious(page):
            problems.append(axe_report(f"refused report ({where})", found))
    assert problems == [], "\n".join(problems)


def test_the_teams_settings_and_inbox_pass_axe_on_a_phone_and_on_a_desk(
    world: World, live_server, page: Page
) -> None:
    published(world)
    misuse_report_file(
        artist=world.artist,
        url="https://video.example/watch?v=fake-ada",
        kind=MisuseReport.Kind.SONG,
        description="Not her.",
        contact="fan@example.test",
        ip_hash="0" * 64,
    )
    sign_in_as(page, world.artist_user, live_server.url)
    problems = []
    for name, path in (("settings", "fan-page"), ("inbox", "misuse-reports")):
        for size, where in ((PHONE, "phone"), (DESKTOP, "desk")):
            page.set_viewport_size(size)
            page.goto(f"{live_server.url}/artists/{world.artist.pk}/{path}/")
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            if found := axe_serious(page):
                problems.append(axe_report(f"{name} ({where})", found))
            if where == "phone" and (width := page_width(page)) > PHONE["width"]:
                problems.append(f"{name} is {width}px wide on a 360px phone")
    assert problems == [], "\n".join(problems)
