"""Disputes as a work's history page shows them: the open one, every step in the ledger,
and whether the viewer may raise one (and, if not, why)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from portal.accounts.models import User
from portal.catalogue.models import ArtistMembership, LabelManager, Work
from portal.consent.models import Dispute, DisputeLedgerEntry


@dataclass(frozen=True)
class DisputeRight:
    """Whether the viewer may dispute the work; `why_not` says why not, in words."""

    allowed: bool
    why_not: str = ""


def dispute_open(*, work: Work) -> Dispute | None:
    """The work's open dispute, with who raised it (one query)."""
    return (
        Dispute.objects.filter(work=work, status=Dispute.Status.OPEN)
        .select_related("raised_by")
        .first()
    )


def dispute_steps(*, work: Work) -> QuerySet[DisputeLedgerEntry]:
    """Every step of the work's disputes as the ledger holds it, newest first."""
    return DisputeLedgerEntry.objects.filter(work=work).order_by("-position")


def dispute_right(*, user: User, work: Work) -> DisputeRight:
    """Whether `user` may dispute `work`: an admin of its artist's team or a manager of
    its label (two queries). The service checks it again, under lock."""
    if LabelManager.objects.filter(label_id=work.label_id, user=user).exists():
        return DisputeRight(True)
    role = (
        ArtistMembership.objects.filter(artist_id=work.primary_artist_id, user=user)
        .values_list("role", flat=True)
        .first()
    )
    if role == ArtistMembership.Role.ADMIN:
        return DisputeRight(True)
    who = (
        f"Only the admins of {work.primary_artist.name}'s team and the managers of "
        f"{work.label.name} can dispute this recording"
    )
    if role is not None:
        shown = ArtistMembership.Role(role).label.split(" (")[0].lower()
        return DisputeRight(False, f"{who}; you are an {shown} of the team. Ask one of its admins.")
    return DisputeRight(False, f"{who}.")
