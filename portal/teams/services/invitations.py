"""Invitations to artists' teams: sent once per address, accepted once, until they expire,
by the address they were sent to; withdrawn by whoever may manage the team."""

import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership, LabelManager
from portal.notifications.models import Notification
from portal.teams.models import ROLE_NOUN, Invitation, TeamEvent, token_hash
from portal.teams.services.common import (
    NotEntitled,
    Role,
    SentAs,
    TeamError,
    acting_as,
    email_normalise,
    lock_team,
    named_as,
    record_event,
    tell_admins,
)


class RoleRefused(TeamError):
    """The inviter may not give this role to this team now."""

    field = "role"


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


def invitation_url(token: str) -> str:
    """The absolute link that goes in the email; the one place the raw token appears."""
    base = settings.PORTAL_BASE_URL
    return base.rstrip("/") + reverse("invitation_accept", args=[token])


def _send_invitation(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "artist": invitation.artist,
        "inviter": invitation.invited_by,
        "url": invitation_url(token),
    }
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
    subject = render_to_string("teams/email/invitation_subject.txt", context).strip()
    body = render_to_string("teams/email/invitation_message.txt", context)
    send_mail(prefix + subject, body, None, [invitation.email])


def _check_entitled(*, inviter: User, artist: Artist, sent_as: str) -> None:
    if sent_as == SentAs.TEAM_ADMIN:
        entitled = ArtistMembership.objects.filter(
            artist=artist, user=inviter, role=Role.ADMIN
        ).exists()
    elif sent_as == SentAs.LABEL:
        entitled = (
            artist.label_id is not None
            and LabelManager.objects.filter(label_id=artist.label_id, user=inviter).exists()
        )
    else:
        entitled = inviter.is_staff
    if not entitled:
        why = {
            SentAs.TEAM_ADMIN: "only its admins invite as the team",
            SentAs.LABEL: "only the managers of the artist's label invite as the label",
            SentAs.STAFF: "only platform staff invite as staff",
        }[SentAs(sent_as)]
        raise NotEntitled(f"You cannot invite people to {artist.name}'s team: {why}.")


def _label_managers_address(*, artist: Artist, email: str) -> bool:
    """Whether `email` is an address of one of the managers of the artist's label: their
    login, or any other address on their account."""
    if artist.label_id is None:
        return False
    return (
        User.objects.filter(labelmanager__label_id=artist.label_id)
        .filter(Q(email__iexact=email) | Q(emailaddress__email__iexact=email))
        .exists()
    )


def _check_label_invitation(
    *, artist: Artist, email: str, role: str, user: User | None = None
) -> None:
    """What a label may invite: editors and readers, and the first admin of a team that has
    none; never one of its own managers, who would then answer for the artist without the
    artist's delegation. Checked when sending and again when accepting (`user`), since an
    address may become a manager's, or the team gain an admin, in between. Team locked."""
    label = artist.label.name if artist.label else "the label"
    manager = (
        (
            artist.label_id is not None
            and LabelManager.objects.filter(label_id=artist.label_id, user=user).exists()
        )
        if user is not None
        else _label_managers_address(artist=artist, email=email)
    )
    if manager:
        raise TeamError(
            f"{email} belongs to a manager of {label}. The label decides for "
            f"{artist.name} only where {artist.name} delegates to it, never as a team member."
        )
    if role != Role.ADMIN:
        return
    if ArtistMembership.objects.filter(artist=artist, role=Role.ADMIN).exists():
        raise RoleRefused(
            f"{artist.name}'s team has an admin, and only the team's admins make someone "
            f"an admin. {label} can invite editors and readers."
        )
    if user is not None:
        return
    other_admin_invitation = (
        Invitation.objects.pending()
        .filter(artist=artist, role=Role.ADMIN)
        .exclude(email=email)
        .values_list("email", flat=True)
        .first()
    )
    if other_admin_invitation:
        # One first admin at a time: the label may correct an address, but by withdrawing
        # the invitation it sent, which the history and the team page then show.
        raise RoleRefused(
            f"An invitation to be the first admin of {artist.name}'s team is already "
            f"waiting for {other_admin_invitation}. Withdraw it to invite someone else."
        )


