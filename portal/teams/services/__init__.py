"""Writes for teams, one module per concept: `invitations` and `memberships`, with what
both share in `common`. Each public service owns its transaction and records a TeamEvent.

Who may call what is decided before, by the views through `portal.teams.selectors`;
these services keep the rules that hold whoever calls them: invitations work once,
until they expire, for the address they were sent to; a team always keeps an admin;
a label brings people onto its artists' teams but never speaks for the artist (see
`invitation_create`). The team's admins are told of every change someone else makes.

Lock order: the artist's row (the team), then the invitation. Every write to a team
takes the artist's row first, so two admins demoting each other at once queue rather
than leave the team without an admin, and a double click accepts an invitation once.

The names below are re-exported for callers outside teams' services; new code imports
from the concept's module.
"""

from portal.teams.services.common import NotEntitled, TeamError, email_normalise
from portal.teams.services.invitations import (
    InvitationUnusable,
    RoleRefused,
    WrongAccount,
    invitation_accept,
    invitation_accept_hashed,
    invitation_create,
    invitation_revoke,
)
from portal.teams.services.memberships import (
    LAST_ADMIN,
    membership_add,
    membership_remove,
    membership_set_role,
)

__all__ = [
    "LAST_ADMIN",
    "InvitationUnusable",
    "NotEntitled",
    "RoleRefused",
    "TeamError",
    "WrongAccount",
    "email_normalise",
    "invitation_accept",
    "invitation_accept_hashed",
    "invitation_create",
    "invitation_revoke",
    "membership_add",
    "membership_remove",
    "membership_set_role",
]
