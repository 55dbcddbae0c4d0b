"""Writes for teams. Each public service owns its transaction and records a TeamEvent.

Who may call what is decided before, by the views through `portal.teams.selectors`;
these services keep the rules that hold whoever calls them: invitations work once,
until they expire, for the address they were sent to; a team always keeps an admin.

Lock order: the artist's row (the team), then the invitation. Every write to a team
takes the artist's row first, so two admins demoting each other at once queue rather
than leave the team without an admin, and a double click accepts an invitation once.
"""

import secrets
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership
from portal.teams.models import Invitation, TeamEvent, token_hash

Role = ArtistMembership.Role


class TeamError(Exception):
    """A team change that cannot be made; the message is for the person who tried."""


class InvitationUnusable(TeamError):
    """The invitation cannot be accepted: unknown, already used, revoked or expired."""

    MESSAGES = {
        None: "This invitation link is not valid. Check that you copied the whole link.",
        Invitation.State.ACCEPTED: "This invitation has already been used. Each link works once.",
        Invitation.State.REVOKED: "This invitation was withdrawn by the person who sent it.",
        Invitation.State.EXPIRED: "This invitation has expired.",
    }

    def __init__(self, state: Invitation.State | None) -> None:
        self.state = state
        super().__init__(self.MESSAGES.get(state, self.MESSAGES[None]))


class WrongAccount(TeamError):
    """The invitation was sent to another address than the signed-in user's."""


def email_normalise(email: str) -> str:
    # allauth stores addresses lower-case too, so one spelling matches everywhere.
    return email.strip().lower()


def _lock_team(artist_id: int) -> None:
    # FOR NO KEY UPDATE: serialises team writes without blocking works being added
    # for the artist (their foreign keys take only a key-share lock).
    list(
        Artist.objects.select_for_update(no_key=True)
        .filter(pk=artist_id)
        .order_by()
        .values_list("pk")
    )


def _event(
    *,
    artist: Artist,
    actor: User | None,
    kind: TeamEvent.Kind,
    subject: str,
    role: str = "",
    previous_role: str = "",
    at: datetime | None = None,
) -> TeamEvent:
    return TeamEvent.objects.create(
        artist=artist,
        at=at or timezone.now(),
        actor=actor,
        actor_name=actor.display_name if actor else "",
        kind=kind,
        subject=subject,
        role=role,
        previous_role=previous_role,
    )


def invitation_url(token: str) -> str:
    """The absolute link that goes in the email; the one place the raw token appears."""
    base = getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000")
    return base.rstrip("/") + reverse("invitation_accept", args=[token])


def _send_invitation(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "artist": invitation.artist,
        "inviter": invitation.invited_by,
        "url": invitation_url(token),
    }
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
    subject = render_to_string("teams/email/invitation_subject.txt", context).strip()
    body = render_to_string("teams/email/invitation_message.txt", context)
    send_mail(prefix + subject, body, None, [invitation.email])


