"""Writes for delivery: queue, claim, send, record, sweep, alert, and staff's controls.

How a product's changes reach its webhook (docs/delivery.md has the whole story):

1. Consent records `PermissionChange` rows and sends `changes_recorded`, on which
   `deliveries_schedule` queues a send task only once the transaction has committed
   (and shrugs off a broker that is down: the sweeper covers for it).
2. A worker claims the product's endpoint with a lease (a conditional UPDATE, so one
   worker at a time), takes the oldest open delivery or opens the next batch after the
   cursor, signs and POSTs it, and records the attempt. On a 2xx the cursor moves and
   it goes on with the next batch; on a failure the next attempt is written to the
   database by the backoff schedule and the worker lets go.
3. Beat runs `deliveries_sweep` every few seconds: it queues every endpoint that is
   behind, due and unclaimed, disables endpoints failing for too long, and alerts staff.

Every step that changes state is fenced by the lease token, so a worker whose lease
lapsed (it stalled, or was presumed dead) can no longer move anything.
"""

import logging
import random
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.consent.models import ChangeCounter
from portal.delivery import http
from portal.delivery.conf import DeliveryConf, delivery_conf
from portal.delivery.crypto import secret_encrypt, secret_generate
from portal.delivery.destinations import DestinationRefused, private_allowed, webhook_url_check
from portal.delivery.models import Attempt, Delivery, Endpoint, EndpointSecret
from portal.delivery.payload import body_json, signed_headers
from portal.delivery.selectors import (
    SENDABLE,
    change_seqs_after,
    changes_json,
    delivery_lag,
    delivery_open_first,
    endpoint_ids_ready,
    endpoints_due,
    secrets_current,
)
from portal.licensing.models import Product

log = logging.getLogger(__name__)

# Publishing to a broker that is down fails after about half a second instead of
# holding the web request that triggered it; the sweeper sends what it could not queue.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# How long a rotated-out secret keeps verifying, so receivers can switch without a gap.
ROTATION_OVERLAP = timedelta(hours=24)
# Endpoints the sweeper queues per run; the rest wait for the next run seconds later.
SWEEP_LIMIT = 500

_jitter = random.SystemRandom()


class DeliveryError(Exception):
    """A staff request that cannot be carried out; the message says why."""


class LeaseLost(Exception):
    """Another worker holds the endpoint now: stop without touching anything."""


class Stuck(Exception):
    """The next change to send is missing: stop rather than skip it (never expected)."""


@dataclass(frozen=True)
class Claim:
    endpoint_id: int
    token: uuid.UUID


# --------------------------------------------------------------------------------------
# Queueing
# --------------------------------------------------------------------------------------
def deliveries_schedule(*, product_ids: Iterable[int]) -> None:
    """Have these products' new changes sent as soon as the current transaction commits.

    Call it in the transaction that recorded the changes; nothing leaves if it rolls
    back. Never raises on the caller's behalf: a broker that is down is logged and the
    sweeper delivers within seconds of it coming back. Calling it more than once costs
    one query and one message per call, no more.
    """
    ids = sorted(set(product_ids))
    if ids:
        transaction.on_commit(partial(_enqueue_ready, ids), robust=True)


def _enqueue_ready(product_ids: list[int]) -> None:
    try:
        ready = endpoint_ids_ready(product_ids=product_ids, now=timezone.now())
    except DatabaseError:
        log.exception("Could not look up endpoints of %s; the sweeper will send", product_ids)
        return
    for product_id in ready:
        _publish(product_id)


def _publish(product_id: int) -> bool:
    """Queue a send for the product. False (logged) when the broker would not take it."""
    # Imported here: tasks depend on services, not the other way round.
    from portal.delivery.tasks import deliveries_send

    try:
        deliveries_send.apply_async((product_id,), retry_policy=PUBLISH_RETRY)
    except Exception:
        # Eager mode (`make run`) runs the send right here; its errors land here too.
        log.warning(
            "Could not queue webhook delivery for product %s; the sweeper will send it",
            product_id,
            exc_info=True,
        )
        return False
    return True


# --------------------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------------------
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
        _publish(product_id)
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


def _new_webhook_id() -> str:
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
            webhook_id=_new_webhook_id(),
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
            transaction.on_commit(partial(_alert_recovered, endpoint.pk), robust=True)
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
        _disable(endpoint, now=now, reason=_stale_reason(conf))
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


def _stale_reason(conf: DeliveryConf) -> str:
    days = conf.disable_after / 86400
    span = f"{days:g} days" if days >= 1 else f"{conf.disable_after:g} s"
    return f"No successful delivery for {span}."


