"""Reads for the catalogue."""

from django.db.models import Q, QuerySet

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
