"""Sending: claim a product's endpoint, send its due batches in order, record each attempt.

A worker claims the endpoint with a lease (a conditional UPDATE, so one worker at a
time), takes the oldest open delivery or opens the next batch after the cursor, signs
and POSTs it, and records the attempt. On a 2xx the cursor moves and it goes on with the
next batch; on a failure the next attempt is written to the database by the backoff
schedule and the worker lets go. Every step that changes state is fenced by the lease
token, so a worker whose lease lapsed (it stalled, or was presumed dead) can no longer
move anything.
"""

import logging
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from portal.delivery import http
from portal.delivery.conf import DeliveryConf, delivery_conf
from portal.delivery.destinations import private_allowed
from portal.delivery.models import Attempt, Delivery, Endpoint
from portal.delivery.payload import body_json, signed_headers
from portal.delivery.selectors import (
    SENDABLE,
    change_seqs_after,
    changes_json,
    delivery_open_first,
    endpoints_due,
    secrets_current,
)
from portal.delivery.services import queue
from portal.delivery.services.alerts import alert_recovered, endpoints_alert

log = logging.getLogger(__name__)

_jitter = random.SystemRandom()


class LeaseLost(Exception):
    """Another worker holds the endpoint now: stop without touching anything."""


class Stuck(Exception):
    """The next change to send is missing: stop rather than skip it (never expected)."""


@dataclass(frozen=True)
class Claim:
    endpoint_id: int
    token: uuid.UUID


def deliveries_send_due(*, product_id: int) -> int:
    """Send the product's due batches in order until it is up to date, an attempt fails,
    or this run's budget is spent (then a fresh task takes over). Returns how many
    batches were delivered.

    Safe to run any number of times at once: only the worker holding the endpoint's
    lease sends, and a product that is backing off, disabled or already being sent
    for is left alone.
    """
    conf = delivery_conf()
    started = time.monotonic()
    claim = endpoint_claim(product_id=product_id, conf=conf)
    if claim is None:
        return 0
    delivered = 0
    more = up_to_date = False
    try:
        for _ in range(conf.batches_per_task):
            if time.monotonic() - started > conf.task_budget:
                more = True
                break
            delivery = _next_delivery(claim, conf)
            if delivery is None:
                up_to_date = True
                break
            if not _attempt(claim, delivery, conf):
                break
            delivered += 1
        else:
            more = True
    except LeaseLost:
        log.warning("Lost the lease on endpoint %s; its new holder carries on", claim.endpoint_id)
        return delivered
    except Stuck:
        return delivered
    finally:
        endpoint_release(claim)
    # A change that committed after our last look found the endpoint claimed, so its task
    # left it to us: look once more now that we let go, rather than leave it to the sweeper.
    if more or (up_to_date and _due(claim.endpoint_id)):
        queue.publish(product_id)
    return delivered


def _due(endpoint_id: int) -> bool:
    return (
        endpoints_due(now=timezone.now(), requeue_after=timedelta(0))
        .filter(pk=endpoint_id)
        .exists()
    )


def endpoint_claim(*, product_id: int, conf: DeliveryConf | None = None) -> Claim | None:
    """Take the product's endpoint for one worker, if it is sendable, due and not held by
    a live lease. One conditional UPDATE, so of two workers exactly one wins."""
    conf = conf or delivery_conf()
    now = timezone.now()
    token = uuid.uuid4()
    claimed = (
        Endpoint.objects.filter(product_id=product_id, status__in=SENDABLE)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + conf.lease, lease_token=token, enqueued_at=None)
    )
    if not claimed:
        return None
    endpoint_id = Endpoint.objects.values_list("pk", flat=True).get(product_id=product_id)
    return Claim(endpoint_id=endpoint_id, token=token)


def endpoint_release(claim: Claim) -> None:
    Endpoint.objects.filter(pk=claim.endpoint_id, lease_token=claim.token).update(
        lease_until=None, lease_token=None
    )


