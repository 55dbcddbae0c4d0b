"""`manage.py verify_tallies`: agrees, names the first difference, repairs it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from portal.consent.models import Answer, Side, Tally, WorkCount
from tests.conftest import World, say


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_tallies", *args, stdout=out)
    return out.getvalue()


def test_tallies_kept_by_the_write_path_verify(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    assert "agree with a recount" in verify()
    assert "agree with a recount" in verify("--label", str(world.label.pk))


def test_a_difference_is_named_and_repaired(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    Tally.objects.filter(artist=world.artist, use_type=world.training).update(permitted=5)
    with pytest.raises(CommandError) as error:
        verify("--label", str(world.label.pk))
    assert f"artist {world.artist.pk}" in str(error.value)
    assert "permitted is 5, recounted 1" in str(error.value)
    assert "rewritten from a recount" in verify("--label", str(world.label.pk), "--repair")
    assert Tally.objects.get(artist=world.artist, use_type=world.training).permitted == 1
    assert "agree with a recount" in verify()


def test_a_lost_work_count_is_found(world: World) -> None:
    WorkCount.objects.filter(artist=world.other_artist).delete()
    with pytest.raises(CommandError, match="0 works counted, 1 held"):
        verify()
    verify("--repair")
    assert WorkCount.objects.get(artist=world.other_artist).works == 1


def test_an_unknown_label_is_refused(world: World) -> None:
    with pytest.raises(CommandError, match="No label has the id 0"):
        verify("--label", "0")


def test_the_migration_counts_what_was_there_before_tallies(world: World) -> None:
    from importlib import import_module
    from types import SimpleNamespace

    from django.db import connection

    from portal.consent.selectors.tallies import tallies_compare

    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    say(world, Side.ARTIST, Answer.DENIED, world.works[1])
    Tally.objects.all().delete()
    WorkCount.objects.all().delete()
    migration = import_module("portal.consent.migrations.0010_tallies")
    migration.count_what_is_there(None, SimpleNamespace(connection=connection))
    assert Tally.objects.get(artist=world.artist, use_type=world.training).permitted == 1
    assert tallies_compare() is None
