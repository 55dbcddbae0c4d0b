"""The public JSON of a permission change: one serialiser for what the changes API
serves and the webhooks carry (a public contract: extend it, never break it).

A change is consent's record; the API and delivery only pass it on.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from portal.consent.models import PermissionChange

# What `change_json` reads from a `PermissionChange`, in its argument order.
CHANGE_COLUMNS = (
    "seq",
    "work__isrc",
    "use_type__slug",
    "permitted",
    "conditions",
    "at",
    "use_type__obliges_exclusion",
)


def timestamp_json(at: datetime) -> str:
    """RFC 3339 in UTC with a `Z`: how the machine API and the webhooks print times."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def change_json(row: Sequence[Any]) -> dict[str, object]:
    """One permission change, read as `CHANGE_COLUMNS`, as the changes API and the
    webhooks carry it."""
    seq, isrc, use, permitted, conditions, at, obliges = row[: len(CHANGE_COLUMNS)]
    return {
        "seq": seq,
        "isrc": isrc,
        "use": use,
        "permitted": permitted,
        "conditions": conditions,
        "at": timestamp_json(at),
        # A withdrawal the product's next model must honour (GET /obligations).
        "opens_obligation": not permitted and obliges,
    }


def changes_after(*, product_id: int, after: int, limit: int) -> list[dict[str, object]]:
    """Up to `limit` of the product's changes after sequence number `after`, oldest
    first, as the changes API serves them. One query."""
    rows = (
        PermissionChange.objects.filter(product_id=product_id, seq__gt=after)
        .order_by("seq")
        .values_list(*CHANGE_COLUMNS)[:limit]
    )
    return [change_json(row) for row in rows]
