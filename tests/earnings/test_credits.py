"""The credits page: per product, each credit line reported with the artist's works (and
output that showed none); per work, its contributors and what products showed."""

from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.catalogue.models import Credit, Work
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import usage_report_parse
from portal.licensing.models import Product
from tests import factories as f
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, logged_in
from tests.earnings.test_ingest import line

OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}
SEPTEMBER = {"start": "2026-09-01", "end": "2026-09-30"}


def submit(product: Product, lines: list[dict], *, reference: str, period=None) -> None:
    parsed = usage_report_parse(
        {"reference": reference, "period": period or OCTOBER, "currency": "EUR", "lines": lines}
    )
    usage_report_submit(product=product, parsed=parsed)


@pytest.fixture
def credited(world: World) -> World:
    """Tunesmith credits Ada Lane on two works and shows nothing on the third; Stemify
    shows a credit that does not name her; Bo Reed's work carries his own credit."""
    works = world.works
    stemify = f.ProductFactory(slug="stemify", name="Stemify")
    submit(
        world.product,
        [
            line(works[0], units=500, credit="Ada Lane"),
            line(works[1], units=300, credit="Ada Lane"),
            line(works[2], units=200, credit=""),
            line(Work.objects.get(title="Paper Moons"), units=70, credit="Bo Reed private"),
        ],
        reference="TS-10",
    )
    submit(
        world.product,
        [
            line(works[2], units=50, credit="   "),
            line(works[0], use="style_generation", units=10, credit="Ada Lane "),
        ],
        reference="TS-09",
        period=SEPTEMBER,
    )
    submit(stemify, [line(works[0], use="lyrics", units=40, credit="Remix by fans")], reference="S")
    f.CreditFactory(work=works[0], name="Ada Lane", role=Credit.Role.PERFORMER, position=0)
    f.CreditFactory(work=works[0], name="Jo Writer", role=Credit.Role.COMPOSER, position=1)
    return world


def credits_url(world: World) -> str:
    return reverse("artist_credits", args=[world.artist.pk])


def body(response: object) -> str:
    return unescape(response.content.decode())  # type: ignore[attr-defined]


def test_each_credit_line_is_counted_in_outputs_and_works_per_product(
    credited: World, artist_client: Client
) -> None:
    response = artist_client.get(credits_url(credited))
    assert response.status_code == 200
    products = {p.name: p for p in response.context["products"]}
    assert list(products) == ["Stemify", "Tunesmith"]
    tunesmith = products["Tunesmith"]
    # A trailing space is the same credit; spaces alone are no credit.
    assert [(c["credit"], c["unit_count"], c["work_count"]) for c in tunesmith.lines] == [
        ("Ada Lane", 810, 2),
        ("", 250, 1),
    ]
    assert (tunesmith.unit_count, tunesmith.work_count) == (1060, 3)
    assert (tunesmith.uncredited_units, tunesmith.uncredited_works) == (250, 1)
    stemify = products["Stemify"]
    assert [(c["credit"], c["unit_count"], c["names_artist"]) for c in stemify.lines] == [
        ("Remix by fans", 40, False)
    ]
    page = body(response)
    assert "250 of 1,060 outputs showed no credit, in 1 work." in page
    assert "No credit shown" in page
    assert "Does not name Ada Lane" in page


def test_each_work_lists_its_contributors_and_what_products_showed(
    credited: World, artist_client: Client
) -> None:
    response = artist_client.get(credits_url(credited))
    works = dict(response.context["works"])
    first = next(w for w in works if w.pk == credited.works[0].pk)
    assert [(c.name, c.role) for c in first.credits.all()] == [
        ("Ada Lane", Credit.Role.PERFORMER),
        ("Jo Writer", Credit.Role.COMPOSER),
    ]
    assert [(r["product_name"], r["credit"], r["unit_count"]) for r in works[first]] == [
        ("Stemify", "Remix by fans", 40),
        ("Tunesmith", "Ada Lane", 510),
    ]
    page = body(response)
    assert 'Jo Writer <span class="meta">Composer</span>' in page
    assert "Tunesmith: “Ada Lane”" in page


def test_other_artists_credit_lines_never_appear(credited: World, artist_client: Client) -> None:
    page = body(artist_client.get(credits_url(credited)))
    assert "Bo Reed private" not in page
    assert "Paper Moons" not in page


def test_works_are_found_by_title_or_isrc(credited: World, artist_client: Client) -> None:
    url = credits_url(credited)
    by_title = artist_client.get(url, {"q": "drive 1"}).context["works"]
    assert [w.title for w, _ in by_title] == ["Night Drive 1"]
    isrc = credited.works[2].isrc
    by_isrc = artist_client.get(url, {"q": f"{isrc[:2]}-{isrc[2:5]}-{isrc[5:]}"}).context["works"]
    assert [w.pk for w, _ in by_isrc] == [credited.works[2].pk]
    nothing = artist_client.get(url, {"q": "no such song"})
    assert "No work of yours matches “no such song”" in body(nothing)


def test_works_are_paged_by_25_with_reported_ones_first(
    credited: World, artist_client: Client
) -> None:
    for _ in range(30):
        f.WorkFactory(primary_artist=credited.artist)
    first = artist_client.get(credits_url(credited))
    assert len(first.context["works"]) == 25
    assert {w.pk for w, _ in first.context["works"][:3]} == {w.pk for w in credited.works}
    assert "Page 1 of 2" in body(first)
    second = artist_client.get(credits_url(credited), {"page": 2})
    assert len(second.context["works"]) == 8
    assert all(reported == [] for _, reported in second.context["works"])
    assert "Not reported by any product" in body(second)


def test_an_artist_without_reports_is_told_what_will_appear(
    world: World, artist_client: Client
) -> None:
    page = body(artist_client.get(credits_url(world)))
    assert "No credits reported yet" in page
    assert "Night Drive 0" in page  # the works are listed all the same
    assert "No contributors in the catalogue yet" in page


def test_another_artists_credits_are_not_found(credited: World) -> None:
    for user in (credited.other_artist_user, credited.outsider_user, credited.manager):
        assert logged_in(user).get(credits_url(credited)).status_code == 404


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_whatever_the_catalogue(
    credited: World, artist_client: Client
) -> None:
    small = queries(artist_client, credits_url(credited))
    more = [f.WorkFactory(primary_artist=credited.artist) for _ in range(60)]
    for work in more:
        f.CreditFactory(work=work)
        f.CreditFactory(work=work, role=Credit.Role.PRODUCER)
    submit(
        credited.product,
        [line(work, units=5, credit=f"Ada Lane · take {n % 4}") for n, work in enumerate(more)],
        reference="TS-10-MORE",
    )
    assert queries(artist_client, credits_url(credited)) == small
    assert queries(artist_client, credits_url(credited) + "?page=3&q=song") == small
