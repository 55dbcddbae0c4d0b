"""The "stop everything" page when the person's role goes while they press the button:
the service refuses, and the page says why instead of failing."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.catalogue.models import ArtistMembership
from portal.consent import access
from portal.consent.access import Party
from portal.consent.models import Answer, Decision, LedgerEntry, Side
from tests import factories as f
from tests.conftest import World, logged_in, say

Role = ArtistMembership.Role


@pytest.fixture
def editor(world: World) -> ArtistMembership:
    return f.ArtistMembershipFactory(artist=world.artist, role=Role.EDITOR)


def role_goes_after_the_page_checks(
    monkeypatch: pytest.MonkeyPatch, membership: ArtistMembership, gone: str
) -> None:
    """The page resolves the person's role, and an admin changes it before the service
    runs: as if the two requests interleaved."""
    real = access.artist_party

    def then_changed(user: object, artist_id: int) -> Party:
        party = real(user, artist_id)
        memberships = ArtistMembership.objects.filter(pk=membership.pk)
        if gone == "removed":
            memberships.delete()
        else:
            memberships.update(role=Role.READER)
        return party

    monkeypatch.setattr(access, "artist_party", then_changed)


@pytest.mark.parametrize("gone", ["removed", "made a reader"])
def test_an_editor_whose_role_goes_meanwhile_is_told_and_nothing_is_withdrawn(
    world: World, editor: ArtistMembership, monkeypatch: pytest.MonkeyPatch, gone: str
) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    before = LedgerEntry.objects.count()
    client: Client = logged_in(editor.user)
    role_goes_after_the_page_checks(monkeypatch, editor, gone)

    response = client.post(reverse("stop_everything", args=[world.artist.pk]), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[0] == (reverse("home"), 302)
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["Only Ada Lane's admins and editors can stop everything."]
    assert Decision.objects.get(side=Side.ARTIST).answer == Answer.GRANTED
    assert LedgerEntry.objects.count() == before
