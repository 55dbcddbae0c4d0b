"""Disputing a work from its history page: who may, who is told why not, who gets 404, and
what the page and the matrix say while it is open."""

import html

from django.contrib.messages import get_messages
from django.test import Client

from portal.catalogue.models import ArtistMembership
from portal.consent.models import Answer, Dispute, DisputeLedgerEntry, DisputeReason, Side
from portal.consent.services import dispute_close, dispute_raise
from tests import factories as f
from tests.conftest import World, logged_in, say

NOTE = "The credits name the wrong producer."


def dispute_url(work_id: int) -> str:
    return f"/works/{work_id}/dispute/"


def history_url(work_id: int) -> str:
    return f"/works/{work_id}/history/"


def send(client: Client, work_id: int, **data: str) -> object:
    return client.post(
        dispute_url(work_id), {"reason": DisputeReason.WRONG_CREDITS, "note": NOTE, **data}
    )


def said(response: object) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def test_the_artists_admin_disputes_a_work_and_reads_the_banner(world: World) -> None:
    work = world.works[0]
    say(world, Side.ARTIST, Answer.GRANTED, work=work)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work)
    client = logged_in(world.artist_user)
    page = client.get(history_url(work.pk)).content.decode()
    assert "Dispute this recording" in page
    assert f'action="{dispute_url(work.pk)}"' in page

    response = send(client, work.pk)

    assert response.status_code == 302
    assert response["Location"] == history_url(work.pk)
    assert said(response) == [
        f"Dispute raised: every use of “{work.title}” is stopped until staff resolve it. "
        "1 permitted use stopped at once. Its artist's team, its label and staff have been told."
    ]
    dispute = Dispute.objects.get()
    assert (dispute.raised_by, dispute.side) == (world.artist_user, Side.ARTIST)
    page = client.get(history_url(work.pk)).content.decode()
    assert "Under dispute since" in page
    assert "Wrong credits — raised by you for Ada Lane; every use is stopped until staff" in page
    assert f'action="{dispute_url(work.pk)}"' not in page  # one open dispute at a time
    assert NOTE in page


def test_the_labels_manager_disputes_and_the_artist_reads_who_raised_it(world: World) -> None:
    work = world.works[0]
    assert send(logged_in(world.manager), work.pk).status_code == 302
    assert Dispute.objects.get().side == Side.RIGHTS_HOLDER

    page = logged_in(world.artist_user).get(history_url(work.pk)).content.decode()
    name = html.escape(world.manager.display_name)
    assert f"Wrong credits — raised by {name} for Northern Lights Records" in page
    assert "disputed it: Wrong credits" in page


def test_a_team_member_who_is_not_an_admin_is_told_why_and_cannot(world: World) -> None:
    work = world.works[0]
    editor = f.ArtistMembershipFactory(artist=world.artist, role=ArtistMembership.Role.EDITOR).user
    client = logged_in(editor)

    page = client.get(history_url(work.pk)).content.decode()
    assert f'action="{dispute_url(work.pk)}"' not in page
    assert (
        "Only the admins of Ada Lane&#x27;s team and the managers of Northern Lights Records "
        "can dispute this recording; you are an editor of the team. Ask one of its admins."
    ) in page

    response = send(client, work.pk)
    assert response.status_code == 302
    assert "Only the admins of Ada Lane's team" in said(response)[0]
    assert not Dispute.objects.exists()


def test_outsiders_and_forged_ids_get_404_and_change_nothing(world: World) -> None:
    work = world.works[0]
    for user in (world.outsider_user, world.other_manager, world.other_artist_user, world.staff):
        client = logged_in(user)
        assert client.get(history_url(work.pk)).status_code == 404
        assert send(client, work.pk).status_code == 404
    # The manager's own label's work is reachable; another label's is not, nor an id
    # that is nobody's.
    manager = logged_in(world.manager)
    assert send(manager, world.outsider_works[0].pk).status_code == 404
    assert send(manager, 999_999).status_code == 404
    assert logged_in(world.artist_user).get(dispute_url(work.pk)).status_code == 405
    assert not Dispute.objects.exists()
    assert not DisputeLedgerEntry.objects.exists()


def test_a_bad_form_is_answered_on_the_page_and_writes_nothing(world: World) -> None:
    client = logged_in(world.manager)
    response = send(client, world.works[0].pk, reason="", note="")
    assert response.status_code == 422
    page = response.content.decode()
    assert "What is wrong: Choose what is wrong with the recording." in page
    assert "Note for staff: Say what is wrong with the recording" in page
    assert "Nothing was changed." in page
    assert not Dispute.objects.exists()


def test_a_second_dispute_is_a_message_not_an_error(world: World) -> None:
    work = world.works[0]
    dispute_raise(actor=world.manager, work=work, reason=DisputeReason.WRONG_LABEL, note=NOTE)
    response = send(logged_in(world.artist_user), work.pk)
    assert response.status_code == 302
    assert "This recording is under dispute already" in said(response)[0]
    assert Dispute.objects.count() == 1


def test_the_matrix_marks_a_disputed_work_and_its_cells_say_it(world: World) -> None:
    work = world.works[0]
    dispute_raise(actor=world.manager, work=work, reason=DisputeReason.WRONG_LABEL, note=NOTE)

    page = (
        logged_in(world.artist_user)
        .get(f"/artists/{world.artist.pk}/products/{world.product.slug}/")
        .content.decode()
    )

    assert "Under dispute" in page
    assert "Not permitted: this recording is under dispute" in page


def test_the_history_shows_every_step_with_who_when_reason_and_note(world: World) -> None:
    work = world.works[0]
    dispute = dispute_raise(
        actor=world.manager, work=work, reason=DisputeReason.NOT_MY_RECORDING, note=NOTE
    ).dispute
    dispute_close(actor=world.staff, dispute=dispute, upheld=False, note="Label confirmed it.")

    page = logged_in(world.artist_user).get(history_url(work.pk)).content.decode()

    assert "Under dispute since" not in page
    assert f"{html.escape(world.staff.display_name)} for the platform" in page
    assert "rejected the dispute</strong> (not my recording)" in page
    assert "Label confirmed it." in page
    assert "disputed it: Not my recording" in page
    assert f'action="{dispute_url(work.pk)}"' in page  # it may be disputed again
