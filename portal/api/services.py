"""Writes for the machine API: keys, their last use, and idempotency records."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.api.keys import key_display_prefix, key_generate, key_hash
from portal.api.models import ApiKey, IdempotencyRecord
from portal.licensing.models import Product

# A key's last use is recorded at most this often, so checks stay one query.
LAST_USED_RESOLUTION = timedelta(seconds=60)
IDEMPOTENCY_TTL = timedelta(hours=24)


@transaction.atomic
def api_key_issue(*, product: Product, name: str = "") -> tuple[ApiKey, str]:
    """Make a new key for `product`. Returns the stored key and the key itself, which is
    not kept anywhere: the caller shows it once."""
    raw = key_generate()
    key = ApiKey.objects.create(
        product=product,
        name=name,
        prefix=key_display_prefix(raw),
        hashed=key_hash(raw),
        created_at=timezone.now(),
    )
    return key, raw


def api_key_revoke(*, key: ApiKey) -> bool:
    """Stop a key working, at once. Returns False if it was revoked already."""
    now = timezone.now()
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now)
    if revoked:
        key.revoked_at = now
    return bool(revoked)


def api_key_touch(*, key_id: int, last_used_at: datetime | None, now: datetime) -> None:
    """Record a key's use, unless it was recorded within the last minute. The caller
    passes the last use it read with the key, so a busy key costs no write at all."""
    if last_used_at is not None and last_used_at > now - LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=key_id).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)


def idempotency_record(
    *, product_id: int, key: str, request_hash: str, status: int, body: str
) -> None:
    """Keep a response for replay. A record past its retention is replaced."""
    IdempotencyRecord.objects.update_or_create(
        product_id=product_id,
        key=key,
        defaults={
            "request_hash": request_hash,
            "status": status,
            "body": body,
            "created_at": timezone.now(),
        },
    )


def idempotency_records_purge(*, now: datetime | None = None) -> int:
    """Forget responses older than the retention period (beat, hourly). Returns how many."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
