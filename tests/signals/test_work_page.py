"""/w/<ISRC>: a recording's public preferences, as HTML for people and JSON for machines."""

import pytest
from django.test import Client

from portal.consent.conditions import Given
from portal.consent.models import Answer, DisputeReason, Side
from portal.consent.services import decisions_set, dispute_raise, works_withdraw
from portal.licensing.models import Condition
from tests import factories as f
from tests.conftest import World, decider, say
from tests.fans.helpers import permitted

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}
RESERVED = "AI use of this recording is reserved and not licensed."
EVERYTHING_ELSE = "no other AI use of this recording is licensed."


@pytest.fixture(autouse=True)
def _base_url(settings) -> None:
    settings.PORTAL_BASE_URL = "https://consent.example"


def html(client: Client, isrc: str) -> str:
    response = client.get(f"/w/{isrc}")
    assert response.status_code == 200
    return response.content.decode()


def data(client: Client, isrc: str) -> dict:
    response = client.get(f"/w/{isrc}", **JSON)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def vary(response) -> list[str]:
    return [name.strip() for name in response["Vary"].split(",")]


def test_a_licensed_use_is_listed_with_its_product_and_everything_else_is_reserved(
    world: World, client
) -> None:
    work = world.works[0]
    permitted(world)
    page = html(client, work.isrc)
    assert "<h1>Night Drive 0</h1>" in page
    assert "Ada Lane" in page and "Northern Lights Records" in page
    assert "Tunesmith" in page and "Training" in page
    assert "without conditions" in page
    assert EVERYTHING_ELSE in page
    # Asked for, but nobody said yes to it.
    assert "Style generation" not in page


def test_the_json_says_the_same_in_a_stable_shape(world: World, client) -> None:
    work = world.works[0]
    permitted(world)
    body = data(client, work.isrc)
    base = f"https://consent.example/w/{work.isrc}"
    assert body == {
        "isrc": work.isrc,
        "title": "Night Drive 0",
        "artist": "Ada Lane",
        "label": "Northern Lights Records",
        "licensed": [
            {
                "product": "tunesmith",
                "product_name": "Tunesmith",
                "licensee": world.product.licensee.name,
                "use": "training",
                "use_name": "Training",
                "conditions": [],
            }
        ],
        "reserved": True,
        "links": {
            "self": base,
            "tdmrep": "https://consent.example/.well-known/tdmrep.json",
            "tdm_policy": "https://consent.example/tdm/policy.json",
            "cawg_training_mining": f"{base}/cawg-training-mining.json",
        },
    }


def test_conditions_are_said_in_words_and_given_as_codes(world: World, client) -> None:
    world.product.conditions_honoured.add(Condition.objects.get(code="credit_required"))
    permitted(world, conditions=(Given("credit_required", "Ada Lane & the Tides"),))
    isrc = world.works[0].isrc
    assert "on condition: credit as “Ada Lane &amp; the Tides”" in html(client, isrc)
    assert data(client, isrc)["licensed"][0]["conditions"] == [
        {"code": "credit_required", "credit": "Ada Lane & the Tides"}
    ]


def test_a_browser_gets_html_and_the_response_varies_by_accept(world: World, client) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(f"/w/{world.works[0].isrc}", HTTP_ACCEPT=browser)
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in vary(response)
    assert response["Cache-Control"] == "public, max-age=300"
    any_type = client.get(f"/w/{world.works[0].isrc}", HTTP_ACCEPT="*/*")
    assert any_type["Content-Type"].startswith("text/html")
    json = client.get(f"/w/{world.works[0].isrc}", **JSON)
    assert "Accept" in vary(json) and json["Cache-Control"] == "public, max-age=300"


def test_the_page_carries_tdmrep_and_ai_preferences(world: World, client) -> None:
    response = client.get(f"/w/{world.works[0].isrc}")
    policy = "https://consent.example/tdm/policy.json"
    assert response["tdm-reservation"] == "1"
    assert response["tdm-policy"] == policy
    assert response["Content-Usage"] == "train-ai=n, search=y"
    page = response.content.decode()
    # TDMRep reads the fields from a HEAD response too.
    head = client.head(f"/w/{world.works[0].isrc}")
    assert head.status_code == 200 and head["tdm-reservation"] == "1"
    assert '<meta name="tdm-reservation" content="1">' in page
    assert f'<meta name="tdm-policy" content="{policy}">' in page


