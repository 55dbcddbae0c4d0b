"""Staff's work page keeps the label's tallies: a work added, moved to another artist or
label, or deleted is counted where it now belongs."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.catalogue.models import Work
from portal.consent.models import WorkCount
from portal.consent.selectors.tallies import tallies_compare
from tests.conftest import World, logged_in


@pytest.fixture
def staff(world: World) -> Client:
    return logged_in(world.staff)


def held(world: World, artist: object, label: object = None) -> int:
    row = WorkCount.objects.filter(label=label or world.label, artist=artist).first()
    return row.works if row else 0


def form(world: World, **changes: object) -> dict[str, object]:
    return {
        "isrc": "GBAYE2600001",
        "title": "Harbour Lights",
        "primary_artist": world.artist.pk,
        "label": world.label.pk,
        "release_title": "",
        "release_date": "",
        "duration": "",
        "iswc": "",
        "credits-TOTAL_FORMS": "0",
        "credits-INITIAL_FORMS": "0",
        **changes,
    }


def test_a_work_added_moved_and_deleted_by_staff_is_counted(world: World, staff: Client) -> None:
    response = staff.post(reverse("admin:catalogue_work_add"), form(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    work = Work.objects.get(isrc="GBAYE2600001")
    assert held(world, world.artist) == 4
    staff.post(
        reverse("admin:catalogue_work_change", args=[work.pk]),
        form(world, primary_artist=world.other_artist.pk),
    )
    assert (held(world, world.artist), held(world, world.other_artist)) == (3, 2)
    staff.post(
        reverse("admin:catalogue_work_change", args=[work.pk]),
        form(world, primary_artist=world.outsider_artist.pk, label=world.other_label.pk),
    )
    assert held(world, world.other_artist) == 1
    assert held(world, world.outsider_artist, world.other_label) == 2
    staff.post(reverse("admin:catalogue_work_delete", args=[work.pk]), {"post": "yes"})
    assert not Work.objects.filter(pk=work.pk).exists()
    assert held(world, world.outsider_artist, world.other_label) == 1
    assert tallies_compare() is None


def test_works_deleted_from_the_list_are_counted(world: World, staff: Client) -> None:
    ids = [w.pk for w in world.works[:2]]
    staff.post(
        reverse("admin:catalogue_work_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert held(world, world.artist) == 1
    assert tallies_compare() is None


def test_a_work_moved_to_another_artist_loses_the_previous_artists_answers(
    world: World, staff: Client
) -> None:
    from django.core.management import call_command

    from portal.consent.models import (
        NO_ANSWER,
        AnnouncedPermission,
        Answer,
        Decision,
        LedgerEntry,
        PermissionChange,
        Side,
    )
    from tests.conftest import say

    work = world.works[0]
    say(world, Side.ARTIST, Answer.GRANTED, work=work, use=world.training)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work, use=world.training)
    assert AnnouncedPermission.objects.get(work=work).permitted
    response = staff.post(
        reverse("admin:catalogue_work_change", args=[work.pk]),
        form(world, isrc=work.isrc, title=work.title, primary_artist=world.other_artist.pk),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    # Bo Reed never said yes: Ada Lane's answer no longer counts; the label's stands.
    assert list(Decision.objects.filter(work=work).values_list("side", flat=True)) == [
        Side.RIGHTS_HOLDER
    ]
    assert not AnnouncedPermission.objects.get(work=work).permitted
    change = PermissionChange.objects.latest("seq")
    assert (change.work, change.permitted, change.reasons) == (
        work,
        False,
        ["artist_undecided"],
    )
    entry = LedgerEntry.objects.latest("position")
    assert (entry.previous, entry.answer, entry.actor) == (Answer.GRANTED, NO_ANSWER, None)
    assert "credited to another artist" in entry.note
    # Moved to another label too: the label's answer goes as well.
    staff.post(
        reverse("admin:catalogue_work_change", args=[work.pk]),
        form(
            world,
            isrc=work.isrc,
            title=work.title,
            primary_artist=world.outsider_artist.pk,
            label=world.other_label.pk,
        ),
    )
    assert not Decision.objects.filter(work=work).exists()
    assert tallies_compare() is None
    call_command("verify_ledger")