def _held(claim: Claim) -> Endpoint:
    """The endpoint, locked for this transaction, if our lease still holds it."""
    endpoint = (
        Endpoint.objects.select_for_update()
        .filter(pk=claim.endpoint_id, lease_token=claim.token)
        .first()
    )
    if endpoint is None:
        raise LeaseLost
    return endpoint


def webhook_id_new() -> str:
    """A new delivery's `webhook-id`: receivers deduplicate on it, so one per batch sent."""
    return f"msg_{uuid.uuid4().hex}"


def _next_delivery(claim: Claim, conf: DeliveryConf) -> Delivery | None:
    """The oldest open delivery, or a new one for the next batch after the cursor."""
    with transaction.atomic():
        endpoint = _held(claim)
        if endpoint.status not in SENDABLE:  # disabled by staff or the sweeper meanwhile
            return None
        delivery = delivery_open_first(endpoint=endpoint)
        if delivery is not None:
            return delivery
        seqs = change_seqs_after(
            product_id=endpoint.product_id, after=endpoint.delivered_seq, limit=conf.batch_size
        )
        if not seqs:
            return None
        if seqs[0] != endpoint.delivered_seq + 1:
            # Sequences are gapless by construction; should one ever be missing, stop
            # rather than skip it, loudly.
            log.error("Endpoint %s: change %s is missing", endpoint.pk, endpoint.delivered_seq + 1)
            raise Stuck
        last = seqs[0]
        for seq in seqs[1:]:
            if seq != last + 1:
                break
            last = seq
        now = timezone.now()
        return Delivery.objects.create(
            endpoint=endpoint,
            kind=Delivery.Kind.STREAM,
            first_seq=seqs[0],
            last_seq=last,
            webhook_id=webhook_id_new(),
            created_at=now,
            next_attempt_at=now,
        )


def _attempt(claim: Claim, delivery: Delivery, conf: DeliveryConf) -> bool:
    """POST the delivery once and record what happened. True when it was acknowledged."""
    now = timezone.now()
    # A fresh lease for this batch: it outlasts the request's own deadline.
    renewed = Endpoint.objects.filter(pk=claim.endpoint_id, lease_token=claim.token).update(
        lease_until=now + conf.lease
    )
    if not renewed:
        raise LeaseLost
    endpoint = Endpoint.objects.select_related("product").get(pk=claim.endpoint_id)
    secrets = secrets_current(endpoint=endpoint, now=now)
    body = body_json(
        product_slug=endpoint.product.slug,
        changes=changes_json(
            product_id=endpoint.product_id,
            first_seq=delivery.first_seq,
            last_seq=delivery.last_seq,
        ),
    )
    if secrets:
        headers = signed_headers(
            webhook_id=delivery.webhook_id, body=body, secrets=secrets, now=now
        )
        # Checked again at every send, not only when saved: a name can come to point
        # elsewhere, and URLs saved under an older rule are held to the current one.
        response = http.post(
            url=endpoint.url,
            body=body.encode(),
            headers=headers,
            timeout=conf.timeout,
            allow_private=private_allowed(),
        )
    else:
        response = http.Response(
            status=None, latency_ms=0, error="No signing secret: rotate one in admin"
        )
    return _record(claim, delivery, url=endpoint.url, at=now, response=response, conf=conf)


def _error_of(response: http.Response) -> str:
    if response.error:
        return response.error
    if response.status is not None and 300 <= response.status < 400:
        where = f" to {response.location}" if response.location else ""
        return f"HTTP {response.status}: redirect{where} (redirects are not followed)"
    if response.status is not None and not response.ok:
        return f"HTTP {response.status}"
    return ""


def retry_delay(
    *, conf: DeliveryConf, failures: int, retry_after: float | None = None
) -> timedelta:
    """The wait before the next attempt after `failures` failed ones in a row: the
    schedule's step with jitter, and never less than the receiver's Retry-After."""
    step = conf.retry_delays[min(failures, len(conf.retry_delays)) - 1]
    seconds = step * _jitter.uniform(1 - conf.jitter, 1 + conf.jitter)
    if retry_after is not None:
        seconds = max(seconds, min(retry_after, conf.retry_after_cap))
    return timedelta(seconds=seconds)


