"""An artist, in a real browser, from signing in to the money.

Deciding: a new product asks (a notification and a card on the home page), the artist
answers in the matrix (yes and no, in place), answers many works at once after a
preview, reads a work's history, and lets the label decide for a while, then stops it,
being asked first. Earning: the earnings page over a chosen period, a figure's report
lines, the credits, a monthly statement.
"""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from playwright.sync_api import Page, expect

from portal.consent.models import Answer, Decision, Delegation, Side
from portal.consent.services import product_set_status
from portal.licensing.models import Licence, Product
from tests import factories as f
from tests.a11y import sign_in, stemify
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, say
from tests.earnings.test_ingest import line
from tests.earnings.test_statements import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JANUARY = datetime(2026, 1, 5, 12, tzinfo=UTC)
SEPTEMBER = {"start": "2026-09-01", "end": "2026-09-30"}


def answered_in_january(world: World) -> None:
    """Night Drive 0 permitted for training since January; the label said yes to
    training and to style generation of Night Drive 1."""
    Licence.objects.update(starts_on=date(2025, 1, 1))
    night_0, night_1, _ = world.works
    with time_machine.travel(JANUARY):
        say(world, Side.ARTIST, Answer.GRANTED, work=night_0)
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=night_0)
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=night_1)
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=night_1, use=world.style)


