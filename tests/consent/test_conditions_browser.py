"""An artist, in a real browser, says "yes, with conditions" to training: reads what the
yes pays before giving it, ticks the conditions with the keyboard, and finds them on
the cell and in the work's history."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from portal.consent.models import Decision
from portal.licensing.models import Condition
from tests.a11y import axe_report, axe_serious, sign_in
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_artist_grants_training_credited_and_non_commercial(
    world: World, live_server, page: Page
) -> None:
    world.product.conditions_honoured.set(
        Condition.objects.filter(code__in=["credit_required", "non_commercial"])
    )
    work = world.works[0]
    sign_in(page, live_server.url, "ada@example.test")
    matrix = reverse("matrix", args=["artists", world.artist.pk, "tunesmith"])
    page.goto(f"{live_server.url}{matrix}")
    page.get_by_role("link", name=f"Yes, with conditions… Training for {work.title}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Yes to training for {work.title}, with conditions"
    )
    expect(page.get_by_text("You receive 50% of what Tunesmith pays for training.")).to_be_visible()
    expect(page.get_by_label("Credit line")).to_have_value("Ada Lane")
    assert not axe_serious(page), axe_report("the conditions page", axe_serious(page))

    page.get_by_label("Credit", exact=True).check()
    page.get_by_label("Non-commercial only").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Say yes with these conditions").click()

    expect(page.locator(".flash")).to_contain_text(
        f"Saved: Training for {work.title} is now allowed by you, with conditions: credit as "
        "“Ada Lane”, non-commercial only."
    )
    cell = page.locator(f"#cell-{work.pk}-training")
    expect(cell).to_contain_text("Yes · credit as “Ada Lane”, non-commercial only")
    expect(
        page.get_by_role(
            "button",
            name=f"Training for {work.title}: yes, with conditions: credit as “Ada Lane”, "
            "non-commercial only",
        )
    ).to_have_attribute("aria-pressed", "true")
    assert Decision.objects.get(work=work).conditions == [
        {"code": "credit_required", "credit": "Ada Lane"},
        {"code": "non_commercial"},
    ]

    page.get_by_role("link", name=f"History of {work.title}").click()
    entry = page.get_by_role("listitem").filter(has_text="Training for Tunesmith")
    expect(entry).to_contain_text("with conditions: credit as “Ada Lane”, non-commercial only")
