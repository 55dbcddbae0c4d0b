"""In a real browser: a recording's public page reads well and passes axe on a phone and
on a desk, with a licensed use listed and with everything reserved."""

import pytest
from playwright.sync_api import Page, expect

from portal.consent.conditions import Given
from portal.licensing.models import Condition
from tests.a11y import DESKTOP, PHONE, axe_report, axe_serious, page_width
from tests.conftest import World
from tests.fans.helpers import permitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_work_page_passes_axe_on_a_phone_and_on_a_desk(
    world: World, live_server, page: Page
) -> None:
    world.product.conditions_honoured.add(Condition.objects.get(code="credit_required"))
    permitted(world, conditions=(Given("credit_required", "Ada Lane"),))
    problems = []
    for work, state in ((world.works[0], "licensed"), (world.works[1], "reserved")):
        for size, where in ((PHONE, "phone"), (DESKTOP, "desk")):
            page.set_viewport_size(size)
            page.goto(f"{live_server.url}/w/{work.isrc}")
            expect(page.get_by_role("heading", level=1)).to_have_text(work.title)
            if found := axe_serious(page):
                problems.append(axe_report(f"work page, {state} ({where})", found))
            if where == "phone" and (width := page_width(page)) > PHONE["width"]:
                problems.append(f"the {state} work page is {width}px wide on a phone")
    page.goto(f"{live_server.url}/w/{world.works[0].isrc}")
    expect(page.get_by_role("heading", name="Tunesmith")).to_be_visible()
    expect(page.get_by_text("on condition: credit as “Ada Lane”")).to_be_visible()
    assert problems == [], "\n".join(problems)
