"""Reads for teams, and who may see and change a team.

A team is visible to its members (any role) and to the managers of the label whose
roster the artist is on; to anyone else it is a 404. Team admins manage the members;
team admins and the label's managers invite. Staff work in admin.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership, Label, LabelManager
from portal.teams.models import Invitation, TeamEvent, token_hash

Role = ArtistMembership.Role
ROLE_ORDER = {Role.ADMIN: 0, Role.EDITOR: 1, Role.READER: 2}


@dataclass(frozen=True)
class TeamAccess:
    """An artist's team as one user reaches it: as a member, as the label's manager, or both."""

    artist: Artist
    role: Role | None  # the user's own role on the team; None if not a member
    manages_label: bool

    @property
    def can_manage_members(self) -> bool:
        """Change roles and remove members: the team's admins only. The label does not
        decide who speaks for the artist."""
        return self.role == Role.ADMIN

    @property
    def can_invite(self) -> bool:
        """Invite and revoke invitations: the team's admins, and the label's managers
        (who onboard the artists on their roster, within what `invitation_create` lets
        a label invite)."""
        return self.role == Role.ADMIN or self.manages_label


def labels_managed_by(user: User) -> QuerySet[Label]:
    return Label.objects.filter(labelmanager__user=user).distinct()


def team_access(*, user: User, artist_id: int) -> TeamAccess:
    """The team of an artist the user belongs to or whose label they manage; 404 otherwise."""
    artist = get_object_or_404(Artist.objects.select_related("label"), pk=artist_id)
    role = (
        ArtistMembership.objects.filter(artist=artist, user=user)
        .values_list("role", flat=True)
        .first()
    )
    manages_label = (
        artist.label_id is not None
        and LabelManager.objects.filter(label_id=artist.label_id, user=user).exists()
    )
    if role is None and not manages_label:
        raise Http404
    return TeamAccess(artist=artist, role=Role(role) if role else None, manages_label=manages_label)


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
