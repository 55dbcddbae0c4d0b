"""An artist, in a real browser, sees a problem where they look and takes things back.

The home says a product used a work without permission until it is marked seen; a cell's
answer is cleared with the keyboard; "stop everything" is restored from the activity page
after an exact preview. The pages pass axe on a phone and on a desk."""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from portal.consent.models import AnswerBatch, Decision, Side
from portal.earnings.models import FlaggedUse
from portal.licensing.models import Licence
from tests.a11y import checked, sign_in
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, say
from tests.earnings.test_artist import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_artist_sees_use_without_permission_clears_an_answer_and_undoes_a_stop(
    world: World, live_server, page: Page
) -> None:
    Licence.objects.update(starts_on=date(2025, 1, 1))
    night_0, night_1, _ = world.works
    say(world, Side.ARTIST, "granted", work=night_0)
    say(world, Side.RIGHTS_HOLDER, "granted", work=night_0)
    say(world, Side.ARTIST, "denied", work=night_1)
    report(world.product, "2026-10", [(night_1, "training", 4694, "63.37")])

    sign_in(page, live_server.url, "ada@example.test")

    # Where the artist looks: the home says it, with the money held, until it is seen.
    banner = page.get_by_role("region", name="A product used your music without permission")
    expect(banner).to_contain_text(
        "Tunesmith reported 4,694 uses of Night Drive 1 without permission"
    )
    expect(banner).to_contain_text("of your share is held")
    card = page.get_by_role("article", name=re.compile("^Tunesmith"))
    training = card.get_by_role("row", name=re.compile("^Training"))
    expect(training.get_by_role("cell").first).to_have_text("1")  # permitted now
    banner.get_by_role("button", name="Mark as seen").click()
    expect(page.get_by_role("status").filter(has_text="Marked as seen")).to_be_visible()
    expect(banner).to_have_count(0)
    assert FlaggedUse.objects.get().seen_at is not None

    # A cell's answer taken back to none, with the keyboard.
    card.get_by_role("link", name=re.compile("^See your answers|^Review")).click()
    clear = page.get_by_role("button", name=f"Training for {night_1.title}: clear the answer")
    page.wait_for_load_state("load")  # the page's script answers in place from then on
    clear.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#cell-{night_1.pk}-training")).to_contain_text(
        f"Cleared: Training for {night_1.title} has no answer by you."
    )
    expect(clear).to_have_count(0)
    assert not Decision.objects.filter(work=night_1, side=Side.ARTIST).exists()

    # Stop everything, then take it back from the activity page.
    page.goto(f"{live_server.url}/artists/{world.artist.pk}/stop/")
    page.get_by_role("button", name=re.compile("^Withdraw all")).click()
    expect(page.get_by_role("status").filter(has_text="yes answers are now no")).to_be_visible()
    page.get_by_role("link", name="Activity").click()
    page.get_by_role("link", name=re.compile("^Restore the answers you had before")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Restore the 1 answer you had before"
    )
    problems = checked(page, "restore-preview")
    assert problems == [], "\n".join(problems)
    page.get_by_role("button", name="Restore 1 answer").click()
    expect(page.get_by_role("status").filter(has_text="Restored")).to_have_text(
        "Restored 1 answer as they were."
    )
    expect(page.locator("section .batches")).to_contain_text("1 answer given back")
    assert Decision.objects.get(work=night_0, side=Side.ARTIST).answer == "granted"
    assert AnswerBatch.objects.get().undone_at is not None
