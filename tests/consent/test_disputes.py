"""A work disputed by its artist's team or its label: not permitted for every use with the
reason `work_disputed`, announced and numbered like any other flip, the parties and staff
told once each, every step a link of the ledger's chain; staff reject it (back to the
answers) or uphold it (after correcting the work)."""

import pgtrigger
import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from portal.api.services import api_key_issue
from portal.catalogue.models import ArtistMembership, Credit, Work
from portal.consent import ledger
from portal.consent.facts import verdicts_for_pairs
from portal.consent.models import (
    Answer,
    Cause,
    Dispute,
    DisputeEvent,
    DisputeLedgerEntry,
    DisputeReason,
    PermissionChange,
    Side,
)
from portal.consent.rules import Reason, SideAnswer, evaluate
from portal.consent.services import (
    ConsentError,
    dispute_close,
    dispute_raise,
    works_withdraw,
)
from portal.consent.wording import explain
from portal.licensing.models import Product
from portal.notifications.models import Notification
from tests import factories as f
from tests.conftest import World, say

NOTE = "This is a cover by another band; ours is on the 2019 album."


def permit(world: World, work: Work) -> None:
    for use in (world.training, world.style):
        say(world, Side.ARTIST, Answer.GRANTED, work=work, use=use)
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work, use=use)


