"""Roles that make a second factor compulsory, as the apps that define them register them.

Accounts knows staff. The apps built on it know their own roles (catalogue: a label's
managers, who decide for whole rosters) and register, when ready, who holds each; the
two-factor gate (`middleware.RequireMfaMiddleware`) asks them all in one query.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

# Given a user's id, the rows that exist while the user holds the role.
RoleHolding = Callable[[int], QuerySet[Any]]

_roles: list[RoleHolding] = []


def second_factor_required_for(holding: RoleHolding) -> None:
    """Require a second factor of whoever `holding` finds rows for (registering the same
    one again changes nothing)."""
    if holding not in _roles:
        _roles.append(holding)


def roles_requiring_second_factor() -> list[RoleHolding]:
    return list(_roles)
