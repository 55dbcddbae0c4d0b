"""Reads for the catalogue."""

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from portal.catalogue.models import LabelManager, Work


def works_search(works: QuerySet[Work], q: str) -> QuerySet[Work]:
    """`works` whose title contains `q`, or whose ISRC starts with it however it is
    written ("us-rc1", "USRC1 76"); all of them for an empty `q`."""
    q = q.strip()
    if not q:
        return works
    compact = "".join(ch for ch in q if ch.isalnum()).upper()
    match = Q(title__icontains=q)
    if compact:
        match |= Q(isrc__startswith=compact)
    return works.filter(match)


def label_managements(user_id: int) -> QuerySet[LabelManager]:
    """The rows that make the user a manager of a label: none for anyone else."""
    return LabelManager.objects.filter(user_id=user_id)


def work_ids_by_isrc(isrcs: set[str]) -> dict[str, int]:
    """ISRC -> work id, for those in the catalogue. On PostgreSQL the ISRCs go as one
    array: 100,000 placeholders cost more to send and parse than the lookup itself."""
    works = Work.objects.order_by()
    if connection.vendor == "postgresql":
        works = works.filter(
            RawSQL("isrc = ANY(%s::text[])", (list(isrcs),), output_field=BooleanField())
        )
    else:
        works = works.filter(isrc__in=isrcs)
    return dict(works.values_list("isrc", "pk"))
