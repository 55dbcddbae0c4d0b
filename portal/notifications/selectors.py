"""Reads for notifications. Everything is scoped to one user: nobody sees another's."""

from django.db.models import QuerySet

from portal.accounts.models import User
from portal.notifications.models import Notification


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(*, user: User) -> int:
    """How many of the user's notifications are unread: one indexed count."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
