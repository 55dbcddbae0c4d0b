"""Reads for receipts: which ledger entry a receipt is for."""

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
