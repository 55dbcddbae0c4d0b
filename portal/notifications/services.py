"""Telling people what happened: in-app notifications, and email where they want it."""

from collections.abc import Iterable

from portal.accounts.models import User


def notify(*, users: Iterable[User], kind: str, message: str, url: str = "") -> int:
    """Notify each user once; emails leave after commit. Returns how many were notified."""
    return 0