def check(world: World, work: Work, use: str = "training") -> dict[str, object]:
    """The API check's answer, as the product asks it."""
    key = api_key_issue(product=world.product, name="tests")[1]
    response = Client(headers={"Authorization": f"Bearer {key}"}).get(
        "/api/v1/permissions/check", {"isrc": work.isrc, "use": use}
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def bulk_check(world: World, works: list[Work]) -> list[dict[str, object]]:
    key = api_key_issue(product=world.product, name="bulk")[1]
    items = [{"isrc": w.isrc, "use": u} for w in works for u in ("training", "style_generation")]
    response = Client(headers={"Authorization": f"Bearer {key}"}).post(
        "/api/v1/permissions/check", {"items": items}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


def raise_as_label(world: World, work: Work, reason: str = DisputeReason.WRONG_CREDITS) -> Dispute:
    return dispute_raise(actor=world.manager, work=work, reason=reason, note=NOTE).dispute


def test_the_rule_names_a_disputed_work_and_permits_nothing() -> None:
    yes = SideAnswer(Answer.GRANTED, None)
    verdict = evaluate(
        product_status=Product.Status.ACTIVE,
        requested=True,
        terms=[],
        use_type_id=1,
        artist=yes,
        rights_holder=yes,
        now=timezone.now(),
        disputed=True,
    )
    assert not verdict.permitted
    assert Reason.WORK_DISPUTED in verdict.reasons
    assert Reason.WORK_DISPUTED.label == "this recording is under dispute"


def test_a_dispute_stops_every_use_announces_each_flip_and_the_api_says_why(
    world: World,
) -> None:
    work = world.works[0]
    permit(world, work)
    before = PermissionChange.objects.filter(product=world.product).latest("seq").seq

    outcome = dispute_raise(
        actor=world.artist_user, work=work, reason=DisputeReason.NOT_MY_RECORDING, note=NOTE
    )

    assert outcome.flipped == 2
    changes = list(PermissionChange.objects.filter(product=world.product, seq__gt=before))
    assert [c.seq for c in changes] == [before + 1, before + 2]
    assert {(c.work_id, c.permitted, c.cause) for c in changes} == {(work.pk, False, Cause.DISPUTE)}
    assert all(c.reasons == [Reason.WORK_DISPUTED] for c in changes)
    for use in ("training", "style_generation"):
        answer = check(world, work, use)
        assert (answer["permitted"], answer["reasons"]) == (False, ["work_disputed"])
        assert answer["version"] == before + 2
    # The bulk check reads the same, and a work never permitted names it too.
    never = world.works[1]
    dispute_raise(actor=world.manager, work=never, reason=DisputeReason.WRONG_LABEL, note=NOTE)
    for result in bulk_check(world, [work, never]):
        assert result["permitted"] is False
        assert "work_disputed" in result["reasons"]  # type: ignore[operator]
    work.refresh_from_db()
    assert work.disputed_at == outcome.dispute.raised_at
    assert ledger.verify()[1] is None


def test_the_parties_and_staff_are_told_once_each_with_a_link_to_the_history(
    world: World,
) -> None:
    work = world.works[0]
    # Someone on the team who also manages the label is told once.
    f.ArtistMembershipFactory(
        artist=world.artist, user=world.manager, role=ArtistMembership.Role.READER
    )
    editor = f.ArtistMembershipFactory(artist=world.artist, role=ArtistMembership.Role.EDITOR).user

    raise_as_label(world, work)

    told = Notification.objects.filter(kind=Notification.Kind.DISPUTE)
    assert sorted(told.values_list("user_id", flat=True)) == sorted(
        [world.artist_user.pk, editor.pk, world.manager.pk, world.staff.pk]
    )
    assert {n.url for n in told} == {f"/works/{work.pk}/history/"}
    message = told.first().message  # type: ignore[union-attr]
    assert "Northern Lights Records" in message and "wrong credits" in message
    # Nobody of another artist or label hears of it.
    assert not told.filter(
        user__in=[world.other_artist_user, world.outsider_user, world.other_manager]
    ).exists()


def test_rejecting_it_permits_again_as_before_and_announces_the_flips_back(
    world: World,
) -> None:
    work = world.works[0]
    permit(world, work)
    dispute = raise_as_label(world, work)
    disputed_seq = PermissionChange.objects.filter(product=world.product).latest("seq").seq

    outcome = dispute_close(actor=world.staff, dispute=dispute, upheld=False, note="Checked.")

    assert outcome.flipped == 2
    back = list(PermissionChange.objects.filter(product=world.product, seq__gt=disputed_seq))
    assert [(c.seq, c.permitted, c.cause) for c in back] == [
        (disputed_seq + 1, True, Cause.DISPUTE),
        (disputed_seq + 2, True, Cause.DISPUTE),
    ]
    assert check(world, work)["permitted"] is True
    work.refresh_from_db()
    assert work.disputed_at is None
    dispute.refresh_from_db()
    assert (dispute.status, dispute.closed_by, dispute.closing_note) == (
        Dispute.Status.REJECTED,
        world.staff,
        "Checked.",
    )
    steps = DisputeLedgerEntry.objects.filter(dispute=dispute).order_by("position")
    assert [s.event for s in steps] == [DisputeEvent.RAISED, DisputeEvent.REJECTED]
    assert ledger.verify()[1] is None


def test_upholding_after_a_correction_permits_by_the_answers_again(world: World) -> None:
    """The credits were wrong: staff correct them on the work's page, then uphold. The
    answers stand, so what they permitted is permitted again, announced."""
    work = world.works[0]
    permit(world, work)
    wrong = f.CreditFactory(work=work, name="Someone Else", role=Credit.Role.PERFORMER)
    dispute = raise_as_label(world, work, DisputeReason.WRONG_CREDITS)
    assert check(world, work)["permitted"] is False
    Credit.objects.filter(pk=wrong.pk).update(name="Ada Lane")

    outcome = dispute_close(actor=world.staff, dispute=dispute, upheld=True, note="Fixed.")

    assert outcome.flipped == 2
    assert check(world, work)["permitted"] is True
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.UPHELD
    assert list(
        DisputeLedgerEntry.objects.filter(dispute=dispute).values_list("event", "note")
    ) == [(DisputeEvent.RAISED, NOTE), (DisputeEvent.UPHELD, "Fixed.")]
    assert ledger.verify()[1] is None


def test_upholding_a_withdrawn_work_leaves_it_withdrawn(world: World) -> None:
    work = world.works[0]
    permit(world, work)
    dispute = raise_as_label(world, work, DisputeReason.NOT_MY_RECORDING)
    works_withdraw(work_ids=[work.pk])

    assert dispute_close(actor=world.staff, dispute=dispute, upheld=True).flipped == 0

    answer = check(world, work)
    assert (answer["permitted"], answer["reasons"]) == (False, ["work_withdrawn"])


def test_a_second_dispute_while_one_is_open_is_refused_and_writes_nothing(
    world: World,
) -> None:
    work = world.works[0]
    raise_as_label(world, work)
    entries = DisputeLedgerEntry.objects.count()

    with pytest.raises(ConsentError, match="under dispute already"):
        dispute_raise(
            actor=world.artist_user, work=work, reason=DisputeReason.WRONG_ARTIST, note=NOTE
        )

    assert Dispute.objects.count() == 1
    assert DisputeLedgerEntry.objects.count() == entries
    assert Notification.objects.filter(kind=Notification.Kind.DISPUTE).count() == 3


def test_the_database_holds_one_open_dispute_per_work(world: World) -> None:
    work = world.works[0]
    first = raise_as_label(world, work)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispute.objects.create(
            work=work,
            reason=DisputeReason.WRONG_ARTIST,
            note=NOTE,
            side=Side.ARTIST,
            raised_by=world.artist_user,
            raised_at=timezone.now(),
        )
    # Once closed, the work can be disputed again.
    dispute_close(actor=world.staff, dispute=first, upheld=False)
    assert raise_as_label(world, work).pk != first.pk
    assert ledger.verify()[1] is None


@pytest.mark.parametrize(
    ("reason", "note", "said"),
    [
        ("", NOTE, "Choose what is wrong"),
        ("bad_vibes", NOTE, "Choose what is wrong"),
        (DisputeReason.WRONG_CREDITS, "   ", "Say what is wrong"),
        (DisputeReason.WRONG_CREDITS, "x" * 1001, "1,000 characters"),
        (DisputeReason.WRONG_CREDITS, "bad \x07 bell", "control character"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(
    world: World, reason: str, note: str, said: str
) -> None:
    with pytest.raises(ConsentError, match=said):
        dispute_raise(actor=world.manager, work=world.works[0], reason=reason, note=note)
    assert not Dispute.objects.exists()
    assert not DisputeLedgerEntry.objects.exists()


def test_only_the_teams_admins_and_the_labels_managers_may_dispute(world: World) -> None:
    work = world.works[0]
    editor = f.ArtistMembershipFactory(artist=world.artist, role=ArtistMembership.Role.EDITOR).user
    for outsider in (editor, world.other_artist_user, world.outsider_user, world.other_manager):
        with pytest.raises(ConsentError, match="Only the admins of Ada Lane's team"):
            dispute_raise(actor=outsider, work=work, reason=DisputeReason.WRONG_CREDITS, note=NOTE)
    assert not Dispute.objects.exists()
    with pytest.raises(ConsentError, match="Only staff"):
        dispute_close(actor=world.manager, dispute=raise_as_label(world, work), upheld=False)


def test_closing_twice_is_refused(world: World) -> None:
    dispute = raise_as_label(world, world.works[0])
    dispute_close(actor=world.staff, dispute=dispute, upheld=False)
    with pytest.raises(ConsentError, match="rejected already"):
        dispute_close(actor=world.staff, dispute=dispute, upheld=True)


def test_the_cell_says_it_in_words(world: World) -> None:
    work = world.works[0]
    permit(world, work)
    raise_as_label(world, work)
    verdict = verdicts_for_pairs(
        product=world.product,
        pairs=[(work.pk, world.training.pk)],
        labels={work.pk: work.label_id},
        now=timezone.now(),
    )[(work.pk, world.training.pk)]
    words = explain(
        verdict, side=Side.ARTIST, product=world.product, work=work, label_name="Northern Lights"
    )
    assert words == "Not permitted: this recording is under dispute"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
def test_the_chain_finds_a_dispute_changed_or_reopened_outside_it(world: World) -> None:
    work = world.works[0]
    dispute = raise_as_label(world, work)
    closed_at = dispute_close(actor=world.staff, dispute=dispute, upheld=False).dispute.closed_at
    assert ledger.verify()[1] is None

    Dispute.objects.filter(pk=dispute.pk).update(
        status=Dispute.Status.OPEN, closed_at=None, closed_by=None
    )
    assert "reopened outside it" in ledger.verify()[1].problem  # type: ignore[union-attr]
    Dispute.objects.filter(pk=dispute.pk).update(
        status=Dispute.Status.REJECTED, closed_at=closed_at, closed_by=world.staff
    )
    assert ledger.verify()[1] is None
    Work.objects.filter(pk=work.pk).update(disputed_at=timezone.now())
    assert "marked disputed" in ledger.verify()[1].problem  # type: ignore[union-attr]
    with pytest.raises(Exception, match="pgtrigger"), transaction.atomic():
        DisputeLedgerEntry.objects.filter(dispute=dispute).update(note="nothing")
    with pgtrigger.ignore("consent.DisputeLedgerEntry:dispute_ledger_append_only"):
        DisputeLedgerEntry.objects.filter(dispute=dispute).update(note="rewritten")
    assert "does not match its digest" in ledger.verify()[1].problem  # type: ignore[union-attr]
