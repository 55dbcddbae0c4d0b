"""Artist teams: invitations to join a team, and the record of every change to one.

The memberships themselves are `catalogue.ArtistMembership` (admin, editor, reader).
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.catalogue.models import Artist, ArtistMembership

INVITATION_LIFETIME = timedelta(days=7)

Role = ArtistMembership.Role

# What each role may do, in the words the team page, messages and the email use:
# "you can …", "Bo Reed, who can …".
ROLE_HELP = {
    Role.ADMIN: "can manage the team and say yes or no to AI uses",
    Role.EDITOR: "can say yes or no to AI uses, work by work",
    Role.READER: "can see the catalogue and every answer, but not change them",
}

ROLE_NOUN = {Role.ADMIN: "an admin", Role.EDITOR: "an editor", Role.READER: "a reader"}


def token_hash(token: str) -> str:
    """The SHA-256 of an invitation token: all the database ever holds of it."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_expiry() -> datetime:
    return timezone.now() + INVITATION_LIFETIME


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> "InvitationQuerySet":
        """Neither accepted nor revoked (an open one may have expired)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self, now: datetime | None = None) -> "InvitationQuerySet":
        """Still usable: open and not expired."""
        return self.open().filter(expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """An invitation, by email, to join an artist's team with a role.

    The link carries a random token; only its SHA-256 is stored here. It works once,
    until `expires_at`, unless revoked.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    class SentAs(models.TextChoices):
        """In what capacity the inviter sent it: the rules differ (see `invitation_create`)."""

        TEAM_ADMIN = "team_admin", "An admin of the team"
        LABEL = "label", "The artist's label"
        STAFF = "staff", "Platform staff"

    email = models.EmailField(help_text="Stored lower-case; matched case-insensitively.")
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=10, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    sent_as = models.CharField(max_length=10, choices=SentAs.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A newer invitation to the same person replaces the older one, so at most
            # one link per person and team can ever work.
            models.UniqueConstraint(
                fields=["artist", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_person_and_team",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.artist} as {self.role}"

    def state_at(self, now: datetime) -> "Invitation.State":
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= now:
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def state(self) -> "Invitation.State":
        return self.state_at(timezone.now())

    @property
    def role_help(self) -> str:
        return ROLE_HELP[Role(self.role)]

    @property
    def role_noun(self) -> str:
        return ROLE_NOUN[Role(self.role)]


class TeamEvent(models.Model):
    """One change to an artist's team, for the team page and for audit. Never edited."""

    class Kind(models.TextChoices):
        INVITED = "invited", "Invited"
        INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
        JOINED = "joined", "Joined"
        ADDED = "added", "Added by staff"
        ROLE_CHANGED = "role_changed", "Role changed"
        REMOVED = "removed", "Removed"

    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="team_events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Names as they were, so the history reads the same after a rename or a deletion.
    actor_name = models.CharField(max_length=254)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=254, help_text="Who the change was about.")
    role = models.CharField(max_length=10, choices=Role.choices, blank=True)
    previous_role = models.CharField(max_length=10, choices=Role.choices, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["artist", "-at"], name="team_event_artist_at")]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.get_kind_display()} {self.subject}"
        )
