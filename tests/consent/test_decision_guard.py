"""Whoever calls the consent write path, only those entitled to a side answer it.

Views scope their lookups already; `decisions_set` holds the rule for every other path
too: the artist side takes a deciding role on each work's artist team, or a delegation
in force from a label the actor manages that covers each work; the rights-holder side
takes managing each work's label. Refused means nothing written.
"""

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse

from portal.catalogue.models import ArtistMembership, Work
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    Decision,
    Delegation,
    LedgerEntry,
    PermissionChange,
    Side,
)
from portal.consent.services import (
    ConsentError,
    Outcome,
    decisions_set,
    delegation_grant,
    entitlement,
    grants_withdraw_all,
)
from tests import factories as f
from tests.conftest import World, logged_in

Role = ArtistMembership.Role


def written() -> tuple[int, int, int, int]:
    return (
        Decision.objects.count(),
        LedgerEntry.objects.count(),
        AnnouncedPermission.objects.count(),
        PermissionChange.objects.count(),
    )


def answer(
    world: World,
    actor: object,
    side: str,
    works: QuerySet[Work],
    delegation: Delegation | None = None,
) -> Outcome:
    return decisions_set(
        actor=actor,  # type: ignore[arg-type]
        product=world.product,
        use_type=world.training,
        side=side,
        answer=Answer.GRANTED,
        works=works,
        delegation=delegation,
    )


def adas_works(world: World) -> QuerySet[Work]:
    return Work.objects.filter(primary_artist=world.artist)


@pytest.fixture
def ada_elsewhere(world: World) -> Work:
    """Ada's recording whose master another label holds (licensed to the product too)."""
    return f.WorkFactory(primary_artist=world.artist, label=world.other_label, title="Away")


# --- the artist side -----------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["manager", "other_manager", "other_artist_user", "outsider_user", "staff"]
)
def test_only_the_artists_team_answers_the_artist_side(world: World, who: str) -> None:
    with pytest.raises(ConsentError, match="only as an admin or editor of their team"):
        answer(world, getattr(world, who), Side.ARTIST, adas_works(world))
    assert written() == (0, 0, 0, 0)


def test_a_reader_cannot_answer_even_through_the_service(world: World) -> None:
    reader = f.ArtistMembershipFactory(artist=world.artist, role=Role.READER).user
    with pytest.raises(ConsentError):
        answer(world, reader, Side.ARTIST, adas_works(world))
    assert written() == (0, 0, 0, 0)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR])
def test_admins_and_editors_answer_the_artist_side(world: World, role: str) -> None:
    member = f.ArtistMembershipFactory(artist=world.artist, role=role).user
    assert answer(world, member, Side.ARTIST, adas_works(world)).changed == 3


def test_one_work_out_of_reach_refuses_the_whole_bulk_answer(world: World) -> None:
    everything = Work.objects.filter(label=world.label)  # Ada's and Bo's
    with pytest.raises(ConsentError):
        answer(world, world.artist_user, Side.ARTIST, everything)
    assert written() == (0, 0, 0, 0)


# --- the rights-holder side ----------------------------------------------------------


@pytest.mark.parametrize("who", ["artist_user", "other_manager", "staff"])
def test_only_the_labels_managers_answer_the_rights_holder_side(world: World, who: str) -> None:
    with pytest.raises(ConsentError, match="only as one of its managers"):
        answer(world, getattr(world, who), Side.RIGHTS_HOLDER, adas_works(world))
    assert written() == (0, 0, 0, 0)


def test_a_manager_cannot_answer_for_works_another_label_holds(
    world: World, ada_elsewhere: Work
) -> None:
    with pytest.raises(ConsentError):
        answer(world, world.manager, Side.RIGHTS_HOLDER, adas_works(world))
    assert written() == (0, 0, 0, 0)
    assert (
        answer(
            world,
            world.other_manager,
            Side.RIGHTS_HOLDER,
            adas_works(world).filter(label=world.other_label),
        ).changed
        == 1
    )


# --- under a delegation --------------------------------------------------------------


def test_a_delegation_never_reaches_the_artists_work_on_another_label(
    world: World, ada_elsewhere: Work
) -> None:
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    for actor in (world.manager, None):  # whoever acts, the portal itself included
        with pytest.raises(ConsentError, match="covers only their works on Northern Lights"):
            answer(world, actor, Side.ARTIST, adas_works(world), delegation)
    assert written() == (0, 0, 0, 0)
    on_the_label = adas_works(world).filter(label=world.label)
    assert answer(world, world.manager, Side.ARTIST, on_the_label, delegation).changed == 3


