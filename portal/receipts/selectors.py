"""Reads for receipts: which ledger entry a receipt is for."""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import QuerySet

from portal.consent.models import Cause, LedgerEntry, PermissionChange


def entries_for_receipts() -> QuerySet[LedgerEntry]:
    """Ledger entries joined to everything a receipt reads."""
    return LedgerEntry.objects.select_related("product__licensee", "work", "use_type")


def decision_entry_for(*, change: PermissionChange) -> LedgerEntry | None:
    """The ledger entry of the decision that caused a permission change.

    A decision writes its ledger entry and the changes it causes in one transaction,
    stamped with the same time, so the entry is the latest one for the same product,
    work and use at exactly the change's time. Changes with another cause have none.
    """
    if change.cause != Cause.DECISION:
        return None
    return (
        entries_for_receipts()
        .filter(
            product_id=change.product_id,
            work_id=change.work_id,
            use_type_id=change.use_type_id,
            at=change.at,
        )
        .order_by("-position")
        .first()
    )


def decision_entries_for(
    *, product_id: int, changes: Sequence[tuple[int, int, int, datetime]]
) -> dict[int, LedgerEntry]:
    """`decision_entry_for` for a whole batch in one query: (seq, work id, use type id, at)
    of changes caused by decisions -> their ledger entries, by seq."""
    if not changes:
        return {}
    entries = entries_for_receipts().filter(
        product_id=product_id,
        at__in={at for _, _, _, at in changes},
        work_id__in={work for _, work, _, _ in changes},
    )
    latest: dict[tuple[int, int, datetime], LedgerEntry] = {}
    for entry in entries.order_by("position"):
        latest[(entry.work_id, entry.use_type_id, entry.at)] = entry
    return {
        seq: latest[(work, use, at)] for seq, work, use, at in changes if (work, use, at) in latest
    }
