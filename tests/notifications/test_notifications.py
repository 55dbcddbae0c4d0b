"""notify and its emails: one notification per person, email only after commit and only
to those who want it, and nothing at all when the news rolls back."""

from collections.abc import Iterator
from smtplib import SMTPException
from typing import Any

import factory
import pytest
from django.core import mail
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from config.celery import app as celery_app
from portal.accounts.models import User
from portal.notifications import services
from portal.notifications.context_processors import unread
from portal.notifications.models import Notification
from portal.notifications.services import (
    NotificationError,
    notification_email_preference_set,
    notification_emails_send,
    notifications_mark_read,
    notify,
)
from portal.notifications.tasks import send_notification_emails
from tests import factories as f
from tests.conftest import World

Kind = Notification.Kind


class NotificationFactory(factory.django.DjangoModelFactory):
    """Only for setting up reads; tests of writes go through `notify`."""

    class Meta:
        model = Notification

    user = factory.SubFactory(f.UserFactory)
    kind = Kind.NEW_PRODUCT
    message = factory.Sequence(lambda n: f"Product {n} asks for your catalogue.")
    url = "/"
    created_at = factory.LazyFunction(timezone.now)


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks run in-process, as on `make run`, even when REDIS_URL points at a broker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def tell(users: Any, **kwargs: Any) -> int:
    return notify(
        users=users,
        kind=kwargs.pop("kind", Kind.ACTED_FOR_YOU),
        message=kwargs.pop("message", "Sam Reed (Northern Lights) said yes to training."),
        url=kwargs.pop("url", "/artists/1/"),
        **kwargs,
    )


# --- notify ------------------------------------------------------------------------


def test_notify_makes_one_notification_per_distinct_user(world: World) -> None:
    ada, bo = world.artist_user, world.other_artist_user
    again = User.objects.get(pk=ada.pk)  # the same person, another instance

    assert tell([ada, bo, ada, again]) == 2

    rows = Notification.objects.order_by("user_id")
    assert sorted(n.user_id for n in rows) == sorted([ada.pk, bo.pk])
    assert {(n.kind, n.url, n.read_at, n.emailed_at) for n in rows} == {
        (Kind.ACTED_FOR_YOU, "/artists/1/", None, None)
    }


def test_notify_takes_a_queryset_of_users(world: World) -> None:
    assert tell(User.objects.filter(pk__in=[world.artist_user.pk, world.manager.pk])) == 2


def test_notifying_nobody_makes_nothing_and_sends_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tell([]) == 0
    assert callbacks == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "gossip"},
        {"message": "   "},
        {"url": "https://elsewhere.example/"},
        {"url": "//elsewhere.example/"},
        {"url": "/\\elsewhere.example/"},
        {"url": "javascript:alert(1)"},
        {"url": "artists/1/"},
    ],
)
def test_notify_refuses_what_it_cannot_show_safely(world: World, changes: dict[str, str]) -> None:
    with pytest.raises(NotificationError):
        tell([world.artist_user], **changes)
    assert not Notification.objects.exists()


def test_notify_refuses_an_unsaved_user(db: None) -> None:
    with pytest.raises(NotificationError):
        tell([User(email="nobody@example.test")])


def test_a_link_is_optional(world: World) -> None:
    assert tell([world.artist_user], url="") == 1
    assert Notification.objects.get().url == ""


# --- email, after commit -------------------------------------------------------------