def test_an_artist_answers_a_new_product_and_the_matrix_and_lends_the_label_the_pen(
    world: World, live_server, page: Page
) -> None:
    answered_in_january(world)
    night_0, night_1, night_2 = world.works
    stems = stemify(world)
    Product.objects.filter(pk=stems.pk).update(status=Product.Status.DRAFT)
    product_set_status(product=stems, status=Product.Status.ACTIVE)  # launched: it asks now

    sign_in(page, live_server.url, "ada@example.test")

    # Home: the new product is there, waiting for an answer, and a notification says so.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "2 AI products want to use Ada Lane's catalogue"
    )
    card = page.get_by_role("article", name=re.compile("^Stemify"))
    expect(card).to_contain_text("Needs your answer")
    expect(card.get_by_role("row", name=re.compile("Stems and remix"))).to_contain_text("3")
    expect(card.get_by_role("link", name="Review 3 decisions for Stemify →")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name=re.compile(r"^Notifications\s*1 unread")).click()

    asks = "Stemify by Stemify Audio asks to use Ada Lane's catalogue for stems and remix."
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    page.get_by_role("button", name=re.compile("^Mark as read: Stemify by Stemify Audio")).click()
    expect(page.locator("#announcer")).to_have_text("Marked as read.")
    expect(nav.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    page.get_by_role("link", name=re.compile(f"^{re.escape(asks)}")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stemify")
    expect(
        page.get_by_role("button", name=f"Stems and remix for {night_0.title}: yes")
    ).to_be_visible()

    # Tunesmith's matrix: a yes that makes a use permitted, a no that stops another.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Ada Lane").click()
    page.get_by_role("link", name="Review 5 decisions for Tunesmith →").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tunesmith")
    yes = page.get_by_role("button", name=f"Training for {night_1.title}: yes")
    expect(yes).to_have_attribute("aria-pressed", "false")
    yes.click()
    training = page.locator(f"#cell-{night_1.pk}-training")
    expect(training).to_contain_text(f"Saved: Training for {night_1.title} is now allowed by you.")
    expect(training.locator(".state")).to_contain_text("Permitted")
    expect(yes).to_have_attribute("aria-pressed", "true")

    no = page.get_by_role("button", name=f"Style generation for {night_0.title}: no")
    no.click()
    style = page.locator(f"#cell-{night_0.pk}-style_generation")
    expect(style).to_contain_text(
        f"Saved: Style generation for {night_0.title} is now refused by you."
    )
    expect(style.locator(".state")).to_have_text("Not permitted: you said no")
    expect(no).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#announcer")).to_contain_text("is now refused by you")

    # Many works at once: choose, see exactly what changes, confirm.
    bulk = page.locator("#bulk-form")
    bulk.get_by_label("Use", exact=True).select_option(label="Style generation")
    page.get_by_role("checkbox", name=f"Select {night_1.title}").check()
    page.get_by_role("checkbox", name=f"Select {night_2.title}").check()
    bulk.get_by_role("radio", name="the works I selected").check()
    bulk.get_by_role("button", name="Grant…").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Grant style generation for Tunesmith?"
    )
    preview = page.locator("main .card")
    expect(preview).to_contain_text("This will grant Style generation for 2 works.")
    expect(preview).to_contain_text("1 of them becomes permitted at once")
    expect(preview.get_by_role("listitem")).to_have_text(
        [re.compile(night_1.title), re.compile(night_2.title)]
    )
    assert not Decision.objects.filter(side=Side.ARTIST, use_type=world.style, work=night_2)
    page.get_by_role("button", name="Grant for 2 works").click()
    expect(page.get_by_role("status").filter(has_text="granted")).to_have_text(
        "Style generation granted for 2 works (0 already were). 1 permission changed."
    )
    expect(
        page.get_by_role("button", name=f"Style generation for {night_2.title}: yes")
    ).to_have_attribute("aria-pressed", "true")

    # The work's history: every answer, newest first, who gave it and for whom. (The page
    # kept its "waiting" filter, which Night Drive 0 has left: clear it first.)
    page.get_by_role("search", name="Find works").get_by_role("link", name="Clear").click()
    page.get_by_role("link", name=f"History of {night_0.title}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(night_0.title)
    entries = page.locator("ol.history > li")
    expect(entries.first).to_contain_text("You")
    expect(entries.first).to_contain_text("Style generation for Tunesmith: no answer → No")
    expect(entries.filter(has_text="Training for Tunesmith").first).to_contain_text(
        "for Northern Lights Records (label)"
    )
    expect(entries.first.get_by_role("link", name=re.compile("^Download receipt"))).to_be_visible()

    # Let the label decide Tunesmith for a while; stopping it asks first.
    nav.get_by_role("link", name="Ada Lane").click()
    page.get_by_role("link", name="Let your label decide").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who decides for Ada Lane")
    products = page.get_by_role("group", name="Products")
    products.get_by_label("Only the products I tick").check()
    products.get_by_label("Tunesmith").check()
    page.get_by_role("group", name="Uses").get_by_label("Every use").check()
    page.get_by_role("button", name="Review what Northern Lights Records could decide").click()
    # Nothing changes until the page has said what it covers, and it is confirmed.
    expect(page.get_by_role("heading", level=2)).to_have_text(
        "Let Northern Lights Records decide for you?"
    )
    expect(page.locator(".confirm-panel strong")).to_have_text(
        "Tunesmith, for every use, including uses added in the future"
    )
    assert not Delegation.objects.exists()
    page.get_by_role("button", name="Yes, let Northern Lights Records decide").click()
    expect(page.get_by_role("status").filter(has_text="can now decide")).to_have_text(
        "Northern Lights Records can now decide for you: Tunesmith; all uses. "
        "You can stop this at any time."
    )
    stop = page.get_by_role(
        "button", name="Stop letting Northern Lights Records decide", exact=True
    )
    expect(stop).to_be_hidden()  # not one click away: the summary opens the question first
    page.get_by_text("Stop letting Northern Lights Records decide for me…").click()
    expect(page.locator(".confirm-panel")).to_contain_text("Answers Northern Lights Records")
    stop.click()
    expect(page.get_by_role("status").filter(has_text="no longer")).to_contain_text(
        "Northern Lights Records can no longer decide for you."
    )
    expect(page.locator("main .lede")).to_contain_text("Only you decide for Ada Lane")
    delegation = Delegation.objects.get(artist=world.artist)
    assert delegation.revoked_by == world.artist_user


def test_an_artist_follows_the_money_from_the_total_to_the_report_lines(
    world: World, live_server, page: Page
) -> None:
    answered_in_january(world)
    night_0, night_1, _ = world.works
    stems = stemify(world)
    f.CreditFactory(work=night_0, name="Jo Writer", role="composer", position=1)
    submit(
        world.product,
        [line(night_0, units=1000, gross="100.00", credit="Ada Lane")],
        reference="TS-2026-09",
        period=SEPTEMBER,
    )
    submit(
        world.product,
        [line(night_0, units=1234, gross="246.90", credit="Ada Lane")],
        reference="TS-2026-10",
    )
    # Stemify never had a yes: its use is flagged and the artist's share held.
    submit(
        stems,
        [line(night_1, use="stems_remix", units=1200, gross="30.00", credit="Remix pack")],
        reference="ST-2026-10",
    )

    sign_in(page, live_server.url, "ada@example.test")
    page.get_by_role("link", name=re.compile(r"^Earnings in October 2026: €123\.45")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What Ada Lane's catalogue earned")
    expect(page.locator("#months-table tbody tr")).to_have_count(12)
    page.get_by_label("From", exact=True).select_option("2026-09")
    page.get_by_label("To", exact=True).select_option("2026-10")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"from=2026-09&to=2026-10"))
    expect(page.get_by_role("heading", name="September 2026 to October 2026")).to_be_visible()
    expect(page.locator("#months-table tbody tr")).to_have_count(2)
    expect(page.locator("#total-paid")).to_contain_text("€173.45")  # half of 100.00 + 246.90
    expect(page.locator("#total-held")).to_contain_text("€15.00")  # half of Stemify's 30.00
    flagged = page.get_by_role("region", name="Reported without permission")
    expect(flagged).to_contain_text("Stemify reported 1,200 uses of Night Drive 1")

    page.get_by_role("link", name=re.compile(r"^€173\.45\s*: report lines$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report lines")
    rows = page.locator("table.lines tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("TS-2026-10")
    expect(rows.first).to_contain_text("€123.45")
    expect(rows.first).to_contain_text("Permitted: paid")
    expect(rows.last).to_contain_text("TS-2026-09")

    # Credits: what each product showed with the works, and the catalogue's own.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ada Lane").click()
    page.get_by_role("link", name="Credits", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How Ada Lane is credited")
    tunesmith = page.get_by_role("region", name="Tunesmith")
    expect(tunesmith).to_contain_text("Every output Tunesmith reported showed a credit.")
    expect(tunesmith.get_by_role("row", name=re.compile("“Ada Lane”"))).to_contain_text("2,234")
    stemify_credits = page.get_by_role("region", name="Stemify")
    expect(stemify_credits).to_contain_text("Does not name Ada Lane")
    by_work = page.get_by_role("region", name="Work by work")
    expect(by_work.get_by_role("row", name=re.compile(night_0.title))).to_contain_text(
        "Jo Writer Composer"
    )

    # A month's statement, from the list of months.
    page.get_by_role("navigation", name="Ada Lane: earnings").get_by_role(
        "link", name="Statements"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly statements")
    page.get_by_role("link", name="October 2026", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statement for October 2026")
    expect(page.get_by_role("heading", level=2, name="€123.45 paid to you")).to_be_visible()
    expect(page.locator("main")).to_contain_text("€15.00 held for flagged use.")
