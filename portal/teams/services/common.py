"""What every team write shares: its errors, the team's lock, the history it records and
the admins it tells."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership, LabelManager
from portal.notifications.models import Notification
from portal.notifications.services import notify
from portal.teams.models import Invitation, TeamEvent

Role = ArtistMembership.Role
SentAs = Invitation.SentAs


class TeamError(Exception):
    """A team change that cannot be made; the message is for the person who tried.

    `field` names the form field the message belongs to, for the views that show it."""

    field = "email"


class NotEntitled(TeamError):
    """The inviter does not hold the capacity they claim to act in."""

    field = "email"


def email_normalise(email: str) -> str:
    # allauth stores addresses lower-case too, so one spelling matches everywhere.
    return email.strip().lower()


def lock_team(artist_id: int) -> None:
    # FOR NO KEY UPDATE: serialises team writes without blocking works being added
    # for the artist (their foreign keys take only a key-share lock).
    list(
        Artist.objects.select_for_update(no_key=True)
        .filter(pk=artist_id)
        .order_by()
        .values_list("pk")
    )


def record_event(
    *,
    artist: Artist,
    actor: User | None,
    kind: TeamEvent.Kind,
    subject: str,
    role: str = "",
    previous_role: str = "",
    at: datetime | None = None,
    actor_name: str = "",
) -> TeamEvent:
    return TeamEvent.objects.create(
        artist=artist,
        at=at or timezone.now(),
        actor=actor,
        actor_name=actor_name or (actor.display_name if actor else ""),
        kind=kind,
        subject=subject,
        role=role,
        previous_role=previous_role,
    )


def team_admins(artist_id: int) -> list[User]:
    return list(
        User.objects.filter(
            artistmembership__artist_id=artist_id, artistmembership__role=Role.ADMIN
        )
    )


def tell_admins(
    *,
    artist: Artist,
    actor: User | None,
    message: str,
    kind: str = Notification.Kind.TEAM,
    admins: list[User] | None = None,
    also: tuple[User, ...] = (),
) -> None:
    """Tell the team's admins (and `also`) what someone else did to the team.

    The safeguard against a team changed behind its admins' backs: whoever acts, as the
    label, as staff or as another admin, the admins hear of it. The actor is not told of
    their own act. In the caller's transaction; emails leave after commit."""
    users = [*(admins if admins is not None else team_admins(artist.pk)), *also]
    notify(
        users=[u for u in users if actor is None or u.pk != actor.pk],
        kind=kind,
        message=message,
        url=reverse("team", args=[artist.pk]),
    )


def acting_as(actor: User | None, artist: Artist, capacity: str = "") -> str:
    """The actor's name and capacity for a change other than an invitation: the
    `capacity` the caller names (staff, from admin), else a member acts as themselves and
    anyone else here is the label's manager or staff."""
    if actor is None:
        return named_as(None)
    if capacity:
        return named_as(actor, capacity, artist)
    if ArtistMembership.objects.filter(artist=artist, user=actor).exists():
        return actor.display_name
    if (
        artist.label_id is not None
        and LabelManager.objects.filter(label_id=artist.label_id, user=actor).exists()
    ):
        return named_as(actor, SentAs.LABEL, artist)
    return named_as(actor, SentAs.STAFF if actor.is_staff else "", artist)


def named_as(actor: User | None, sent_as: str = "", artist: Artist | None = None) -> str:
    """The actor as the team history and notifications name them, with the capacity they
    acted in when it was not as a member of the team."""
    if actor is None:
        return "Platform staff"
    if sent_as == SentAs.LABEL and artist is not None and artist.label is not None:
        return f"{actor.display_name} (for {artist.label.name})"
    if sent_as == SentAs.STAFF:
        return f"{actor.display_name} (platform staff)"
    return actor.display_name