@transaction.atomic
def invitation_create(
    *, inviter: User, artist: Artist, email: str, role: str, sent_as: str
) -> tuple[Invitation, str]:
    """Invite `email` to `artist`'s team as `role`. Returns the invitation and its token.

    `sent_as` is the capacity the inviter acts in, and must be theirs (`NotEntitled`
    otherwise): an admin of the team (any role), the artist's label (editors and readers,
    and the first admin of a team that has none, never one of the label's own managers;
    `RoleRefused` or `TeamError` otherwise), or platform staff (any role). It is recorded
    on the invitation, and the label's rule is checked again on acceptance.

    The token is returned and emailed, never stored: the database holds its SHA-256.
    An open invitation to the same address for this team is replaced (revoked), so a
    second invitation doubles as "send again". Refuses an address already on the team.
    The team's admins are notified. The email leaves after commit.
    """
    email = email_normalise(email)
    role = Role(role)
    sent_as = SentAs(sent_as)
    lock_team(artist.pk)
    _check_entitled(inviter=inviter, artist=artist, sent_as=sent_as)
    if ArtistMembership.objects.filter(artist=artist, user__email__iexact=email).exists():
        raise TeamError(
            f"{email} is already on {artist.name}'s team. "
            "To give them other rights, change their role on the team page."
        )
    if sent_as == SentAs.LABEL:
        _check_label_invitation(artist=artist, email=email, role=role)
    now = timezone.now()
    Invitation.objects.open().filter(artist=artist, email=email).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        artist=artist,
        role=role,
        invited_by=inviter,
        sent_as=sent_as,
        token_hash=token_hash(token),
        created_at=now,
    )
    who = named_as(inviter, sent_as, artist)
    record_event(
        artist=artist,
        actor=inviter,
        actor_name=who,
        kind=TeamEvent.Kind.INVITED,
        subject=email,
        role=role,
        at=now,
    )
    tell_admins(
        artist=artist,
        actor=inviter,
        kind=Notification.Kind.INVITATION,
        message=f"{who} invited {email} to {artist.name}'s team as {ROLE_NOUN[role]}.",
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
    `WrongAccount` otherwise, `InvitationUnusable` when the link is spent. An invitation
    the label sent is held to the label's rule again, as things stand now (`TeamError`,
    `RoleRefused`): the team may have gained an admin, or the user become a manager of
    the label, since it was sent. Someone already on the team keeps their role. The
    team's admins are told who joined.
    """
    artist_id = (
        Invitation.objects.filter(token_hash=token_hash).values_list("artist_id", flat=True).first()
    )
    if artist_id is None:
        raise InvitationUnusable(None)
    lock_team(artist_id)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("artist__label", "invited_by")
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
    if invitation.sent_as == SentAs.LABEL:
        _check_label_invitation(
            artist=invitation.artist,
            email=invitation.email,
            role=invitation.role,
            user=user,
        )
    membership, created = ArtistMembership.objects.get_or_create(
        artist=invitation.artist, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if created:
        record_event(
            artist=invitation.artist,
            actor=user,
            kind=TeamEvent.Kind.JOINED,
            subject=invitation.email,
            role=invitation.role,
            at=now,
        )
        tell_admins(
            artist=invitation.artist,
            actor=user,
            message=(
                f"{user.display_name} ({invitation.email}) joined {invitation.artist.name}'s "
                f"team as {ROLE_NOUN[Role(invitation.role)]}, invited by "
                f"{named_as(invitation.invited_by, invitation.sent_as, invitation.artist)}."
            ),
        )
    return membership


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Withdraw an invitation so its link no longer works. Revoking twice changes nothing;
    an invitation already accepted cannot be withdrawn (remove the member instead)."""
    lock_team(invitation.artist_id)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("artist__label")
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
    who = acting_as(actor, invitation.artist)
    record_event(
        artist=invitation.artist,
        actor=actor,
        actor_name=who,
        kind=TeamEvent.Kind.INVITATION_REVOKED,
        subject=invitation.email,
        role=invitation.role,
        at=invitation.revoked_at,
    )
    tell_admins(
        artist=invitation.artist,
        actor=actor,
        kind=Notification.Kind.INVITATION,
        message=(
            f"{who} withdrew the invitation for {invitation.email} to join "
            f"{invitation.artist.name}'s team as {ROLE_NOUN[Role(invitation.role)]}."
        ),
    )
    return invitation