@pytest.mark.parametrize(
    "written", ["usrc17607839", "US-RC1-76-07839", "us-rc1-76-07839", "USRC1 7607839"]
)
def test_another_spelling_of_the_isrc_redirects_for_good_to_the_canonical_one(
    world: World, client, written: str
) -> None:
    f.WorkFactory(isrc="USRC17607839", primary_artist=world.artist)
    response = client.get(f"/w/{written}")
    assert response.status_code == 301
    assert response["Location"] == "/w/USRC17607839"
    cawg = client.get(f"/w/{written}/cawg-training-mining.json")
    assert cawg.status_code == 301
    assert cawg["Location"] == "/w/USRC17607839/cawg-training-mining.json"


@pytest.mark.parametrize("isrc", ["USRC17607839", "not-an-isrc", "X" * 200])
def test_an_unknown_or_malformed_isrc_is_not_found(world: World, client, isrc: str) -> None:
    assert client.get(f"/w/{isrc}").status_code == 404
    response = client.get(f"/w/{isrc}", **JSON)
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert error["message"]


def test_a_work_answered_by_one_side_only_reveals_nothing(world: World, client) -> None:
    work = world.works[0]
    say(world, Side.ARTIST, Answer.GRANTED)
    page = html(client, work.isrc)
    assert RESERVED in page and "Tunesmith" not in page
    assert data(client, work.isrc)["licensed"] == []
    # The label says no: both have answered, and still nothing is licensed.
    say(world, Side.RIGHTS_HOLDER, Answer.DENIED)
    assert RESERVED in html(client, work.isrc)
    assert data(client, work.isrc)["licensed"] == []


def test_a_withdrawn_work_licenses_nothing(world: World, client) -> None:
    work = world.works[0]
    permitted(world)
    works_withdraw(work_ids=[work.pk])
    assert RESERVED in html(client, work.isrc)
    assert data(client, work.isrc)["licensed"] == []


def test_a_disputed_work_licenses_nothing(world: World, client) -> None:
    work = world.works[0]
    permitted(world)
    dispute_raise(
        actor=world.manager, work=work, reason=DisputeReason.WRONG_LABEL, note="Not ours."
    )
    page = html(client, work.isrc)
    assert RESERVED in page
    assert "Not ours." not in page and "dispute" not in page.lower()
    assert data(client, work.isrc)["licensed"] == []


def test_a_change_of_answer_shows_at_once(world: World, client) -> None:
    work = world.works[0]
    permitted(world)
    assert len(data(client, work.isrc)["licensed"]) == 1
    say(world, Side.ARTIST, Answer.DENIED)
    assert data(client, work.isrc)["licensed"] == []
    assert RESERVED in html(client, work.isrc)


def test_only_this_works_uses_are_listed(world: World, client) -> None:
    permitted(world, work=world.works[1])
    assert data(client, world.works[0].isrc)["licensed"] == []
    assert len(data(client, world.works[1].isrc)["licensed"]) == 1


def test_the_page_reads_in_a_constant_number_of_queries(
    world: World, client, django_assert_max_num_queries
) -> None:
    work = world.works[0]
    world.product.conditions_honoured.add(Condition.objects.get(code="credit_required"))
    permitted(world, conditions=(Given("credit_required", "Ada Lane"),))
    with django_assert_max_num_queries(3):
        html(client, work.isrc)
    stemify = f.ProductFactory(slug="stemify", name="Stemify", licensee=world.product.licensee)
    f.ProductUseFactory(product=stemify, use_type=world.lyrics)
    world.licence.use_types.add(world.lyrics)
    works = [work, *(f.WorkFactory(primary_artist=world.artist) for _ in range(20))]
    for product, use in (
        (world.product, world.training),
        (world.product, world.style),
        (stemify, world.lyrics),
    ):
        for side in (Side.ARTIST, Side.RIGHTS_HOLDER):
            decisions_set(
                actor=decider(world, side, work),
                product=product,
                use_type=use,
                side=side,
                answer=Answer.GRANTED,
                works=world.artist.works.filter(pk__in=[w.pk for w in works]),
            )
    with django_assert_max_num_queries(3):
        page = html(client, work.isrc)
    assert "Stemify" in page and "Style generation" in page
    with django_assert_max_num_queries(3):
        assert len(data(client, work.isrc)["licensed"]) == 3
