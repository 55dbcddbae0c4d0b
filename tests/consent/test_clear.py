"""Taking an answer back to "no answer": no decision is kept, the ledger records it, the
permission it allowed stops at once and the change is announced."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from portal.consent.models import (
    NO_ANSWER,
    Answer,
    Decision,
    LedgerEntry,
    PermissionChange,
    Side,
    Tally,
)
from portal.consent.rules import Reason
from portal.consent.services import ConsentError
from portal.receipts.signing import decision_of
from tests.conftest import World, logged_in
from tests.consent.test_decision_set import decide, is_permitted
from tests.consent.test_views import decide_url, matrix_url

pytestmark = pytest.mark.django_db


def test_clearing_a_yes_stops_the_use_and_is_recorded(world: World) -> None:
    decide(world, Side.ARTIST)
    decide(world, Side.RIGHTS_HOLDER)
    assert is_permitted(world)
    outcome = decide(world, Side.ARTIST, NO_ANSWER)
    assert (outcome.changed, outcome.flipped) == (1, 1)
    assert not Decision.objects.filter(side=Side.ARTIST).exists()
    assert not is_permitted(world)
    entry = LedgerEntry.objects.latest("position")
    assert (entry.previous, entry.answer) == (Answer.GRANTED, NO_ANSWER)
    assert decision_of(entry) == "withdrawn"
    change = PermissionChange.objects.latest("seq")
    assert change.permitted is False
    assert change.reasons == [Reason.ARTIST_UNDECIDED]
    # Counted as waiting again: the label's yes with no answer of the artist's.
    tally = Tally.objects.get(artist=world.artist, use_type=world.training)
    assert (tally.yes_yes, tally.none_yes, tally.permitted) == (0, 1, 0)
    call_command("verify_ledger")
    call_command("verify_tallies")


def test_clearing_nothing_writes_nothing(world: World) -> None:
    before = LedgerEntry.objects.count()
    assert decide(world, Side.ARTIST, NO_ANSWER).changed == 0
    decide(world, Side.ARTIST, Answer.DENIED)
    decide(world, Side.ARTIST, NO_ANSWER)
    assert decide(world, Side.ARTIST, NO_ANSWER).unchanged == 1
    assert LedgerEntry.objects.count() == before + 2


def test_an_answer_taken_back_has_no_expiry(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    with pytest.raises(ConsentError):
        decide(world, Side.ARTIST, NO_ANSWER, expires_at=timezone.now() + timedelta(days=3))


def test_the_cell_clears_through_the_form(world: World, artist_client: Client) -> None:
    work = world.works[0]
    decide(world, Side.ARTIST, Answer.DENIED)
    page = artist_client.get(matrix_url(world)).content.decode()
    assert f'aria-label="Training for {work.title}: clear the answer"' in page
    response = artist_client.post(
        decide_url(world, work.pk), {"use": "training", "answer": "none"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Cleared: Training for {work.title} has no answer by you." in body
    # Nothing to clear now: the button goes.
    assert "clear the answer" not in body
    assert not Decision.objects.filter(work=work, side=Side.ARTIST).exists()
    history = artist_client.get(reverse("work_history", args=[work.pk])).content.decode()
    assert "No → no answer" in history


def test_a_reader_cannot_clear(world: World) -> None:
    from tests import factories as f

    decide(world, Side.ARTIST, Answer.DENIED)
    reader = f.ArtistMembershipFactory(artist=world.artist, role="reader").user
    logged_in(reader).post(
        decide_url(world, world.works[0].pk), {"use": "training", "answer": "none"}
    )
    assert Decision.objects.filter(side=Side.ARTIST).exists()


def test_another_artists_work_cannot_be_cleared(world: World) -> None:
    outsider_work = world.outsider_works[0]
    response = logged_in(world.artist_user).post(
        decide_url(world, outsider_work.pk), {"use": "training", "answer": "none"}
    )
    assert response.status_code == 404


def test_a_label_takes_its_answer_back(world: World, manager_client: Client) -> None:
    decide(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    response = manager_client.post(
        decide_url(world, world.works[0].pk, kind="labels"), {"use": "training", "answer": "none"}
    )
    assert response.status_code == 302
    assert not Decision.objects.filter(side=Side.RIGHTS_HOLDER).exists()
    assert LedgerEntry.objects.latest("position").answer == NO_ANSWER
