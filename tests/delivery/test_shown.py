"""Artists see whether each product has received the latest change: the proof that a
"no" was heard."""

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from portal.consent.models import Answer, Side
from portal.delivery.services import deliveries_send_due, endpoint_create
from tests import factories as f
from tests.conftest import World, say
from tests.receiver import TestReceiver, receiving

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def receiver() -> Iterator[TestReceiver]:
    with receiving() as receiver:
        yield receiver


def matrix(world: World) -> str:
    kwargs = {"kind": "artists", "party_id": world.artist.pk, "product_slug": "tunesmith"}
    return reverse("matrix", kwargs=kwargs)


def cell_of(body: str, work_id: int, use: str) -> str:
    start = body.index(f'id="cell-{work_id}-{use}"')
    return body[start : body.index("</div>", body.index('class="state"', start))]


def test_a_change_reads_as_sending_then_delivered(
    world: World, artist_client: Client, receiver: TestReceiver
) -> None:
    _, secret = endpoint_create(product=world.product, url=receiver.url)
    receiver.use_secret(secret)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    say(world, Side.ARTIST, Answer.GRANTED)  # permitted: one change, not yet sent
    body = artist_client.get(matrix(world)).content.decode()
    assert "Sending to Tunesmith…" in cell_of(body, world.works[0].pk, "training")
    assert deliveries_send_due(product_id=world.product.pk) == 1
    body = artist_client.get(matrix(world)).content.decode()
    assert "Delivered to Tunesmith" in cell_of(body, world.works[0].pk, "training")
    # A cell whose permission never changed says nothing about delivery.
    untouched = cell_of(body, world.works[1].pk, "training")
    assert "Delivered to" not in untouched and "Sending to" not in untouched


def test_the_no_after_a_yes_is_shown_as_sending_until_the_product_has_it(
    world: World, artist_client: Client, receiver: TestReceiver
) -> None:
    _, secret = endpoint_create(product=world.product, url=receiver.url)
    receiver.use_secret(secret)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    say(world, Side.ARTIST, Answer.GRANTED)
    deliveries_send_due(product_id=world.product.pk)
    url = reverse(
        "decide",
        kwargs={
            "kind": "artists",
            "party_id": world.artist.pk,
            "product_slug": "tunesmith",
            "work_id": world.works[0].pk,
        },
    )
    response = artist_client.post(url, {"use": "training", "answer": "denied"}, **HTMX)
    assert "Sending to Tunesmith…" in response.content.decode()


def test_without_an_endpoint_nothing_is_said(world: World, artist_client: Client) -> None:
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    say(world, Side.ARTIST, Answer.GRANTED)
    body = artist_client.get(matrix(world)).content.decode()
    assert "Sending to" not in body and "Delivered to" not in body


@pytest.mark.parametrize("extra_works", [10, 300])
def test_delivery_status_costs_the_same_queries_whatever_the_catalogue(
    world: World,
    artist_client: Client,
    receiver: TestReceiver,
    django_assert_max_num_queries,
    extra_works: int,
) -> None:
    endpoint_create(product=world.product, url=receiver.url)
    for work in f.WorkFactory.create_batch(extra_works, primary_artist=world.artist)[:30]:
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work)
        say(world, Side.ARTIST, Answer.GRANTED, work)
    # 26: the matrix's 25 (the labels' policies among them, the page's ids before its
    # rows, what each work earned, the conditions a yes carries), and the two-factor
    # gate's one query per signed-in request.
    with django_assert_max_num_queries(26):
        assert artist_client.get(matrix(world)).status_code == 200
