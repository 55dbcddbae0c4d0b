"""The changes feed: a product's permission flips in sequence order, for reconciliation."""

import pytest
from django.test import Client

from portal.api.services import api_key_issue
from portal.consent.models import Answer, PermissionChange, Side
from tests import factories as f
from tests.conftest import World, say

CHANGES = "/api/v1/permissions/changes"


@pytest.fixture
def key(world: World) -> str:
    return api_key_issue(product=world.product)[1]


def api(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def flip_three_times(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)  # 1: permitted
    say(world, Side.ARTIST, Answer.DENIED)  # 2: not permitted
    say(world, Side.ARTIST, Answer.GRANTED)  # 3: permitted again


def test_the_feed_lists_every_flip_in_sequence_order(world, key):
    flip_three_times(world)
    response = api(key).get(CHANGES)
    assert response.status_code == 200
    body = response.json()
    assert [(c["seq"], c["permitted"]) for c in body["changes"]] == [
        (1, True),
        (2, False),
        (3, True),
    ]
    first = body["changes"][0]
    assert (first["isrc"], first["use"]) == (world.works[0].isrc, "training")
    stored = PermissionChange.objects.get(product=world.product, seq=1).at
    assert first["at"] == stored.isoformat().replace("+00:00", "Z")
    assert body["next"] == 3


def test_after_and_limit_page_through_the_feed(world, key):
    flip_three_times(world)
    page = api(key).get(CHANGES, {"after": 1, "limit": 1}).json()
    assert [c["seq"] for c in page["changes"]] == [2]
    assert page["next"] == 2
    page = api(key).get(CHANGES, {"after": page["next"], "limit": 1000}).json()
    assert [c["seq"] for c in page["changes"]] == [3]


def test_an_empty_page_hands_back_the_same_after(world, key):
    flip_three_times(world)
    assert api(key).get(CHANGES, {"after": 3}).json() == {"changes": [], "next": 3}
    assert api(key).get(CHANGES, {"after": 99}).json() == {"changes": [], "next": 99}


def test_the_default_page_is_100_changes(world, key):
    for _ in range(51):
        say(world, Side.ARTIST, Answer.GRANTED)
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
        say(world, Side.ARTIST, Answer.DENIED)
        say(world, Side.RIGHTS_HOLDER, Answer.DENIED)
    body = api(key).get(CHANGES).json()
    assert len(body["changes"]) == 100
    assert body["next"] == 100


@pytest.mark.parametrize(
    "params",
    [
        {"after": "-1"},
        {"after": "one"},
        {"after": "²"},
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "1.5"},
    ],
)
def test_bad_parameters_are_400_invalid_request(world, key, params):
    response = api(key).get(CHANGES, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


def test_another_products_key_sees_none_of_this_products_changes(world, key):
    flip_three_times(world)
    other_key = api_key_issue(product=f.ProductFactory())[1]
    assert api(other_key).get(CHANGES).json() == {"changes": [], "next": 0}


def test_the_feed_needs_a_key(world):
    response = Client().get(CHANGES)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
