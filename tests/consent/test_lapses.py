"""The clock changes permissions too: the beat task announces expiries and licence starts."""

import time
from datetime import timedelta

from django.utils import timezone

from portal.consent.models import AnnouncedPermission, Answer, Cause, PermissionChange, Side
from portal.consent.services import lapses_announce
from portal.consent.tasks import announce_lapses
from portal.licensing.models import Licence
from tests.conftest import World, say


def grant_both(world: World, **artist_kwargs: object) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, **artist_kwargs)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)


def test_an_expired_grant_is_announced_as_not_permitted(world: World) -> None:
    grant_both(world, expires_at=timezone.now() + timedelta(milliseconds=300))
    assert PermissionChange.objects.get().permitted is True
    assert lapses_announce() == 0  # not yet
    time.sleep(0.4)
    assert lapses_announce() == 1
    change = PermissionChange.objects.order_by("seq").last()
    assert (change.seq, change.permitted, change.cause) == (2, False, Cause.EXPIRY)
    assert change.reasons == ["artist_expired"]
    assert lapses_announce() == 0  # idempotent


def test_a_licence_that_begins_today_is_announced_as_permitted(world: World) -> None:
    Licence.objects.filter(pk=world.licence.pk).update(
        starts_on=timezone.now().date() + timedelta(days=1)
    )
    grant_both(world)
    assert not AnnouncedPermission.objects.filter(permitted=True).exists()
    Licence.objects.filter(pk=world.licence.pk).update(starts_on=timezone.now().date())
    assert announce_lapses() == 1
    assert PermissionChange.objects.get().permitted is True


def test_a_licence_end_is_announced_the_day_after(world: World) -> None:
    today = timezone.now().date()
    Licence.objects.filter(pk=world.licence.pk).update(ends_on=today)
    grant_both(world)
    permission = AnnouncedPermission.objects.get()
    assert permission.permitted is True
    assert permission.lapses_at is not None and permission.lapses_at.date() == today + timedelta(
        days=1
    )
    AnnouncedPermission.objects.update(lapses_at=timezone.now() - timedelta(seconds=1))
    Licence.objects.filter(pk=world.licence.pk).update(ends_on=today - timedelta(days=1))
    assert lapses_announce() == 1
    assert PermissionChange.objects.order_by("seq").last().reasons == ["licence_ended"]
