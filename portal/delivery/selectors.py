"""Reads for delivery: what is due, what is behind, and what a batch carries."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from portal.consent.changes import CHANGE_COLUMNS, change_json
from portal.consent.models import Cause, ChangeCounter, PermissionChange
from portal.delivery.crypto import secret_decrypt
from portal.delivery.models import Delivery, Endpoint, EndpointSecret
from portal.receipts.selectors import decision_entries_for
from portal.receipts.signing import receipt_for

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

SENDABLE = (Endpoint.Status.ACTIVE, Endpoint.Status.FAILING)


class EndpointBacklog(TypedDict):
    """What `with_backlog` annotates."""

    last_seq: int
    oldest_undelivered_at: datetime | None


def with_backlog(
    endpoints: QuerySet[Endpoint],
) -> "QuerySet[WithAnnotations[Endpoint, EndpointBacklog]]":
    """Annotate `last_seq` (the product's newest change) and `oldest_undelivered_at`
    (when the first change the receiver has not acknowledged happened, or None)."""
    return endpoints.annotate(
        last_seq=Coalesce(
            Subquery(
                ChangeCounter.objects.filter(product_id=OuterRef("product_id")).values("last")
            ),
            0,
        ),
        oldest_undelivered_at=Subquery(
            PermissionChange.objects.filter(
                product_id=OuterRef("product_id"), seq=OuterRef("delivered_seq") + 1
            ).values("at")
        ),
    )


def endpoints_behind() -> QuerySet[Endpoint]:
    """Endpoints with something to send: a change after the cursor, or an open delivery."""
    open_deliveries = Delivery.objects.filter(endpoint=OuterRef("pk"), status__in=Delivery.OPEN)
    return with_backlog(Endpoint.objects.all()).filter(
        Q(last_seq__gt=F("delivered_seq")) | Exists(open_deliveries)
    )


def endpoints_due(*, now: datetime, requeue_after: timedelta) -> QuerySet[Endpoint]:
    """What the sweeper should hand to a worker: behind, sendable, not backing off, not
    claimed by a live worker, and not queued a moment ago."""
    return (
        endpoints_behind()
        .filter(status__in=SENDABLE)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - requeue_after))
    )


def endpoint_ids_ready(*, product_ids: Iterable[int], now: datetime) -> list[int]:
    """Of these products, those whose endpoint would take an attempt now."""
    return list(
        Endpoint.objects.filter(product_id__in=list(product_ids), status__in=SENDABLE)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .values_list("product_id", flat=True)
    )


def delivery_lag(*, endpoint: Endpoint, now: datetime) -> timedelta | None:
    """How long the oldest change the receiver has not acknowledged has waited; None
    when it is up to date."""
    at = (
        PermissionChange.objects.filter(
            product_id=endpoint.product_id, seq=endpoint.delivered_seq + 1
        )
        .values_list("at", flat=True)
        .first()
    )
    return None if at is None else max(timedelta(0), now - at)


def secrets_current(*, endpoint: Endpoint, now: datetime) -> list[str]:
    """The endpoint's signing secrets still in force, newest first, in the clear."""
    rows = EndpointSecret.objects.filter(endpoint=endpoint).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    return [secret_decrypt(row.encrypted) for row in rows.order_by("-created_at", "-pk")]


def delivery_open_first(*, endpoint: Endpoint) -> Delivery | None:
    return (
        Delivery.objects.filter(endpoint=endpoint, status__in=Delivery.OPEN).order_by("pk").first()
    )


def change_seqs_after(*, product_id: int, after: int, limit: int) -> list[int]:
    """The seqs (numbers only) of up to `limit` changes after `after`: the next batch's
    range. The changes themselves, as sent, come from `changes_json`."""
    return list(
        PermissionChange.objects.filter(product_id=product_id, seq__gt=after)
        .order_by("seq")
        .values_list("seq", flat=True)[:limit]
    )


def changes_json(*, product_id: int, first_seq: int, last_seq: int) -> list[dict[str, object]]:
    """The changes `first_seq`..`last_seq` of a product, in order, as the webhook carries them.

    A change caused by a decision also carries that decision's signed consent receipt
    (an addition to the contract's fields, which stay as they are)."""
    rows = list(
        PermissionChange.objects.filter(
            product_id=product_id, seq__gte=first_seq, seq__lte=last_seq
        )
        .order_by("seq")
        .values_list(*CHANGE_COLUMNS, "work_id", "use_type_id", "cause")
    )
    entries = decision_entries_for(
        product_id=product_id,
        changes=[
            (seq, work_id, use_id, at)
            for seq, _, _, _, _, at, _, work_id, use_id, cause in rows
            if cause == Cause.DECISION
        ],
    )
    changes = []
    for row in rows:
        change, seq = change_json(row), row[0]
        if seq in entries:
            change["receipt"] = receipt_for(entries[seq])
        changes.append(change)
    return changes


def receipt_status(
    *, product_id: int, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], datetime | None]:
    """For (work id, use type id) pairs, whether the product has received the latest change
    of each: when it was acknowledged, or None while it is still on its way. Pairs that
    never changed, or products with no endpoint, are absent. Three queries."""
    pairs = list(pairs)
    if not pairs or not Endpoint.objects.filter(product_id=product_id).exists():
        return {}
    latest = {
        (row["work_id"], row["use_type_id"]): row["seq"]
        for row in PermissionChange.objects.filter(
            product_id=product_id,
            work__any_of=list({w for w, _ in pairs}),
            use_type_id__in={u for _, u in pairs},
        )
        .values("work_id", "use_type_id")
        .annotate(seq=Max("seq"))
    }
    if not latest:
        return {}
    delivered = Delivery.objects.filter(
        endpoint__product_id=product_id,
        kind=Delivery.Kind.STREAM,
        status=Delivery.Status.DELIVERED,
        first_seq__lte=max(latest.values()),
        last_seq__gte=min(latest.values()),
    ).values_list("first_seq", "last_seq", "delivered_at")
    ranges = list(delivered)
    status: dict[tuple[int, int], datetime | None] = {}
    for pair, seq in latest.items():
        status[pair] = next((at for first, last, at in ranges if first <= seq <= last), None)
    return status
