"""The ledger as people read it: a work's history, a party's activity."""

from django.db.models import QuerySet

from portal.catalogue.models import Work
from portal.consent.models import LedgerEntry


def history_for(*, work: Work) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(work=work)
        .select_related("product", "use_type")
        .order_by("-position")
    )


def activity_for(*, works: QuerySet[Work]) -> QuerySet[LedgerEntry]:
    """Every decision on these works, newest first."""
    return (
        LedgerEntry.objects.filter(work__in=works)
        .select_related("product", "use_type", "work")
        .order_by("-position")
    )
