"""Staff watch and steer delivery in admin: endpoints with their lag, every delivery and
its attempts, secrets shown once, re-enable, retry, replay."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.consent.models import Answer, Side
from portal.delivery.admin import product_delivery
from portal.delivery.models import Delivery, Endpoint, EndpointSecret
from portal.delivery.selectors import secrets_current
from portal.delivery.services import deliveries_send_due, endpoint_create
from tests.conftest import World, logged_in, say
from tests.receiver import TestReceiver, fail, gone, receiving


@pytest.fixture
def staff(world: World) -> Client:
    return logged_in(world.staff)


@pytest.fixture
def receiver() -> Iterator[TestReceiver]:
    with receiving() as receiver:
        yield receiver


def connect(world: World, receiver: TestReceiver) -> Endpoint:
    endpoint, secret = endpoint_create(product=world.product, url=receiver.url)
    receiver.use_secret(secret)
    return endpoint


def permit(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)


def changelist(model: type) -> str:
    return reverse(f"admin:delivery_{model._meta.model_name}_changelist")


def test_only_staff_reach_delivery_admin(world: World, artist_client: Client) -> None:
    response = artist_client.get(changelist(Endpoint))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_adding_an_endpoint_shows_its_secret_once_and_stores_it_encrypted(
    world: World, staff: Client
) -> None:
    response = staff.post(
        reverse("admin:delivery_endpoint_add"),
        {"product": world.product.pk, "url": "hooks.tunesmith.example/consent"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    endpoint = Endpoint.objects.get(product=world.product)
    assert endpoint.url == "https://hooks.tunesmith.example/consent"
    [secret] = secrets_current(endpoint=endpoint, now=timezone.now())
    assert secret in response.content.decode()
    assert secret not in EndpointSecret.objects.get().encrypted
    page = staff.get(reverse("admin:delivery_endpoint_change", args=[endpoint.pk]))
    assert page.status_code == 200 and secret not in page.content.decode()


def test_the_endpoint_list_shows_status_lag_and_progress(
    world: World, staff: Client, receiver: TestReceiver
) -> None:
    connect(world, receiver)
    receiver.then(fail(500))
    permit(world)
    deliveries_send_due(product_id=world.product.pk)

    page = staff.get(changelist(Endpoint), {"status__exact": "failing"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "Tunesmith" in html and "Failing since" in html
    assert "s behind" in html and "0 of 1" in html
    assert (
        "Tunesmith"
        not in staff.get(changelist(Endpoint), {"status__exact": "active"}).content.decode()
    )


def test_the_product_page_can_show_its_delivery_lag(world: World, receiver: TestReceiver) -> None:
    assert "No webhook endpoint" in product_delivery(world.product)
    connect(world, receiver)
    assert "active, up to date" in product_delivery(world.product)
    permit(world)
    assert "behind" in product_delivery(world.product)


def test_a_delivery_shows_its_attempts_with_status_latency_and_error(
    world: World, staff: Client, receiver: TestReceiver
) -> None:
    connect(world, receiver)
    receiver.then(fail(503))
    permit(world)
    deliveries_send_due(product_id=world.product.pk)
    delivery = Delivery.objects.get()

    listing = staff.get(changelist(Delivery)).content.decode()
    assert delivery.webhook_id in listing and "HTTP 503" in listing

    page = staff.get(reverse("admin:delivery_delivery_change", args=[delivery.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "503" in html and "try later" in html and receiver.url in html
    assert staff.post(
        reverse("admin:delivery_delivery_delete", args=[delivery.pk]), {"post": "yes"}
    ).status_code in (302, 403)
    assert Delivery.objects.filter(pk=delivery.pk).exists()


def test_staff_re_enable_a_disabled_endpoint(
    world: World, staff: Client, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    receiver.then(gone())
    permit(world)
    deliveries_send_due(product_id=world.product.pk)
    assert Endpoint.objects.get().status == Endpoint.Status.DISABLED

    staff.post(changelist(Endpoint), {"action": "enable", "_selected_action": [endpoint.pk]})

    endpoint.refresh_from_db()
    assert endpoint.status == Endpoint.Status.ACTIVE and endpoint.disabled_reason == ""
    assert deliveries_send_due(product_id=world.product.pk) == 1


def test_rotating_shows_the_new_secret_once_and_keeps_the_old_one_for_a_day(
    world: World, staff: Client, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    [old] = secrets_current(endpoint=endpoint, now=timezone.now())

    response = staff.post(
        changelist(Endpoint), {"action": "rotate_secret", "_selected_action": [endpoint.pk]}
    )

    assert "no-store" in response["Cache-Control"]
    new, kept = secrets_current(endpoint=endpoint, now=timezone.now())
    assert kept == old and new in response.content.decode() and old not in response.content.decode()
    expiry = EndpointSecret.objects.exclude(expires_at=None).get().expires_at
    assert timedelta(hours=23) < expiry - timezone.now() <= timedelta(hours=24)


def test_staff_replay_a_range_of_changes(
    world: World, staff: Client, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    permit(world)
    say(world, Side.ARTIST, Answer.DENIED)
    deliveries_send_due(product_id=world.product.pk)
    url = reverse("admin:delivery_endpoint_replay", args=[endpoint.pk])

    assert staff.get(url).status_code == 200
    bad = staff.post(url, {"first_seq": 1, "last_seq": 7})
    assert bad.status_code == 200 and "has changes up to 2, not 7" in bad.content.decode()
    backwards = staff.post(url, {"first_seq": 2, "last_seq": 1})
    assert "must not end before it starts" in backwards.content.decode()

    response = staff.post(url, {"first_seq": 1, "last_seq": 2})

    assert response.status_code == 302
    replay = Delivery.objects.get(kind=Delivery.Kind.REPLAY)
    assert (replay.first_seq, replay.last_seq, replay.requested_by) == (1, 2, world.staff)
    logged = LogEntry.objects.get(object_id=str(endpoint.pk))
    assert (logged.user, logged.get_change_message()) == (world.staff, "Replayed changes 1–2.")
    assert deliveries_send_due(product_id=world.product.pk) == 1
    assert [r.seqs for r in receiver.acknowledged()] == [[1, 2], [1, 2]]


def test_staff_replay_selected_deliveries(
    world: World, staff: Client, receiver: TestReceiver
) -> None:
    connect(world, receiver)
    permit(world)
    deliveries_send_due(product_id=world.product.pk)
    original = Delivery.objects.get()

    staff.post(changelist(Delivery), {"action": "replay", "_selected_action": [original.pk]})

    replay = Delivery.objects.exclude(pk=original.pk).get()
    assert (replay.kind, replay.first_seq, replay.last_seq) == ("replay", 1, 1)
    assert replay.webhook_id != original.webhook_id
    logged = LogEntry.objects.get()
    assert logged.get_change_message() == f"Replayed delivery {original.pk} (changes 1–1)."


def test_retry_now_skips_the_wait_but_no_change(
    world: World, staff: Client, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    receiver.then(fail(500))
    permit(world)
    deliveries_send_due(product_id=world.product.pk)
    assert deliveries_send_due(product_id=world.product.pk) == 0  # backing off

    staff.post(changelist(Endpoint), {"action": "retry_now", "_selected_action": [endpoint.pk]})

    assert deliveries_send_due(product_id=world.product.pk) == 1
    assert receiver.delivered_seqs() == [1]