@transaction.atomic
def invitation_create(
    *, inviter: User, artist: Artist, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite `email` to `artist`'s team as `role`. Returns the invitation and its token.

    The token is returned and emailed, never stored: the database holds its SHA-256.
    An open invitation to the same address for this team is replaced (revoked), so a
    second invitation doubles as "send again". Refuses an address already on the team.
    The email leaves after commit.
    """
    email = email_normalise(email)
    role = Role(role)
    _lock_team(artist.pk)
    if ArtistMembership.objects.filter(artist=artist, user__email__iexact=email).exists():
        raise TeamError(
            f"{email} is already on {artist.name}'s team. "
            "To give them other rights, change their role on the team page."
        )
    now = timezone.now()
    Invitation.objects.open().filter(artist=artist, email=email).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        artist=artist,
        role=role,
        invited_by=inviter,
        token_hash=token_hash(token),
        created_at=now,
    )
    _event(
        artist=artist, actor=inviter, kind=TeamEvent.Kind.INVITED, subject=email, role=role, at=now
    )
    # robust: the invitation stands even if the mail server is down; it can be sent again.
    transaction.on_commit(lambda: _send_invitation(invitation, token), robust=True)
    return invitation, token


def invitation_accept(*, token: str, user: User) -> ArtistMembership:
    """Accept the invitation the token names, for the signed-in `user`.

    See `invitation_accept_hashed`.
    """
    return invitation_accept_hashed(token_hash=token_hash(token), user=user)


@transaction.atomic
def invitation_accept_hashed(*, token_hash: str, user: User) -> ArtistMembership:
    """Accept the invitation with this token hash for `user`, and return the membership.

    Works once: the invitation must be unused, unrevoked and unexpired, and it is marked
    accepted in the same transaction, under a row lock, so a double click or two tabs
    accept it once. The user's email must be the invited address (in any case): raises
    `WrongAccount` otherwise, `InvitationUnusable` when the link is spent. Someone already
    on the team keeps their role.
    """
    artist_id = (
        Invitation.objects.filter(token_hash=token_hash).values_list("artist_id", flat=True).first()
    )
    if artist_id is None:
        raise InvitationUnusable(None)
    _lock_team(artist_id)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("artist")
        .get(token_hash=token_hash)
    )
    now = timezone.now()
    state = invitation.state_at(now)
    if state != Invitation.State.PENDING:
        raise InvitationUnusable(state)
    if email_normalise(user.email) != invitation.email:
        raise WrongAccount(
            f"This invitation was sent to {invitation.email}, but you are signed in as "
            f"{user.email}. Sign out and open the link again to accept it with the invited "
            "address, or ask for an invitation to this one."
        )
    membership, created = ArtistMembership.objects.get_or_create(
        artist=invitation.artist, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if created:
        _event(
            artist=invitation.artist,
            actor=user,
            kind=TeamEvent.Kind.JOINED,
            subject=invitation.email,
            role=invitation.role,
            at=now,
        )
    return membership


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Withdraw an invitation so its link no longer works. Revoking twice changes nothing;
    an invitation already accepted cannot be withdrawn (remove the member instead)."""
    _lock_team(invitation.artist_id)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("artist")
        .get(pk=invitation.pk)
    )
    if invitation.accepted_at is not None:
        raise TeamError(
            f"{invitation.email} has already accepted this invitation. "
            "To take away their access, remove them from the team."
        )
    if invitation.revoked_at is not None:
        return invitation
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    _event(
        artist=invitation.artist,
        actor=actor,
        kind=TeamEvent.Kind.INVITATION_REVOKED,
        subject=invitation.email,
        role=invitation.role,
        at=invitation.revoked_at,
    )
    return invitation


def _locked_membership(membership: ArtistMembership) -> ArtistMembership:
    _lock_team(membership.artist_id)
    current = (
        ArtistMembership.objects.select_related("user", "artist").filter(pk=membership.pk).first()
    )
    if current is None:
        raise TeamError(f"{membership.user} is no longer on this team.")
    return current


def _only_admin_left(membership: ArtistMembership) -> bool:
    return (
        membership.role == Role.ADMIN
        and not ArtistMembership.objects.filter(artist_id=membership.artist_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


LAST_ADMIN = (
    "{name} is the only admin of {artist}'s team, and a team always needs one. "
    "Make someone else an admin first."
)


@transaction.atomic
def membership_set_role(
    *, actor: User, membership: ArtistMembership, role: str
) -> ArtistMembership:
    """Give a member another role. The same role again changes nothing. Refuses to
    demote the team's last admin."""
    role = Role(role)
    membership = _locked_membership(membership)
    if membership.role == role:
        return membership
    if role != Role.ADMIN and _only_admin_left(membership):
        raise TeamError(
            LAST_ADMIN.format(name=membership.user.display_name, artist=membership.artist.name)
        )
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _event(
        artist=membership.artist,
        actor=actor,
        kind=TeamEvent.Kind.ROLE_CHANGED,
        subject=membership.user.email,
        role=role,
        previous_role=previous,
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: ArtistMembership) -> None:
    """Take a member off the team (or let a member leave it). Refuses to remove the
    team's last admin."""
    membership = _locked_membership(membership)
    if _only_admin_left(membership):
        raise TeamError(
            LAST_ADMIN.format(name=membership.user.display_name, artist=membership.artist.name)
        )
    membership.delete()
    _event(
        artist=membership.artist,
        actor=actor,
        kind=TeamEvent.Kind.REMOVED,
        subject=membership.user.email,
        previous_role=membership.role,
    )
