"""Webhook delivery, in-process: real HTTP to a real receiver on loopback that verifies
with the `standardwebhooks` library, the real database, the services a worker runs.

A Celery worker and beat driving the same services are in test_delivery_worker.py.
"""

import json
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent.models import Answer, PermissionChange, Side
from portal.consent.services import decisions_set
from portal.delivery import services
from portal.delivery.conf import DeliveryConf, delivery_conf
from portal.delivery.crypto import secret_generate
from portal.delivery.http import retry_after_seconds
from portal.delivery.models import Attempt, Delivery, Endpoint, EndpointSecret
from portal.delivery.selectors import delivery_lag, endpoints_due, secrets_current
from portal.delivery.services import (
    deliveries_replay,
    deliveries_schedule,
    deliveries_send_due,
    deliveries_sweep,
    endpoint_claim,
    endpoint_create,
    endpoint_enable,
    endpoint_secret_rotate,
    queue,
    retry_delay,
)
from portal.delivery.services import send as sending
from portal.receipts.signing import receipt_for_change, receipt_verify
from tests import factories as f
from tests.conftest import World, say
from tests.receiver import TestReceiver, fail, gone, ok, receiving, redirect, slow


@pytest.fixture
def receiver() -> Iterator[TestReceiver]:
    with receiving() as receiver:
        yield receiver


def connect(world: World, receiver: TestReceiver) -> Endpoint:
    endpoint, secret = endpoint_create(product=world.product, url=receiver.url)
    receiver.use_secret(secret)
    return endpoint


def permit(world: World, work: Work | None = None) -> None:
    """Both sides say yes: one change, to permitted."""
    say(world, Side.ARTIST, Answer.GRANTED, work=work)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work)


def send(world: World) -> int:
    return deliveries_send_due(product_id=world.product.pk)