# --------------------------------------------------------------------------------------
# The sweeper (beat)
# --------------------------------------------------------------------------------------
def deliveries_sweep() -> int:
    """Queue a send for every endpoint that is behind, due and unclaimed; disable those
    failing too long; alert staff. Run by beat every few seconds; idempotent.

    This is what makes a lost task, a wiped broker or a crashed worker cost a delay
    rather than a delivery. Returns how many sends it queued.
    """
    conf = delivery_conf()
    now = timezone.now()
    endpoints_disable_stale(now=now, conf=conf)
    endpoints_alert(now=now, conf=conf)
    requeue_after = timedelta(seconds=conf.requeue_after)
    due = list(
        endpoints_due(now=now, requeue_after=requeue_after)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "product_id", "enqueued_at")[:SWEEP_LIMIT]
    )
    queued = 0
    for pk, product_id, enqueued_at in due:
        # Marked one by one, conditionally: of two sweeps running at once, one queues it.
        marked = Endpoint.objects.filter(pk=pk, enqueued_at=enqueued_at).update(enqueued_at=now)
        if not marked:
            continue
        if _publish(product_id):
            queued += 1
        else:  # try again on the next run, not after `requeue_after`
            Endpoint.objects.filter(pk=pk, enqueued_at=now).update(enqueued_at=None)
    return queued


def endpoints_disable_stale(*, now: datetime, conf: DeliveryConf | None = None) -> int:
    """Disable endpoints that have not had a success for `disable_after`."""
    conf = conf or delivery_conf()
    return Endpoint.objects.filter(
        status=Endpoint.Status.FAILING,
        failing_since__lte=now - timedelta(seconds=conf.disable_after),
    ).update(
        status=Endpoint.Status.DISABLED,
        disabled_at=now,
        disabled_reason=_stale_reason(conf),
        next_attempt_at=None,
    )


# --------------------------------------------------------------------------------------
# Alerts
# --------------------------------------------------------------------------------------
def _staff_emails() -> list[str]:
    admins = {email for _, email in getattr(settings, "ADMINS", [])}
    staff = (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(admins | set(staff))


def _admin_link(endpoint_id: int) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    return base + reverse("admin:delivery_endpoint_change", args=[endpoint_id])


def _email_staff(subject: str, body: str) -> None:
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "[Consent Portal] ")
    recipients = _staff_emails()
    if recipients:
        send_mass_mail([(prefix + subject, body, None, [to]) for to in recipients])


def endpoints_alert(*, now: datetime | None = None, conf: DeliveryConf | None = None) -> int:
    """Email staff once about each endpoint that has been failing for `alert_after`, and
    at once about each that was disabled. Returns how many alerts went out.

    Each alert is claimed with a conditional UPDATE before it is sent, so two sweepers
    never send the same one, and handed back if the mail server refused it.
    """
    conf = conf or delivery_conf()
    now = now or timezone.now()
    pending = (
        Endpoint.objects.filter(
            Q(status=Endpoint.Status.DISABLED)
            | Q(
                status=Endpoint.Status.FAILING,
                failing_since__lte=now - timedelta(seconds=conf.alert_after),
            )
        )
        .exclude(alerted=F("status"))
        .select_related("product")
    )
    sent = 0
    for endpoint in pending:
        taken = Endpoint.objects.filter(
            pk=endpoint.pk, status=endpoint.status, alerted=endpoint.alerted
        ).update(alerted=endpoint.status)
        if not taken:
            continue
        try:
            _email_staff(*_alert_text(endpoint, now=now))
        except Exception:
            log.exception("Could not email staff about endpoint %s", endpoint.pk)
            Endpoint.objects.filter(pk=endpoint.pk, alerted=endpoint.status).update(
                alerted=endpoint.alerted
            )
            continue
        sent += 1
    return sent


def _alert_text(endpoint: Endpoint, *, now: datetime) -> tuple[str, str]:
    product = endpoint.product.name
    last = Attempt.objects.filter(delivery__endpoint=endpoint).order_by("-at", "-pk").first()
    lag = delivery_lag(endpoint=endpoint, now=now)
    lines = [f"Webhook endpoint: {endpoint.url}"]
    if endpoint.failing_since:
        lines.append(f"Failing since: {endpoint.failing_since:%Y-%m-%d %H:%M:%S} UTC")
    lines.append(f"Failed attempts in a row: {endpoint.failures}")
    if last is not None:
        lines.append(f"Last attempt: {last.error or last.status_code}")
    if lag is not None:
        lines.append(f"Oldest undelivered change waiting: {_duration(lag)}")
    if endpoint.status == Endpoint.Status.DISABLED:
        subject = f"Webhooks to {product} are disabled"
        lines.insert(0, f"{endpoint.disabled_reason} Nothing more is sent until it is re-enabled.")
    else:
        subject = f"Webhooks to {product} are failing"
        nxt = endpoint.next_attempt_at
        lines.insert(0, "Deliveries are being retried with backoff; nothing is skipped.")
        if nxt:
            lines.append(f"Next attempt: {nxt:%Y-%m-%d %H:%M:%S} UTC")
    lines.append(f"\nSee and act on it in admin: {_admin_link(endpoint.pk)}")
    return subject, "\n".join(lines) + "\n"


