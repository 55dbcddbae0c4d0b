"""decisions_set: one party's answer for many works at once."""

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from portal.catalogue.models import Work
from portal.consent import ledger
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    Decision,
    LedgerEntry,
    LedgerHead,
    PermissionChange,
    Side,
)
from portal.consent.services import ConsentError, Outcome, decision_set, decisions, decisions_set
from portal.licensing.models import UseType
from tests import factories as f
from tests.conftest import World

# Far from the factories' sequence, so bulk-made works never collide with theirs.
FIRST_ISRC = 60000


def many_works(world: World, n: int, start: int = FIRST_ISRC) -> QuerySet[Work]:
    works = f.bulk_works(label=world.label, n=n, start=start)
    # Ada's user is on the new artist's team too, so answers the artist side for it.
    f.ArtistMembershipFactory(artist=works[0].primary_artist, user=world.artist_user)
    return Work.objects.filter(primary_artist=works[0].primary_artist)


def bulk(
    world: World,
    works: QuerySet[Work],
    side: str,
    answer: str = Answer.GRANTED,
    use: UseType | None = None,
) -> Outcome:
    return decisions_set(
        actor=world.artist_user if side == Side.ARTIST else world.manager,
        product=world.product,
        use_type=use or world.training,
        side=side,
        answer=answer,
        works=works,
    )


def test_a_bulk_grant_records_every_work_with_one_ledger_entry_each(world: World) -> None:
    works = many_works(world, 12)

    outcome = bulk(world, works, Side.RIGHTS_HOLDER)

    assert outcome == Outcome(changed=12)
    assert Decision.objects.filter(side=Side.RIGHTS_HOLDER, answer=Answer.GRANTED).count() == 12
    assert list(LedgerEntry.objects.values_list("position", flat=True)) == list(range(1, 13))
    assert ledger.verify() == (12, None)


def test_a_bulk_grant_permits_where_the_other_side_already_granted(world: World) -> None:
    works = many_works(world, 6)
    granted_by_artist = list(works.order_by("pk")[:4])
    for work in granted_by_artist:
        decision_set(
            actor=world.artist_user,
            product=world.product,
            work=work,
            use_type=world.training,
            side=Side.ARTIST,
            answer=Answer.GRANTED,
        )

    outcome = bulk(world, works, Side.RIGHTS_HOLDER)

    assert outcome == Outcome(changed=6, flipped=4)
    assert set(
        AnnouncedPermission.objects.filter(permitted=True).values_list("work_id", flat=True)
    ) == {w.pk for w in granted_by_artist}
    assert list(PermissionChange.objects.values_list("seq", flat=True)) == [1, 2, 3, 4]


def test_a_bulk_answer_skips_the_works_already_so_answered(world: World) -> None:
    works = many_works(world, 5)
    bulk(world, works.filter(pk__in=works.order_by("pk").values("pk")[:2]), Side.RIGHTS_HOLDER)

    outcome = bulk(world, works, Side.RIGHTS_HOLDER)

    assert outcome == Outcome(changed=3, unchanged=2)
    assert LedgerEntry.objects.count() == 5


def test_the_same_bulk_answer_twice_writes_nothing(world: World) -> None:
    works = many_works(world, 5)
    bulk(world, works, Side.ARTIST)
    bulk(world, works, Side.RIGHTS_HOLDER)

    assert bulk(world, works, Side.RIGHTS_HOLDER) == Outcome(unchanged=5)
    assert LedgerEntry.objects.count() == 10
    assert PermissionChange.objects.count() == 5


def test_a_bulk_denial_flips_every_permitted_work_back(world: World) -> None:
    works = many_works(world, 5)
    bulk(world, works, Side.ARTIST)
    bulk(world, works, Side.RIGHTS_HOLDER)

    outcome = bulk(world, works, Side.RIGHTS_HOLDER, Answer.DENIED)

    assert outcome == Outcome(changed=5, flipped=5)
    assert not AnnouncedPermission.objects.filter(permitted=True).exists()
    assert list(PermissionChange.objects.values_list("seq", flat=True)) == list(range(1, 11))


def test_bulk_ledger_entries_name_each_works_own_artist(world: World) -> None:
    f.ArtistMembershipFactory(artist=world.other_artist, user=world.artist_user)
    bulk(world, Work.objects.filter(label=world.label), Side.RIGHTS_HOLDER)
    bulk(world, Work.objects.filter(label=world.label), Side.ARTIST)

    artist_side = LedgerEntry.objects.filter(side=Side.ARTIST)
    assert sorted(artist_side.values_list("acting_for", flat=True)) == [
        "Ada Lane",
        "Ada Lane",
        "Ada Lane",
        "Bo Reed",
    ]
    assert set(
        LedgerEntry.objects.filter(side=Side.RIGHTS_HOLDER).values_list("acting_for", flat=True)
    ) == {"Northern Lights Records"}


def test_a_bulk_answer_for_a_use_not_requested_raises_and_writes_nothing(world: World) -> None:
    works = many_works(world, 3)

    with pytest.raises(ConsentError):
        bulk(world, works, Side.RIGHTS_HOLDER, use=world.lyrics)

    assert not Decision.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_a_bulk_answer_is_all_or_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    works = many_works(world, 5)
    bulk(world, works, Side.ARTIST)

    def fail(**kwargs: object) -> int:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(decisions, "changes_announce", fail)
    with pytest.raises(RuntimeError):
        bulk(world, works, Side.RIGHTS_HOLDER)

    assert not Decision.objects.filter(side=Side.RIGHTS_HOLDER).exists()
    assert LedgerEntry.objects.count() == 5
    assert LedgerHead.objects.get().position == 5
    assert ledger.verify() == (5, None)


def test_a_bulk_answer_over_several_chunks_keeps_one_unbroken_chain(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decisions, "CHUNK", 4)
    monkeypatch.setattr(decisions.chunks, "__defaults__", (4,))
    works = many_works(world, 11)
    bulk(world, works, Side.ARTIST)

    outcome = bulk(world, works, Side.RIGHTS_HOLDER)

    assert outcome == Outcome(changed=11, flipped=11)
    assert ledger.verify() == (22, None)
    assert list(PermissionChange.objects.values_list("seq", flat=True)) == list(range(1, 12))


def queries_to_grant(world: World, works: QuerySet[Work]) -> int:
    with CaptureQueriesContext(connection) as context:
        outcome = bulk(world, works, Side.RIGHTS_HOLDER)
    assert outcome.flipped == works.count()
    return len(context)


def test_the_number_of_queries_does_not_grow_with_the_number_of_works(
    world: World, django_assert_max_num_queries: object
) -> None:
    few = many_works(world, 10, start=FIRST_ISRC)
    lots = many_works(world, 200, start=FIRST_ISRC + 1000)
    bulk(world, few, Side.ARTIST)
    bulk(world, lots, Side.ARTIST)
    # SQLite takes at most 999 parameters a statement, so Django splits each of the four
    # bulk inserts into batches of some 60 rows: a few more statements, never one a work.
    slack = 4 * (200 // 60) if connection.vendor == "sqlite" else 0

    for_few = queries_to_grant(world, few)

    with django_assert_max_num_queries(for_few + slack):  # type: ignore[operator]
        outcome = bulk(world, lots, Side.RIGHTS_HOLDER)
    assert outcome == Outcome(changed=200, flipped=200)
    assert ledger.verify() == (420, None)
