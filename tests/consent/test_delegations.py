"""An artist lets their label decide the artist side for them, and takes it back."""

from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.catalogue.models import ArtistMembership
from portal.consent.models import Answer, Decision, Delegation, LedgerEntry, Side
from portal.consent.services import (
    ConsentError,
    decision_set,
    delegation_grant,
    delegation_revoke,
)
from portal.notifications.models import Notification
from tests import factories as f
from tests.conftest import World, logged_in

HTMX = {"HTTP_HX_REQUEST": "true"}


def delegated_url(delegation: Delegation, name: str = "matrix", **extra: object) -> str:
    kwargs = {"kind": "delegations", "party_id": delegation.pk, "product_slug": "tunesmith"}
    return reverse(name, kwargs={**kwargs, **extra})


def delegate(world: World, **scope: object) -> Delegation:
    return delegation_grant(actor=world.artist_user, artist=world.artist, **scope)  # type: ignore[arg-type]


def test_the_artist_admin_lets_the_label_decide(world: World, artist_client: Client) -> None:
    url = reverse("artist_delegation", args=[world.artist.pk])
    assert "Only you decide for Ada Lane" in artist_client.get(url).content.decode()
    chosen = {"product_scope": "chosen", "products": [world.product.pk], "use_scope": "all"}
    # First the page says what it would cover, and nothing changes yet.
    review = artist_client.post(url, chosen).content.decode()
    assert "Let Northern Lights Records decide for you?" in review
    assert "<strong>Tunesmith, for every use, including uses added in the future</strong>" in (
        review
    )
    assert not Delegation.objects.exists()
    response = artist_client.post(url, {**chosen, "confirmed": "True"}, follow=True)
    assert "Northern Lights Records can now decide for you: Tunesmith; all uses." in (
        response.content.decode()
    )
    delegation = Delegation.objects.get()
    assert (delegation.artist, delegation.label, delegation.granted_by) == (
        world.artist,
        world.label,
        world.artist_user,
    )
    assert list(delegation.products.all()) == [world.product]
    # The label's managers are told.
    assert Notification.objects.filter(user=world.manager, kind="delegation").exists()
    # Changing it starts from what it covers now.
    form = artist_client.get(url).context["form"]
    assert list(form["products"].value()) == [world.product.pk]


@pytest.mark.parametrize("role", [ArtistMembership.Role.EDITOR, ArtistMembership.Role.READER])
def test_only_team_admins_change_who_decides(world: World, role: str) -> None:
    member = f.ArtistMembershipFactory(artist=world.artist, role=role).user
    response = logged_in(member).post(
        reverse("artist_delegation", args=[world.artist.pk]), {}, follow=True
    )
    assert "Only the team's admins can change who decides for you." in unescape(
        response.content.decode()
    )
    assert not Delegation.objects.exists()


@pytest.mark.parametrize("who", ["other_artist_user", "outsider_user", "manager"])
def test_nobody_else_opens_the_artists_delegation(world: World, who: str) -> None:
    url = reverse("artist_delegation", args=[world.artist.pk])
    assert logged_in(getattr(world, who)).post(url, {}).status_code == 404
    assert not Delegation.objects.exists()


def test_without_a_delegation_the_manager_cannot_reach_the_artist_side(
    world: World, manager_client: Client
) -> None:
    revoked = delegate(world)
    delegation_revoke(actor=world.artist_user, delegation=revoked)
    assert manager_client.get(delegated_url(revoked)).status_code == 404
    response = manager_client.post(
        delegated_url(revoked, "decide", work_id=world.works[0].pk),
        {"use": "training", "answer": "granted"},
    )
    assert response.status_code == 404
    assert not Decision.objects.exists()


def test_under_delegation_the_manager_decides_the_artist_side(
    world: World, manager_client: Client
) -> None:
    delegation = delegate(world)
    mail.outbox.clear()
    work = world.works[0]
    response = manager_client.post(
        delegated_url(delegation, "decide", work_id=work.pk),
        {"use": "training", "answer": "granted"},
        **HTMX,
    )
    assert response.status_code == 200
    assert f"Saved: Training for {work.title} is now allowed for Ada Lane." in (
        response.content.decode()
    )
    decision = Decision.objects.get()
    assert (decision.side, decision.decided_by) == (Side.ARTIST, world.manager)
    entry = LedgerEntry.objects.get()
    assert (entry.actor, entry.side, entry.acting_for, entry.delegation) == (
        world.manager,
        Side.ARTIST,
        "Ada Lane",
        delegation,
    )
    notice = Notification.objects.get(user=world.artist_user, kind="acted_for_you")
    assert "said yes to training on Tunesmith for 1 work of Ada Lane" in notice.message
    activity = logged_in(world.artist_user).get(reverse("artist_activity", args=[world.artist.pk]))
    assert "for Ada Lane, under the delegation" in activity.content.decode()