def _record(
    claim: Claim,
    delivery: Delivery,
    *,
    url: str,
    at: datetime,
    response: http.Response,
    conf: DeliveryConf,
) -> bool:
    now = timezone.now()
    error = _error_of(response)
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=claim.endpoint_id)
        Attempt.objects.create(
            delivery=delivery,
            at=at,
            url=url,
            status_code=response.status,
            latency_ms=response.latency_ms,
            error=error,
            response_excerpt=response.excerpt,
        )
        outcome = {"attempts": F("attempts") + 1, "last_status_code": response.status}
        lost = endpoint.lease_token != claim.token
        if lost:
            # Our lease lapsed mid-request and another worker took over: it sends this
            # batch again, under the same webhook-id. Keep the attempt on record only.
            Delivery.objects.filter(pk=delivery.pk).update(**outcome, last_error=error)
        elif response.ok:
            Delivery.objects.filter(pk=delivery.pk).update(
                **outcome,
                status=Delivery.Status.DELIVERED,
                delivered_at=now,
                next_attempt_at=None,
                last_error="",
            )
            _succeeded(endpoint, delivery)
        else:
            _failed(endpoint, response=response, now=now, conf=conf)
            Delivery.objects.filter(pk=delivery.pk).update(
                **outcome,
                status=Delivery.Status.FAILED,
                next_attempt_at=endpoint.next_attempt_at,
                last_error=error,
            )
    if lost:
        raise LeaseLost
    if response.ok:
        return True
    log.warning(
        "Webhook delivery %s to %s failed: %s; next attempt %s",
        delivery.webhook_id,
        url,
        error,
        endpoint.next_attempt_at or "when re-enabled",
    )
    if endpoint.status == Endpoint.Status.DISABLED:
        endpoints_alert()
    return False


def _succeeded(endpoint: Endpoint, delivery: Delivery) -> None:
    changes: dict[str, object] = {"failures": 0, "next_attempt_at": None}
    if delivery.kind == Delivery.Kind.STREAM:
        changes["delivered_seq"] = Greatest(F("delivered_seq"), delivery.last_seq)
    if endpoint.status == Endpoint.Status.FAILING:
        changes.update(status=Endpoint.Status.ACTIVE, failing_since=None, alerted="")
        if endpoint.alerted:
            transaction.on_commit(partial(alert_recovered, endpoint.pk), robust=True)
    # A disabled endpoint (staff, or the sweeper, mid-request) stays disabled: staff
    # re-enable it. The receiver did get this batch, so it still counts.
    Endpoint.objects.filter(pk=endpoint.pk).update(**changes)


def _failed(
    endpoint: Endpoint, *, response: http.Response, now: datetime, conf: DeliveryConf
) -> None:
    """Work out and save the endpoint's state after a failed attempt (locked)."""
    endpoint.failures += 1
    endpoint.failing_since = endpoint.failing_since or now
    if endpoint.status == Endpoint.Status.DISABLED:
        endpoint.next_attempt_at = None
    elif response.status == 410:
        _disable(endpoint, now=now, reason="The receiver answered 410 Gone.")
    elif now - endpoint.failing_since >= timedelta(seconds=conf.disable_after):
        _disable(endpoint, now=now, reason=stale_reason(conf))
    else:
        endpoint.status = Endpoint.Status.FAILING
        endpoint.next_attempt_at = now + retry_delay(
            conf=conf, failures=endpoint.failures, retry_after=response.retry_after
        )
    endpoint.save(
        update_fields=[
            "failures",
            "failing_since",
            "status",
            "next_attempt_at",
            "disabled_at",
            "disabled_reason",
        ]
    )


def _disable(endpoint: Endpoint, *, now: datetime, reason: str) -> None:
    endpoint.status = Endpoint.Status.DISABLED
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason
    endpoint.next_attempt_at = None


def stale_reason(conf: DeliveryConf) -> str:
    """Why an endpoint with no success for `disable_after` was disabled, for staff."""
    days = conf.disable_after / 86400
    span = f"{days:g} days" if days >= 1 else f"{conf.disable_after:g} s"
    return f"No successful delivery for {span}."