def make_due(endpoint: Endpoint) -> None:
    """Let the backoff wait pass without waiting."""
    Endpoint.objects.filter(pk=endpoint.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def fresh(endpoint: Endpoint) -> Endpoint:
    endpoint.refresh_from_db()
    return endpoint


def many_works(world: World, n: int) -> list[Work]:
    works = f.bulk_works(label=world.label, n=n, start=50000)
    # Ada's user is on the new artist's team too, so answers the artist side for it.
    f.ArtistMembershipFactory(artist=works[0].primary_artist, user=world.artist_user)
    return works


# --- what leaves, and when ---------------------------------------------------------------
def test_a_send_is_queued_only_after_the_transaction_commits(
    world: World, receiver: TestReceiver, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    connect(world, receiver)
    queued: list[int] = []
    monkeypatch.setattr(queue, "publish", lambda product_id: queued.append(product_id))
    with django_capture_on_commit_callbacks() as callbacks:
        permit(world)
        deliveries_schedule(product_ids=[world.product.pk, world.product.pk])
        assert queued == []
    for callback in callbacks:
        callback()
    # Once per call; consent's own call (when its services schedule) may add another.
    assert queued and set(queued) == {world.product.pk}


def test_a_broker_that_is_down_does_not_fail_the_caller(
    world: World, receiver: TestReceiver, django_capture_on_commit_callbacks, monkeypatch, caplog
) -> None:
    from kombu.exceptions import OperationalError

    from portal.delivery import tasks

    connect(world, receiver)

    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(tasks.deliveries_send, "apply_async", refuse)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        permit(world)
        deliveries_schedule(product_ids=[world.product.pk])
    assert "the sweeper will send it" in caplog.text
    # ...and the sweeper does: the change is still there to send.
    assert send(world) == 1
    assert receiver.delivered_seqs() == [1]


def test_nothing_is_queued_for_a_product_without_an_endpoint(
    world: World, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(queue, "publish", lambda product_id: queued.append(product_id))
    with django_capture_on_commit_callbacks(execute=True):
        permit(world)
        deliveries_schedule(product_ids=[world.product.pk])
    assert queued == []
    assert send(world) == 0


# --- the request ---------------------------------------------------------------------
def test_a_batch_is_signed_per_standard_webhooks_and_carries_the_changes(
    world: World, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    permit(world)
    say(world, Side.ARTIST, Answer.DENIED)

    assert send(world) == 1

    [request] = receiver.requests()
    assert request.verified, request.error
    assert request.webhook_id.startswith("msg_")
    assert abs(int(request.timestamp) - timezone.now().timestamp()) < 10
    changes = PermissionChange.objects.filter(product=world.product).order_by("seq")
    assert request.payload == {
        "type": "permissions.changed",
        "product": "tunesmith",
        "changes": [
            {
                "seq": change.seq,
                "isrc": world.works[0].isrc,
                "use": "training",
                "permitted": change.permitted,
                "conditions": [],
                "opens_obligation": not change.permitted,
                "at": change.at.isoformat().replace("+00:00", "Z"),
                "receipt": receipt_for_change(change),
            }
            for change in changes
        ],
    }
    assert [c["permitted"] for c in request.payload["changes"]] == [True, False]
    # Each change carries the signed receipt of the decision behind it, which verifies
    # with the portal's published keys alone.
    claims = [receipt_verify(c["receipt"]) for c in request.payload["changes"]]
    assert [c["decision"] for c in claims] == ["granted", "withdrawn"]
    delivery = Delivery.objects.get()
    assert (delivery.first_seq, delivery.last_seq) == (1, 2)
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.webhook_id == request.webhook_id
    assert fresh(endpoint).delivered_seq == 2
    attempt = Attempt.objects.get()
    assert attempt.status_code == 200 and attempt.error == "" and attempt.latency_ms >= 0
    assert send(world) == 0  # up to date: nothing more goes


def test_a_forged_or_wrong_secret_does_not_verify(world: World, receiver: TestReceiver) -> None:
    connect(world, receiver)
    receiver.use_secret(secret_generate())  # not the endpoint's
    permit(world)
    assert send(world) == 0
    [request] = receiver.requests()
    assert not request.verified and request.answered == 401
    assert Delivery.objects.get().status == Delivery.Status.FAILED


# --- failures and retries -------------------------------------------------------------
def test_a_failed_batch_is_retried_with_the_same_id_and_nothing_is_skipped(
    world: World, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    receiver.then(fail(500), fail(503))
    permit(world)

    assert send(world) == 0
    endpoint = fresh(endpoint)
    assert endpoint.status == Endpoint.Status.FAILING
    assert endpoint.delivered_seq == 0
    assert endpoint.next_attempt_at > timezone.now()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 500)
    assert delivery.next_attempt_at == endpoint.next_attempt_at

    # Not due yet: the backoff holds, whoever asks.
    assert send(world) == 0
    assert len(receiver.requests()) == 1

    # A change made meanwhile waits behind the failing batch.
    say(world, Side.ARTIST, Answer.DENIED)
    make_due(endpoint)
    assert send(world) == 0  # 503
    make_due(endpoint)
    assert send(world) == 2  # the same batch, then the new change

    ids = [r.webhook_id for r in receiver.requests()]
    assert ids[0] == ids[1] == ids[2] != ids[3]
    assert receiver.delivered_seqs() == [1, 2]
    assert [d.first_seq for d in Delivery.objects.order_by("pk")] == [1, 2]
    endpoint = fresh(endpoint)
    assert (endpoint.status, endpoint.failures, endpoint.delivered_seq) == ("active", 0, 2)
    assert endpoint.failing_since is None and endpoint.next_attempt_at is None
    assert Attempt.objects.filter(delivery__first_seq=1).count() == 3


def test_the_backoff_follows_the_schedule_with_jitter() -> None:
    conf = DeliveryConf(retry_delays=(10.0, 60.0, 300.0), jitter=0.2)
    for failures, step in ((1, 10), (2, 60), (3, 300), (4, 300), (9, 300)):
        delays = {retry_delay(conf=conf, failures=failures).total_seconds() for _ in range(50)}
        assert all(step * 0.8 <= d <= step * 1.2 for d in delays)
        assert len(delays) > 1  # jittered


def test_a_receivers_retry_after_is_honoured(world: World, receiver: TestReceiver) -> None:
    endpoint = connect(world, receiver)
    receiver.then(fail(429, retry_after="120"))
    permit(world)
    before = timezone.now()
    send(world)
    assert fresh(endpoint).next_attempt_at >= before + timedelta(seconds=120)
    conf = DeliveryConf(retry_after_cap=3600)
    assert retry_delay(conf=conf, failures=1, retry_after=10**9) <= timedelta(seconds=3600)
    assert retry_after_seconds("Wed, 21 Oct 2099 07:28:00 GMT") > 0
    assert retry_after_seconds("soon") is None


def test_a_receiver_that_does_not_answer_in_time_fails_the_attempt(
    world: World, receiver: TestReceiver, settings
) -> None:
    settings.WEBHOOK_DELIVERY = {**settings.WEBHOOK_DELIVERY, "timeout": 0.5}
    endpoint = connect(world, receiver)
    receiver.then(slow(3))
    permit(world)

    assert send(world) == 0

    attempt = Attempt.objects.get()
    assert attempt.status_code is None
    assert attempt.error == "Timed out after 0.5 s"
    assert 400 <= attempt.latency_ms < 2000
    assert fresh(endpoint).status == Endpoint.Status.FAILING
    make_due(endpoint)
    assert send(world) == 1
    [first, second] = receiver.requests()
    assert first.webhook_id == second.webhook_id
    assert receiver.delivered_seqs() == [1]


def test_a_receiver_that_is_not_listening_fails_the_attempt(world: World) -> None:
    with receiving() as gone_away:
        url = gone_away.url
    endpoint, _ = endpoint_create(product=world.product, url=url)
    permit(world)
    assert send(world) == 0
    attempt = Attempt.objects.get()
    assert attempt.status_code is None and "ConnectionRefused" in attempt.error
    assert fresh(endpoint).status == Endpoint.Status.FAILING


def test_a_redirect_is_a_failure_and_is_not_followed(world: World, receiver: TestReceiver) -> None:
    with receiving() as elsewhere:
        endpoint = connect(world, receiver)
        receiver.then(redirect(elsewhere.url), redirect(elsewhere.url, 307))
        permit(world)

        assert send(world) == 0
        make_due(endpoint)
        assert send(world) == 0

        assert elsewhere.requests() == []
    attempt = Attempt.objects.order_by("at", "pk").first()
    assert attempt.status_code == 302
    assert attempt.error == f"HTTP 302: redirect to {elsewhere.url} (redirects are not followed)"
    assert fresh(endpoint).delivered_seq == 0


def test_410_gone_disables_the_endpoint_at_once_and_tells_staff(
    world: World, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    receiver.then(gone())
    permit(world)

    assert send(world) == 0

    endpoint = fresh(endpoint)
    assert endpoint.status == Endpoint.Status.DISABLED
    assert endpoint.disabled_reason == "The receiver answered 410 Gone."
    assert endpoint.next_attempt_at is None
    [alert] = [m for m in mail.outbox if "disabled" in m.subject]
    assert alert.subject == "[Consent Portal] Webhooks to Tunesmith are disabled"
    assert alert.to == [world.staff.email]
    assert f"/admin/delivery/endpoint/{endpoint.pk}/change/" in alert.body

    # Disabled: neither a worker nor the sweeper sends, and changes keep accumulating.
    say(world, Side.ARTIST, Answer.DENIED)
    assert send(world) == 0 and deliveries_sweep() == 0
    assert len(receiver.requests()) == 1


def test_re_enabling_resumes_where_the_product_is_with_the_same_delivery(
    world: World, receiver: TestReceiver, monkeypatch
) -> None:
    monkeypatch.setattr(queue, "publish", lambda product_id: True)
    endpoint = connect(world, receiver)
    receiver.then(gone())
    permit(world)
    send(world)
    say(world, Side.ARTIST, Answer.DENIED)

    endpoint_enable(endpoint=fresh(endpoint))

    assert fresh(endpoint).status == Endpoint.Status.ACTIVE
    assert send(world) == 2
    first, second, third = receiver.requests()
    assert first.webhook_id == second.webhook_id != third.webhook_id
    assert receiver.delivered_seqs() == [1, 2]


def test_an_endpoint_failing_for_too_long_is_disabled_and_staff_are_told(
    world: World, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    receiver.then(fail(500))
    permit(world)
    send(world)
    mail.outbox.clear()
    conf = delivery_conf()

    # Failing a moment: nobody is woken for a blip the next retry may fix.
    assert services.endpoints_alert() == 0
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - timedelta(seconds=conf.alert_after + 1)
    )
    deliveries_sweep()
    [alert] = mail.outbox
    assert alert.subject == "[Consent Portal] Webhooks to Tunesmith are failing"
    assert "HTTP 500" in alert.body and "nothing is skipped" in alert.body
    deliveries_sweep()
    assert len(mail.outbox) == 1  # once per episode

    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - timedelta(seconds=conf.disable_after + 1)
    )
    deliveries_sweep()
    endpoint = fresh(endpoint)
    assert endpoint.status == Endpoint.Status.DISABLED
    assert endpoint.disabled_reason == "No successful delivery for 5 days."
    assert mail.outbox[-1].subject == "[Consent Portal] Webhooks to Tunesmith are disabled"


def test_staff_hear_when_a_failing_endpoint_recovers(
    world: World, receiver: TestReceiver, django_capture_on_commit_callbacks
) -> None:
    endpoint = connect(world, receiver)
    receiver.then(fail(500))
    permit(world)
    send(world)
    Endpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - timedelta(hours=1), next_attempt_at=None
    )
    services.endpoints_alert()
    with django_capture_on_commit_callbacks(execute=True):
        assert send(world) == 1
    assert mail.outbox[-1].subject == "[Consent Portal] Webhooks to Tunesmith are delivered again"
    assert fresh(endpoint).alerted == ""


# --- order and batches -------------------------------------------------------------------
def test_many_changes_go_out_in_order_in_batches_of_at_most_1000(
    world: World, receiver: TestReceiver
) -> None:
    works = many_works(world, 2100)
    endpoint = connect(world, receiver)
    scope = Work.objects.filter(pk__in=[w.pk for w in works])
    for side, actor in ((Side.ARTIST, world.artist_user), (Side.RIGHTS_HOLDER, world.manager)):
        decisions_set(
            actor=actor,
            product=world.product,
            use_type=world.training,
            side=side,
            answer=Answer.GRANTED,
            works=scope,
        )
    receiver.then(ok(), fail(500))

    assert send(world) == 1  # the second batch failed: stop there, skip nothing
    assert fresh(endpoint).delivered_seq == 1000
    make_due(endpoint)
    assert send(world) == 2

    batches = [r.seqs for r in receiver.acknowledged()]
    assert [(b[0], b[-1], len(b)) for b in batches] == [
        (1, 1000, 1000),
        (1001, 2000, 1000),
        (2001, 2100, 100),
    ]
    assert receiver.delivered_seqs() == list(range(1, 2101))
    assert all(r.verified for r in receiver.requests())
    assert fresh(endpoint).delivered_seq == 2100


def test_a_run_stops_after_its_batch_budget_and_hands_over(
    world: World, receiver: TestReceiver, settings, monkeypatch
) -> None:
    settings.WEBHOOK_DELIVERY = {
        **settings.WEBHOOK_DELIVERY,
        "batch_size": 1,
        "batches_per_task": 2,
    }
    handed: list[int] = []
    monkeypatch.setattr(queue, "publish", lambda product_id: handed.append(product_id))
    connect(world, receiver)
    for work in world.works:
        permit(world, work)
    assert send(world) == 2
    assert handed == [world.product.pk]
    assert send(world) == 1
    assert receiver.delivered_seqs() == [1, 2, 3]


def test_a_change_committed_while_the_endpoint_was_claimed_is_not_left_to_the_sweeper(
    world: World, receiver: TestReceiver, monkeypatch
) -> None:
    handed: list[int] = []
    monkeypatch.setattr(queue, "publish", lambda product_id: handed.append(product_id))
    connect(world, receiver)
    looked = sending._next_delivery

    def look_then_change(*args: object) -> Delivery | None:
        found = looked(*args)
        if found is None:
            permit(world)  # its own task found the endpoint claimed and left
        return found

    monkeypatch.setattr(sending, "_next_delivery", look_then_change)
    assert send(world) == 0
    assert handed == [world.product.pk]


# --- claims ---------------------------------------------------------------------------
def test_only_one_worker_claims_an_endpoint_and_a_lapsed_claim_can_be_taken(
    world: World, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    permit(world)
    first = endpoint_claim(product_id=world.product.pk)
    assert first is not None
    assert endpoint_claim(product_id=world.product.pk) is None
    assert send(world) == 0  # held: this worker leaves it alone
    assert receiver.requests() == []

    Endpoint.objects.filter(pk=endpoint.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    second = endpoint_claim(product_id=world.product.pk)
    assert second is not None and second.token != first.token


def test_a_worker_whose_claim_lapsed_cannot_move_anything(
    world: World, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    permit(world)
    stale = endpoint_claim(product_id=world.product.pk)
    assert stale is not None
    Endpoint.objects.filter(pk=endpoint.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert endpoint_claim(product_id=world.product.pk) is not None  # another worker's now

    with pytest.raises(services.LeaseLost):
        sending._next_delivery(stale, delivery_conf())
    assert Delivery.objects.count() == 0
    assert fresh(endpoint).delivered_seq == 0


# --- the sweeper ------------------------------------------------------------------------
def test_the_sweeper_queues_what_is_behind_due_and_unclaimed_once(
    world: World, receiver: TestReceiver, monkeypatch
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(queue, "publish", lambda product_id: queued.append(product_id) or True)
    endpoint = connect(world, receiver)
    assert deliveries_sweep() == 0  # nothing to send yet

    permit(world)  # committed, but its on-commit hook never ran: only the sweeper knows
    assert deliveries_sweep() == 1
    assert queued == [world.product.pk]
    assert deliveries_sweep() == 0  # queued a moment ago: not again yet

    Endpoint.objects.filter(pk=endpoint.pk).update(enqueued_at=timezone.now() - timedelta(hours=1))
    claim = endpoint_claim(product_id=world.product.pk)
    assert deliveries_sweep() == 0  # a live worker has it
    services.endpoint_release(claim)
    Endpoint.objects.filter(pk=endpoint.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert deliveries_sweep() == 0  # backing off
    make_due(endpoint)
    assert deliveries_sweep() == 1

    send(world)
    assert list(endpoints_due(now=timezone.now(), requeue_after=timedelta(0))) == []


def test_the_sweeper_tries_again_next_run_when_the_broker_refused(
    world: World, receiver: TestReceiver, monkeypatch
) -> None:
    monkeypatch.setattr(queue, "publish", lambda product_id: False)
    endpoint = connect(world, receiver)
    permit(world)
    assert deliveries_sweep() == 0
    assert fresh(endpoint).enqueued_at is None


# --- secrets -------------------------------------------------------------------------------
def test_secrets_are_encrypted_at_rest(world: World, receiver: TestReceiver) -> None:
    endpoint, secret = endpoint_create(product=world.product, url=receiver.url)
    assert secret.startswith("whsec_")
    stored = EndpointSecret.objects.get(endpoint=endpoint).encrypted
    assert secret not in stored and secret.removeprefix("whsec_") not in stored
    with connection.cursor() as cursor:
        cursor.execute("SELECT encrypted FROM delivery_endpointsecret")
        assert all(secret not in row[0] for row in cursor.fetchall())
    assert secrets_current(endpoint=endpoint, now=timezone.now()) == [secret]


def test_a_rotated_secret_keeps_verifying_for_the_overlap_then_only_the_new_one(
    world: World, receiver: TestReceiver
) -> None:
    endpoint, old = endpoint_create(product=world.product, url=receiver.url)
    new = endpoint_secret_rotate(endpoint=endpoint, overlap=timedelta(hours=1))
    assert new != old

    with receiving(old) as old_holder, receiving(new) as new_holder:
        for holder, answer in ((old_holder, Answer.GRANTED), (new_holder, Answer.DENIED)):
            Endpoint.objects.filter(pk=endpoint.pk).update(url=holder.url)
            say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
            say(world, Side.ARTIST, answer)
            assert send(world) == 1
            [request] = holder.requests()
            assert request.verified, request.error
            assert len(request.signature.split(" ")) == 2

    EndpointSecret.objects.filter(endpoint=endpoint).exclude(expires_at=None).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert secrets_current(endpoint=endpoint, now=timezone.now()) == [new]
    with receiving(old) as old_holder:
        Endpoint.objects.filter(pk=endpoint.pk).update(url=old_holder.url)
        permit(world)
        assert send(world) == 0
        [request] = old_holder.requests()
        assert not request.verified and len(request.signature.split(" ")) == 1


# --- replay and lag -------------------------------------------------------------------------
def test_staff_can_replay_a_range_as_new_deliveries(
    world: World, receiver: TestReceiver, settings
) -> None:
    settings.WEBHOOK_DELIVERY = {**settings.WEBHOOK_DELIVERY, "batch_size": 2}
    endpoint = connect(world, receiver)
    for work in world.works:
        permit(world, work)
    send(world)
    assert receiver.delivered_seqs() == [1, 2, 3]

    replays = deliveries_replay(endpoint=endpoint, first_seq=1, last_seq=3, actor=world.staff)

    assert [(d.first_seq, d.last_seq, d.kind) for d in replays] == [
        (1, 2, "replay"),
        (3, 3, "replay"),
    ]
    assert send(world) == 2
    replayed = receiver.requests()[-2:]
    assert [r.seqs for r in replayed] == [[1, 2], [3]]
    assert {r.webhook_id for r in replayed}.isdisjoint(
        {d.webhook_id for d in Delivery.objects.filter(kind="stream")}
    )
    assert fresh(endpoint).delivered_seq == 3  # a replay never moves the cursor
    with pytest.raises(services.DeliveryError):
        deliveries_replay(endpoint=endpoint, first_seq=2, last_seq=9, actor=world.staff)
    with pytest.raises(services.DeliveryError):
        deliveries_replay(endpoint=endpoint, first_seq=0, last_seq=1, actor=world.staff)


def test_the_lag_is_the_age_of_the_oldest_unacknowledged_change(
    world: World, receiver: TestReceiver
) -> None:
    endpoint = connect(world, receiver)
    now = timezone.now()
    assert delivery_lag(endpoint=endpoint, now=now) is None
    permit(world)
    at = PermissionChange.objects.get(product=world.product, seq=1).at
    assert delivery_lag(endpoint=endpoint, now=at + timedelta(minutes=3)) == timedelta(minutes=3)
    send(world)
    assert delivery_lag(endpoint=fresh(endpoint), now=timezone.now()) is None


# --- the documented schedule --------------------------------------------------------------
def test_the_default_schedule_retries_about_ten_times_over_about_three_days() -> None:
    conf = DeliveryConf()
    assert conf.timeout == 15 and conf.batch_size == 1000
    elapsed = sum(conf.retry_delays)
    assert len(conf.retry_delays) == 10
    assert 2.5 * 86400 < elapsed < 3.5 * 86400
    assert elapsed > 86400  # the contract: at least 24 hours
    assert conf.disable_after == 5 * 86400
    assert conf.alert_after <= 5 * 60
    assert conf.lease.total_seconds() > conf.timeout


def test_unknown_delivery_settings_are_refused(settings) -> None:
    settings.WEBHOOK_DELIVERY = {"timeuot": 1}
    with pytest.raises(ValueError, match="timeuot"):
        delivery_conf()


def test_the_body_is_compact_json(world: World, receiver: TestReceiver) -> None:
    connect(world, receiver)
    permit(world)
    send(world)
    [request] = receiver.requests()
    assert request.raw == json.dumps(request.payload, separators=(",", ":"))
