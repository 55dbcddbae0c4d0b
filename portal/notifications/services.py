"""Telling people what happened: in-app notifications, and email where they want it."""

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator

from portal.accounts.models import User
from portal.notifications.models import Notification


class NotificationError(ValueError):
    """A notification that cannot be made: a programming error in the caller."""


def _check_url(url: str) -> None:
    # Shown as a link in the portal and in emails: a path of ours, never another site
    # (`//evil.example`) or a `javascript:` URL.
    if url and not (url.startswith("/") and url_has_allowed_host_and_scheme(url, None)):
        raise NotificationError(f"A notification links to a path in the portal, not {url!r}.")


def notify(*, users: Iterable[User], kind: str, message: str, url: str = "") -> int:
    """Notify each distinct user once; returns how many notifications were made.

    Call it inside the transaction that made the news: the notifications commit (or roll
    back) with it, and one task emailing those who want email is enqueued only after
    commit. `kind` is a `Notification.Kind`; `url` a path in the portal ("/…") or "".
    Raises `NotificationError` for an unknown kind, an empty message, an unsaved user or
    a URL outside the portal.
    """
    if kind not in Notification.Kind.values:
        raise NotificationError(f"Unknown notification kind {kind!r}.")
    if not message.strip():
        raise NotificationError("A notification needs a message.")
    _check_url(url)
    recipients: dict[int, User] = {}
    for user in users:
        if user.pk is None:
            raise NotificationError("Only saved users can be notified.")
        recipients.setdefault(user.pk, user)
    if not recipients:
        return 0
    now = timezone.now()
    created = Notification.objects.bulk_create(
        [
            Notification(user_id=pk, kind=kind, message=message, url=url, created_at=now)
            for pk in recipients
        ],
        batch_size=1000,
    )
    ids = [n.pk for n in created]
    # Robust: the caller's transaction has committed by then, so a broker that is down
    # must not turn their success into an error. The notifications are already saved.
    transaction.on_commit(lambda: _enqueue_emails(ids), robust=True)
    return len(created)


def _enqueue_emails(notification_ids: list[int]) -> None:
    # Imported here: tasks depend on services, not the other way round.
    from portal.notifications.tasks import send_notification_emails

    send_notification_emails.delay(notification_ids=notification_ids)


def _absolute(path: str) -> str:
    base = settings.PORTAL_BASE_URL
    return base.rstrip("/") + path


def _subject(message: str) -> str:
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
    # A header cannot hold a line break; the first line says what happened.
    first_line = message.strip().splitlines()[0]
    return prefix + Truncator(first_line).chars(90)


def _body(notification: Notification) -> str:
    link = _absolute(notification.url or reverse("notifications"))
    settings_link = _absolute(reverse("notifications") + "#email")
    return (
        f"{notification.message}\n\n"
        f"See it in the Consent Portal: {link}\n\n"
        f"You get this email because email notifications are on for {notification.user.email}.\n"
        f"Turn them off here: {settings_link}\n"
    )


def notification_emails_send(*, notification_ids: Sequence[int]) -> int:
    """Email each of these notifications whose user wants email and has an address.

    Idempotent: a notification already emailed is skipped, so a retried task sends only
    what did not leave. The preference is read now, not when the news happened, so
    turning email off stops what is still queued. Returns how many emails were sent.
    Raises the backend's error if sending fails; those sent before it stay recorded.
    """
    pending = list(
        Notification.objects.filter(
            pk__in=notification_ids,
            emailed_at__isnull=True,
            user__is_active=True,
            user__email_notifications=True,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    if not pending:
        return 0
    sent: list[int] = []
    try:
        with get_connection() as connection:  # one SMTP session for the whole batch
            for notification in pending:
                send_mail(
                    subject=_subject(notification.message),
                    message=_body(notification),
                    from_email=None,
                    recipient_list=[notification.user.email],
                    connection=connection,
                )
                sent.append(notification.pk)
    finally:
        if sent:
            Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    return len(sent)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications as read: those in `ids`, or all of them.

    Ids of other users' notifications are ignored. Returns how many changed.
    """
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def notification_email_preference_set(*, user: User, enabled: bool) -> None:
    """Whether notifications are also emailed to the user; they are always shown in-app."""
    User.objects.filter(pk=user.pk).update(email_notifications=enabled)
    user.email_notifications = enabled
