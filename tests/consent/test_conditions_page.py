"""'Yes, with conditions…': the page that says what a yes allows and pays, then takes the
conditions, and the matrix cell that shows them."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from lxml import html

from portal.consent.conditions import Given
from portal.consent.models import Answer, Decision, LedgerEntry, Side
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import usage_report_parse
from portal.licensing.models import Condition, Licence
from tests.clock import fixed_today  # noqa: F401 (autouse: the report is for October 2026)
from tests.conftest import World, logged_in, say


@pytest.fixture
def honouring(world: World) -> World:
    world.product.conditions_honoured.set(
        Condition.objects.filter(code__in=["credit_required", "non_commercial"])
    )
    return world


def page_url(world: World, kind: str = "artists", party_id: int | None = None) -> str:
    party_id = party_id or (world.artist.pk if kind == "artists" else world.label.pk)
    return reverse("conditions", args=[kind, party_id, "tunesmith", world.works[0].pk])


def text(response) -> str:
    return " ".join(html.fromstring(response.content).text_content().split())


def test_the_page_says_what_the_yes_allows_and_pays_before_it_is_given(
    honouring: World, artist_client: Client
) -> None:
    response = artist_client.get(page_url(honouring), {"use": "training"})
    assert response.status_code == 200
    words = text(response)
    assert "You receive 50% of what Tunesmith pays for training." in words
    assert (
        "Tunesmith has paid nothing for training of Night Drive 0 in the last 12 months." in words
    )
    for condition in Condition.objects.all():
        assert condition.name in words and condition.explanation in words
    assert (
        "Tunesmith cannot honour “No advertising”, “No political use”, “Only in some countries”."
        in words
    )
    page = html.fromstring(response.content)
    [credit] = page.xpath('//input[@name="credit_required__credit"]')
    assert credit.get("value") == "Ada Lane"  # prefilled with the artist's name
    [box] = page.xpath('//input[@name="non_commercial"]')
    described = box.get("aria-describedby")
    assert page.xpath(f'//*[@id="{described}"]')[0].text_content().startswith("Your work is used")


def test_the_page_says_what_the_product_paid_for_this_use_of_this_work(
    honouring: World, artist_client: Client
) -> None:
    world = honouring
    Licence.objects.filter(licensee=world.product.licensee).update(starts_on=date(2026, 1, 1))
    with time_machine.travel(datetime(2026, 9, 15, 12, tzinfo=UTC)):
        say(world, Side.ARTIST, Answer.GRANTED)
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    parsed = usage_report_parse(
        {
            "reference": "oct",
            "period": {"start": "2026-10-01", "end": "2026-10-31"},
            "currency": "EUR",
            "lines": [
                {"isrc": world.works[0].isrc, "use": "training", "units": 10, "gross": "20.00"},
                {"isrc": world.works[1].isrc, "use": "training", "units": 10, "gross": "90.00"},
            ],
        }
    )
    usage_report_submit(product=world.product, parsed=parsed)
    words = text(artist_client.get(page_url(world), {"use": "training"}))
    assert (
        "Tunesmith paid Ada Lane €10.00 for training of Night Drive 0 in the last 12 months."
        in words
    )


def test_a_yes_with_conditions_is_saved_and_the_cell_shows_them(
    honouring: World, artist_client: Client
) -> None:
    world = honouring
    response = artist_client.post(
        page_url(world),
        {
            "use": "training",
            "credit_required": "on",
            "credit_required__credit": "Ada Lane & Band",
            "non_commercial": "on",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(side=Side.ARTIST, work=world.works[0])
    assert (decision.answer, decision.conditions) == (
        "granted",
        [{"code": "credit_required", "credit": "Ada Lane & Band"}, {"code": "non_commercial"}],
    )
    matrix = artist_client.get(response["Location"])
    assert (
        "Saved: Training for Night Drive 0 is now allowed by you, with conditions: credit as "
        "“Ada Lane & Band”, non-commercial only." in text(matrix)
    )
    page = html.fromstring(matrix.content)
    [yes] = page.xpath(f'//button[@id="yes-{world.works[0].pk}-training"]')
    assert yes.get("aria-label") == (
        "Training for Night Drive 0: yes, with conditions: credit as “Ada Lane & Band”, "
        "non-commercial only"
    )
    [cell] = page.xpath(f'//div[@id="cell-{world.works[0].pk}-training"]')
    assert "Yes · credit as “Ada Lane & Band”, non-commercial only" in " ".join(
        cell.text_content().split()
    )
    assert "Change conditions…" in cell.text_content()


def test_yes_again_on_the_cell_keeps_the_conditions(
    honouring: World, artist_client: Client
) -> None:
    world = honouring
    say(world, Side.ARTIST, Answer.GRANTED, conditions=(Given("non_commercial"),))
    artist_client.post(
        reverse("decide", args=["artists", world.artist.pk, "tunesmith", world.works[0].pk]),
        {"use": "training", "answer": "granted"},
    )
    assert LedgerEntry.objects.count() == 1
    assert Decision.objects.get(side=Side.ARTIST, work=world.works[0]).conditions == [
        {"code": "non_commercial"}
    ]


def test_a_credit_ticked_without_its_line_is_refused_and_nothing_is_written(
    honouring: World, artist_client: Client
) -> None:
    response = artist_client.post(
        page_url(honouring),
        {"use": "training", "credit_required": "on", "credit_required__credit": " "},
    )
    assert response.status_code == 422
    assert "Credit line: Give the credit line to show." in text(response)
    assert not Decision.objects.exists()


def test_territories_are_chosen_by_country(world: World, artist_client: Client) -> None:
    response = artist_client.post(
        page_url(world),
        {"use": "training", "territories": "on", "territories__allow": ["IE", "GB"]},
    )
    assert response.status_code == 302
    assert Decision.objects.get().conditions == [{"code": "territories", "allow": ["GB", "IE"]}]
    # Tunesmith honours no condition here: the cell says why nothing is permitted.
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    matrix = text(artist_client.get(response["Location"]))
    assert "Not permitted: Tunesmith cannot honour “Only in some countries”" in matrix


def test_a_country_that_is_not_one_is_refused(world: World, artist_client: Client) -> None:
    response = artist_client.post(
        page_url(world), {"use": "training", "territories": "on", "territories__allow": ["UK"]}
    )
    assert response.status_code == 422
    assert not Decision.objects.exists()


def test_a_use_the_product_does_not_ask_for_goes_back_with_a_message(
    world: World, artist_client: Client
) -> None:
    response = artist_client.get(page_url(world), {"use": "lyrics"}, follow=True)
    assert "This product does not ask for that use." in text(response)


def test_the_label_sets_conditions_on_its_own_side(honouring: World) -> None:
    manager = logged_in(honouring.manager)
    response = manager.post(
        page_url(honouring, "labels"), {"use": "training", "non_commercial": "on"}
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.side, decision.conditions) == (
        Side.RIGHTS_HOLDER,
        [{"code": "non_commercial"}],
    )


def test_another_artists_work_is_not_found(world: World) -> None:
    other = logged_in(world.other_artist_user)
    response = other.get(page_url(world, party_id=world.other_artist.pk), {"use": "training"})
    assert response.status_code == 404


def test_the_label_reads_the_artists_conditions_on_its_product_page(honouring: World) -> None:
    say(honouring, Side.ARTIST, Answer.GRANTED, conditions=(Given("non_commercial"),))
    response = logged_in(honouring.manager).get(
        reverse("matrix", args=["labels", honouring.label.pk, "tunesmith"])
    )
    cell = html.fromstring(response.content).xpath(
        f'//div[@id="cell-{honouring.works[0].pk}-training"]'
    )[0]
    assert "Artist: Yes · non-commercial only" in " ".join(cell.text_content().split())
