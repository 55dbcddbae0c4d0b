"""Reads for teams: members, invitations and the team history.

Who may see and change a team (`TeamAccess`) is answered with everything else about
access, in `portal.consent.access`.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from portal.catalogue.models import Artist, ArtistMembership, Label
from portal.teams.models import Invitation, TeamEvent, token_hash

Role = ArtistMembership.Role
ROLE_ORDER: dict[str, int] = {Role.ADMIN: 0, Role.EDITOR: 1, Role.READER: 2}


def roster_of(label: Label) -> QuerySet[Artist]:
    """The artists a label's managers may invite people to."""
    return Artist.objects.filter(label=label).order_by("name", "pk")


def members_of(artist: Artist) -> list[ArtistMembership]:
    """The team, admins first, then editors, then readers, each by name."""
    members = ArtistMembership.objects.filter(artist=artist).select_related("user")
    return sorted(
        members,
        key=lambda m: (ROLE_ORDER.get(m.role, 9), m.user.display_name.lower(), m.pk),
    )


def keeps_an_admin(*, artist_id: int, without: Iterable[int] = ()) -> bool:
    """Whether the team has an admin other than the memberships `without`: the rule that
    a team always keeps one, asked by the services before a demotion or a removal and by
    admin's forms before several at once."""
    return (
        ArtistMembership.objects.filter(artist_id=artist_id, role=Role.ADMIN)
        .exclude(pk__in=list(without))
        .exists()
    )


def admin_count(artist: Artist) -> int:
    return ArtistMembership.objects.filter(artist=artist, role=Role.ADMIN).count()


def invitations_pending(
    *, artists: QuerySet[Artist] | list[Artist], now: datetime | None = None
) -> QuerySet[Invitation]:
    return (
        Invitation.objects.pending(now)
        .filter(artist__in=artists)
        .select_related("artist", "invited_by")
        .order_by("artist__name", "email")
    )


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link's token names, in any state; None for a token never issued."""
    return (
        Invitation.objects.select_related("artist__label", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def is_member(*, artist: Artist, email: str) -> bool:
    return ArtistMembership.objects.filter(artist=artist, user__email__iexact=email).exists()


def team_events(*, artist: Artist, limit: int = 20) -> list[TeamEvent]:
    return list(TeamEvent.objects.filter(artist=artist).select_related("actor")[:limit])