def _alert_recovered(endpoint_id: int) -> None:
    endpoint = Endpoint.objects.select_related("product").get(pk=endpoint_id)
    try:
        _email_staff(
            f"Webhooks to {endpoint.product.name} are delivered again",
            f"{endpoint.url} acknowledged a delivery; the backlog follows in order.\n\n"
            f"{_admin_link(endpoint.pk)}\n",
        )
    except Exception:
        log.exception("Could not email staff about endpoint %s recovering", endpoint_id)


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


# --------------------------------------------------------------------------------------
# Staff's controls (admin)
# --------------------------------------------------------------------------------------
def _secret_add(endpoint: Endpoint, now: datetime) -> str:
    secret = secret_generate()
    EndpointSecret.objects.create(
        endpoint=endpoint, encrypted=secret_encrypt(secret), created_at=now
    )
    return secret


def _url_check(url: str) -> None:
    try:
        webhook_url_check(url)
    except DestinationRefused as exc:
        raise DeliveryError(str(exc)) from None


@transaction.atomic
def endpoint_create(*, product: Product, url: str) -> tuple[Endpoint, str]:
    """Give a product a webhook endpoint and its first signing secret (returned in the
    clear this once; only its encryption is stored). Every change the product already
    has is delivered to it, from seq 1, in order.

    Raises `DeliveryError` for a URL that may not be sent to (`destinations`)."""
    _url_check(url)
    if Endpoint.objects.filter(product=product).exists():
        raise DeliveryError(f"{product.name} already has a webhook endpoint.")
    now = timezone.now()
    endpoint = Endpoint.objects.create(product=product, url=url, created_at=now)
    secret = _secret_add(endpoint, now)
    deliveries_schedule(product_ids=[product.pk])
    return endpoint, secret


@transaction.atomic
def endpoint_url_set(*, endpoint: Endpoint, url: str) -> None:
    """Point the endpoint elsewhere. Open deliveries go to the new URL, same webhook-ids.

    Raises `DeliveryError` for a URL that may not be sent to (`destinations`)."""
    _url_check(url)
    Endpoint.objects.filter(pk=endpoint.pk).update(url=url)
    endpoint.url = url


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: Endpoint, overlap: timedelta = ROTATION_OVERLAP) -> str:
    """Issue a new signing secret (returned in the clear this once). Requests are signed
    with both for `overlap`, then with the new one only. Long-expired ones are dropped."""
    now = timezone.now()
    secrets = EndpointSecret.objects.select_for_update().filter(endpoint=endpoint)
    secrets.filter(expires_at__lte=now).delete()
    secrets.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now + overlap)).update(
        expires_at=now + overlap
    )
    return _secret_add(endpoint, now)


@transaction.atomic
def endpoint_enable(*, endpoint: Endpoint) -> None:
    """Send to the endpoint again, now: it picks up at its oldest open delivery (the same
    webhook-id) and then the rest of the backlog, in order."""
    now = timezone.now()
    Endpoint.objects.filter(pk=endpoint.pk).update(
        status=Endpoint.Status.ACTIVE,
        failures=0,
        next_attempt_at=None,
        failing_since=None,
        alerted="",
        disabled_at=None,
        disabled_reason="",
    )
    Delivery.objects.filter(endpoint=endpoint, status__in=Delivery.OPEN).update(next_attempt_at=now)
    endpoint.refresh_from_db()
    deliveries_schedule(product_ids=[endpoint.product_id])


@transaction.atomic
def endpoint_retry_now(*, endpoint: Endpoint) -> None:
    """Skip the rest of the backoff wait (not any change): try the endpoint now."""
    if endpoint.status == Endpoint.Status.DISABLED:
        raise DeliveryError(f"{endpoint.product.name}'s endpoint is disabled: re-enable it.")
    now = timezone.now()
    Endpoint.objects.filter(pk=endpoint.pk).update(next_attempt_at=None)
    Delivery.objects.filter(endpoint=endpoint, status__in=Delivery.OPEN).update(next_attempt_at=now)
    deliveries_schedule(product_ids=[endpoint.product_id])


@transaction.atomic
def deliveries_replay(
    *, endpoint: Endpoint, first_seq: int, last_seq: int, actor: User | None
) -> list[Delivery]:
    """Send changes `first_seq`..`last_seq` again, as new deliveries (new webhook-ids) of
    at most a batch each, after whatever is already open for the endpoint."""
    last_known = (
        ChangeCounter.objects.filter(product_id=endpoint.product_id)
        .values_list("last", flat=True)
        .first()
        or 0
    )
    if not 1 <= first_seq <= last_seq:
        raise DeliveryError("A range runs from a sequence number to one no smaller, from 1.")
    if last_seq > last_known:
        raise DeliveryError(
            f"{endpoint.product.name} has changes up to {last_known}, not {last_seq}."
        )
    size = delivery_conf().batch_size
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            kind=Delivery.Kind.REPLAY,
            first_seq=start,
            last_seq=min(start + size - 1, last_seq),
            webhook_id=_new_webhook_id(),
            created_at=now,
            next_attempt_at=now,
            requested_by=actor,
        )
        for start in range(first_seq, last_seq + 1, size)
    )
    deliveries_schedule(product_ids=[endpoint.product_id])
    return deliveries