def test_the_delegated_matrix_shows_the_artists_works_only(
    world: World, manager_client: Client
) -> None:
    delegation = delegate(world)
    body = manager_client.get(delegated_url(delegation)).content.decode()
    assert "under the delegation Ada Lane gave Northern Lights Records" in body
    assert "Night Drive 0" in body and "Paper Moons" not in body


def test_a_delegation_for_one_use_covers_that_use_only(
    world: World, manager_client: Client
) -> None:
    delegation = delegate(world, use_types=[world.style])
    body = manager_client.get(delegated_url(delegation)).content.decode()
    assert "Style generation for Night Drive 0: yes" in body
    assert "Training for Night Drive 0: yes" not in body
    response = manager_client.post(
        delegated_url(delegation, "decide", work_id=world.works[0].pk),
        {"use": "training", "answer": "granted"},
        **HTMX,
    )
    assert response.status_code == 422
    assert not Decision.objects.exists()


def test_a_delegation_for_another_product_is_a_404_here(
    world: World, manager_client: Client
) -> None:
    other = f.ProductFactory(slug="other", licensee=world.product.licensee)
    f.ProductUseFactory(product=other, use_type=world.training)
    delegation = delegate(world, products=[other])
    assert manager_client.get(delegated_url(delegation)).status_code == 404


def test_another_labels_manager_cannot_use_the_delegation(world: World) -> None:
    delegation = delegate(world)
    assert logged_in(world.other_manager).get(delegated_url(delegation)).status_code == 404


def test_a_revocation_that_lands_first_stops_the_answer(world: World) -> None:
    delegation = delegate(world)
    delegation_revoke(actor=world.artist_user, delegation=delegation)
    with pytest.raises(ConsentError, match="withdrawn the delegation"):
        decision_set(
            actor=world.manager,
            product=world.product,
            work=world.works[0],
            use_type=world.training,
            side=Side.ARTIST,
            answer=Answer.GRANTED,
            delegation=delegation,
        )
    assert not Decision.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_revoking_keeps_what_was_decided_and_tells_the_label(
    world: World, artist_client: Client
) -> None:
    delegation = delegate(world)
    decision_set(
        actor=world.manager,
        product=world.product,
        work=world.works[0],
        use_type=world.training,
        side=Side.ARTIST,
        answer=Answer.GRANTED,
        delegation=delegation,
    )
    response = artist_client.post(
        reverse("artist_delegation", args=[world.artist.pk]), {"action": "revoke"}, follow=True
    )
    assert "can no longer decide for you" in response.content.decode()
    delegation.refresh_from_db()
    assert delegation.revoked_by == world.artist_user
    assert Decision.objects.get().answer == Answer.GRANTED
    assert Notification.objects.filter(
        user=world.manager, message__contains="no longer lets"
    ).exists()


def test_a_new_delegation_replaces_the_one_in_force(world: World) -> None:
    first = delegate(world)
    second = delegate(world, use_types=[world.training])
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert Delegation.objects.filter(revoked_at__isnull=True).count() == 1


def test_everything_must_be_chosen_not_left_unticked(world: World, artist_client: Client) -> None:
    url = reverse("artist_delegation", args=[world.artist.pk])
    # Nothing ticked and no choice made: refused, with what to do.
    refused = unescape(artist_client.post(url, {}).content.decode())
    assert "Choose which products your label may decide." in refused
    assert "Choose which uses your label may decide." in refused
    # "Only the ones I tick" with none ticked: refused too.
    refused = unescape(
        artist_client.post(url, {"product_scope": "chosen", "use_scope": "all"}).content.decode()
    )
    assert "Tick at least one product, or choose every product." in refused
    assert not Delegation.objects.exists()
    # Every product, chosen explicitly, and said so before it is confirmed.
    everything = {"product_scope": "all", "use_scope": "all"}
    review = unescape(artist_client.post(url, everything).content.decode())
    assert (
        "every AI product, including those that ask in the future, for every use, including "
        "uses added in the future" in review
    )
    artist_client.post(url, {**everything, "confirmed": "True"})
    delegation = Delegation.objects.get()
    assert not delegation.products.exists() and not delegation.use_types.exists()
