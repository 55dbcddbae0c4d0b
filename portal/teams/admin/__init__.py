"""Admin for artists' teams, one module per thing administered: `memberships` (their own
list, and the team on the artist's and the user's pages), `invitations` and `history`.
Importing them registers their pages."""

from portal.teams.admin import history, invitations, memberships

__all__ = ["history", "invitations", "memberships"]
