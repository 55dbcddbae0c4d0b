"""The money where the decision is made: each work's earnings beside its answers, and what
a no (in bulk, or stopping everything) would forgo; and pages with conditional yes
answers read no more queries as the catalogue grows."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from lxml import html

from portal.consent.conditions import Given
from portal.consent.models import Answer, Side
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import usage_report_parse
from portal.licensing.models import Condition, Licence
from tests import factories as f
from tests.clock import fixed_today  # noqa: F401 (autouse: the report is for October 2026)
from tests.conftest import World, say


@pytest.fixture
def earning(world: World) -> World:
    """Training of the first two works permitted since September; October's report paid
    €20 and €90 for them (the artist's half: €10 and €45)."""
    Licence.objects.filter(licensee=world.product.licensee).update(starts_on=date(2026, 1, 1))
    with time_machine.travel(datetime(2026, 9, 15, 12, tzinfo=UTC)):
        for work in world.works[:2]:
            say(world, Side.ARTIST, Answer.GRANTED, work=work)
            say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work)
    lines = [
        {"isrc": work.isrc, "use": "training", "units": 10, "gross": gross}
        for work, gross in zip(world.works[:2], ["20.00", "90.00"], strict=True)
    ]
    parsed = usage_report_parse(
        {
            "reference": "oct",
            "period": {"start": "2026-10-01", "end": "2026-10-31"},
            "currency": "EUR",
            "lines": lines,
        }
    )
    usage_report_submit(product=world.product, parsed=parsed)
    return world


def words(response) -> str:
    return " ".join(html.fromstring(response.content).text_content().split())


def matrix_url(world: World) -> str:
    return reverse("matrix", args=["artists", world.artist.pk, "tunesmith"])


def test_each_work_says_what_it_earned_beside_its_answers(
    earning: World, artist_client: Client
) -> None:
    page = html.fromstring(artist_client.get(matrix_url(earning)).content)
    earned = {
        row.xpath('.//span[@class="title"]')[0].text: " ".join(
            row.xpath('.//span[@class="earned"]')[0].text_content().split()
        )
        for row in page.xpath("//table[@class='matrix']/tbody/tr")
    }
    assert earned == {
        "Night Drive 0": "Earned you €10.00 in 12 months",
        "Night Drive 1": "Earned you €45.00 in 12 months",
        "Night Drive 2": "Nothing earned in 12 months",
    }


def test_a_bulk_no_says_what_it_would_forgo(earning: World, artist_client: Client) -> None:
    response = artist_client.post(
        reverse("bulk", args=["artists", earning.artist.pk, "tunesmith"]),
        {"use": "training", "answer": "denied", "scope": "all"},
    )
    assert (
        "In the last 12 months Tunesmith paid you €55.00 for training of these works: a no "
        "forgoes that from now on." in words(response)
    )


def test_stopping_everything_says_what_it_would_forgo(
    earning: World, artist_client: Client
) -> None:
    response = artist_client.get(reverse("stop_everything", args=[earning.artist.pk]))
    assert (
        "In the last 12 months AI products paid Ada Lane €55.00: stopping everything forgoes "
        "that from now on." in words(response)
    )


@pytest.mark.parametrize("extra_works", [10, 200])
def test_conditional_answers_cost_the_matrix_the_same_queries_at_any_size(
    world: World, artist_client: Client, django_assert_max_num_queries, extra_works: int
) -> None:
    world.product.conditions_honoured.set(Condition.objects.filter(code="non_commercial"))
    works = f.WorkFactory.create_batch(extra_works, primary_artist=world.artist)
    for work in works[:30]:
        say(world, Side.ARTIST, Answer.GRANTED, work, conditions=(Given("non_commercial"),))
        say(
            world,
            Side.RIGHTS_HOLDER,
            Answer.GRANTED,
            work,
            conditions=(Given("credit_required", "Ada"),),
        )
    # Two more than without conditions: what the product honours, and their names.
    with django_assert_max_num_queries(26):
        response = artist_client.get(matrix_url(world), {"per_page": 50})
    assert response.status_code == 200
    assert "Not permitted: Tunesmith cannot honour “Credit”" in words(response)
