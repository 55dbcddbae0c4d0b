"""Staff's controls (admin): add an endpoint, point it elsewhere, rotate its signing
secret, re-enable it, retry it now, and replay a range of changes to it."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.accounts.models import User
from portal.consent.models import ChangeCounter
from portal.delivery.conf import delivery_conf
from portal.delivery.crypto import secret_encrypt, secret_generate
from portal.delivery.destinations import DestinationRefused, webhook_url_check
from portal.delivery.models import Delivery, Endpoint, EndpointSecret
from portal.delivery.services.queue import deliveries_schedule
from portal.delivery.services.send import webhook_id_new
from portal.licensing.models import Product

# How long a rotated-out secret keeps verifying, so receivers can switch without a gap.
ROTATION_OVERLAP = timedelta(hours=24)


class DeliveryError(Exception):
    """A staff request that cannot be carried out; the message says why."""


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
            webhook_id=webhook_id_new(),
            created_at=now,
            next_attempt_at=now,
            requested_by=actor,
        )
        for start in range(first_seq, last_seq + 1, size)
    )
    deliveries_schedule(product_ids=[endpoint.product_id])
    return deliveries