def test_nothing_leaves_before_commit_and_one_task_is_enqueued(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell([world.artist_user, world.other_artist_user, world.manager])

    assert len(callbacks) == 1
    assert mail.outbox == []


def test_after_commit_only_those_who_want_email_get_it(
    world: World, django_capture_on_commit_callbacks: Any, eager_tasks: None
) -> None:
    wants, declined = world.artist_user, world.other_artist_user
    notification_email_preference_set(user=declined, enabled=False)
    left = f.UserFactory(is_active=False)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tell([wants, declined, left], message="Sam Reed said yes to training for you.")

    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [[wants.email]]
    email = mail.outbox[0]
    assert email.subject == "[Consent Portal] Sam Reed said yes to training for you."
    assert "Sam Reed said yes to training for you." in email.body
    assert "http://127.0.0.1:8000/artists/1/" in email.body
    assert "http://127.0.0.1:8000/notifications/#email" in email.body
    # Everyone still sees it in the portal.
    assert Notification.objects.count() == 3
    assert Notification.objects.get(user=wants).emailed_at is not None
    assert Notification.objects.get(user=declined).emailed_at is None


def test_a_rollback_notifies_nobody_and_sends_nothing(
    world: World, django_capture_on_commit_callbacks: Any, eager_tasks: None
) -> None:
    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        tell([world.artist_user])
        raise Boom

    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_the_task_emails_through_the_service(world: World) -> None:
    tell([world.artist_user], url="")
    ids = list(Notification.objects.values_list("pk", flat=True))

    assert send_notification_emails(notification_ids=ids) == 1  # in-process, no worker

    assert len(mail.outbox) == 1
    assert "http://127.0.0.1:8000/notifications/" in mail.outbox[0].body


def test_a_notification_is_emailed_once_however_often_the_task_runs(world: World) -> None:
    tell([world.artist_user, world.manager])
    ids = list(Notification.objects.values_list("pk", flat=True))

    assert notification_emails_send(notification_ids=ids) == 2
    assert notification_emails_send(notification_ids=ids) == 0
    assert len(mail.outbox) == 2


def test_turning_email_off_stops_emails_still_queued(world: World) -> None:
    tell([world.artist_user])
    notification_email_preference_set(user=world.artist_user, enabled=False)

    assert notification_emails_send(notification_ids=[Notification.objects.get().pk]) == 0
    assert mail.outbox == []


def test_a_failed_send_keeps_what_left_and_a_retry_sends_the_rest(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    tell([world.artist_user, world.manager])
    ids = sorted(Notification.objects.values_list("pk", flat=True))
    real_send_mail = services.send_mail

    def flaky(*, recipient_list: list[str], **kwargs: Any) -> int:
        if recipient_list == [world.manager.email]:
            raise SMTPException("the relay is down")
        return real_send_mail(recipient_list=recipient_list, **kwargs)

    monkeypatch.setattr(services, "send_mail", flaky)
    with pytest.raises(SMTPException):
        notification_emails_send(notification_ids=ids)
    assert [m.to for m in mail.outbox] == [[world.artist_user.email]]

    monkeypatch.setattr(services, "send_mail", real_send_mail)
    assert notification_emails_send(notification_ids=ids) == 1
    assert [m.to for m in mail.outbox] == [[world.artist_user.email], [world.manager.email]]


def test_links_use_the_portals_public_address_when_set(world: World, settings: Any) -> None:
    settings.PORTAL_BASE_URL = "https://consent.example/"
    tell([world.artist_user], url="/artists/1/")

    notification_emails_send(notification_ids=[Notification.objects.get().pk])

    assert "https://consent.example/artists/1/" in mail.outbox[0].body


def test_a_long_message_makes_a_short_one_line_subject(world: World) -> None:
    tell([world.artist_user], message="A" * 200 + "\nsecond line")

    notification_emails_send(notification_ids=[Notification.objects.get().pk])

    subject = mail.outbox[0].subject
    assert "\n" not in subject and len(subject) < 120
    assert subject.startswith("[Consent Portal] AAA")


# --- reading ---------------------------------------------------------------------------


def test_marking_read_touches_only_your_own(world: World) -> None:
    mine = NotificationFactory(user=world.artist_user)
    theirs = NotificationFactory(user=world.outsider_user)

    assert notifications_mark_read(user=world.artist_user, ids=[theirs.pk, mine.pk]) == 1

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None


def test_marking_all_read_leaves_others_alone(world: World) -> None:
    NotificationFactory.create_batch(3, user=world.artist_user)
    theirs = NotificationFactory(user=world.outsider_user)

    assert notifications_mark_read(user=world.artist_user) == 3
    assert notifications_mark_read(user=world.artist_user) == 0

    assert not Notification.objects.filter(user=world.artist_user, read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_again_keeps_the_first_time(world: World) -> None:
    mine = NotificationFactory(user=world.artist_user)
    notifications_mark_read(user=world.artist_user, ids=[mine.pk])
    first = Notification.objects.get(pk=mine.pk).read_at

    assert notifications_mark_read(user=world.artist_user, ids=[mine.pk]) == 0
    assert Notification.objects.get(pk=mine.pk).read_at == first


# --- the unread count ---------------------------------------------------------------------


def test_the_unread_count_is_one_query_for_a_signed_in_user(
    world: World, django_assert_num_queries: Any
) -> None:
    NotificationFactory.create_batch(2, user=world.artist_user)
    NotificationFactory(user=world.artist_user, read_at=timezone.now())
    NotificationFactory(user=world.outsider_user)
    request = RequestFactory().get("/")
    request.user = world.artist_user

    with django_assert_num_queries(1):
        assert unread(request) == {"unread_notifications": 2}


def test_an_anonymous_visitor_has_no_count(db: None) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    assert unread(request) == {}