def test_a_delegation_never_reaches_another_artists_work(world: World) -> None:
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    with pytest.raises(ConsentError):
        answer(
            world, world.manager, Side.ARTIST, Work.objects.filter(label=world.label), delegation
        )
    assert written() == (0, 0, 0, 0)


@pytest.mark.parametrize("who", ["other_manager", "other_artist_user", "staff"])
def test_only_the_delegated_labels_managers_act_under_it(world: World, who: str) -> None:
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    with pytest.raises(ConsentError, match="Only the managers of Northern Lights Records"):
        answer(world, getattr(world, who), Side.ARTIST, adas_works(world), delegation)
    assert written() == (0, 0, 0, 0)


def test_a_delegation_never_answers_the_rights_holder_side(world: World) -> None:
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    with pytest.raises(ConsentError, match="artist side only"):
        answer(world, world.manager, Side.RIGHTS_HOLDER, adas_works(world), delegation)
    assert written() == (0, 0, 0, 0)


def test_under_a_delegation_a_manager_cannot_decide_the_artists_work_on_another_label(
    world: World, ada_elsewhere: Work
) -> None:
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    client = logged_in(world.manager)
    kwargs = {"kind": "delegations", "party_id": delegation.pk, "product_slug": "tunesmith"}
    matrix = client.get(reverse("matrix", kwargs=kwargs)).content.decode()
    assert "Night Drive 0" in matrix and "Away" not in matrix

    response = client.post(
        reverse("decide", kwargs={**kwargs, "work_id": ada_elsewhere.pk}),
        {"use": "training", "answer": "granted"},
    )
    assert response.status_code == 404
    assert written() == (0, 0, 0, 0)

    # "All works" under the delegation are the works on the delegated label.
    response = client.post(
        reverse("bulk", kwargs=kwargs),
        {"use": "training", "scope": "all", "answer": "granted", "confirm": "1"},
    )
    assert response.status_code == 302
    decided = set(Decision.objects.values_list("work_id", flat=True))
    assert decided == {w.pk for w in world.works}


# --- the portal itself, and stop everything -----------------------------------------


def test_the_portal_itself_answers_either_side(world: World) -> None:
    """Imports and the demo act as nobody in particular (`actor=None`)."""
    assert answer(world, None, Side.ARTIST, adas_works(world)).changed == 3
    assert answer(world, None, Side.RIGHTS_HOLDER, adas_works(world)).flipped == 3


@pytest.mark.parametrize("who", ["reader", "manager"])
def test_only_admins_and_editors_stop_everything(world: World, who: str) -> None:
    answer(world, world.artist_user, Side.ARTIST, adas_works(world))
    before = written()
    actor = (
        f.ArtistMembershipFactory(artist=world.artist, role=Role.READER).user
        if who == "reader"
        else world.manager
    )
    with pytest.raises(ConsentError, match="admins and editors can stop everything"):
        grants_withdraw_all(actor=actor, artist=world.artist)
    assert written() == before


# --- cost ---------------------------------------------------------------------------


def test_the_check_is_a_few_queries_whatever_the_number_of_works(
    world: World, django_assert_num_queries
) -> None:
    """The rows it relies on are locked and read (one query) and the works checked (one
    query); on PostgreSQL the actor's row is locked first (one more)."""
    works = f.bulk_works(label=world.label, n=500, start=80000)
    f.ArtistMembershipFactory(artist=works[0].primary_artist, user=world.artist_user)
    many = Work.objects.filter(primary_artist__in=[world.artist, works[0].primary_artist])
    actor_lock = 1 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(2 + actor_lock):
        entitlement.entitlement_check(
            actor=world.artist_user, side=Side.ARTIST, works=many, delegation=None
        )
    with django_assert_num_queries(2 + actor_lock):
        entitlement.entitlement_check(
            actor=world.manager, side=Side.RIGHTS_HOLDER, works=many, delegation=None
        )
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    with django_assert_num_queries(2 + actor_lock):
        entitlement.entitlement_check(
            actor=world.manager, side=Side.ARTIST, works=adas_works(world), delegation=delegation
        )
