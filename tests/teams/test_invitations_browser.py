"""An invitee, in a real browser: open the emailed link, create an account, land on the
artist's catalogue as a member of the team."""

import re

import pytest
from playwright.sync_api import Page, expect

from portal.accounts.models import User
from portal.catalogue.models import ArtistMembership
from portal.teams.services import invitation_create
from tests.conftest import World
from tests.mail import sent_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_invitee_signs_up_from_the_email_and_lands_on_the_artist_home(
    world: World, live_server, page: Page, settings
) -> None:
    settings.PORTAL_BASE_URL = live_server.url
    invitation_create(
        inviter=world.manager,
        artist=world.artist,
        email="new@example.test",
        role="editor",
        sent_as="label",
    )
    (message,) = sent_to("new@example.test")
    url = re.search(r"http\S+/invitations/\S+/", message.body)[0]

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Ada Lane's team")
    page.get_by_role("link", name="Create your account").click()
    expect(page.get_by_label("Email")).to_have_value("new@example.test")
    page.get_by_label("Password:", exact=True).fill("a long passphrase 1")
    page.get_by_label("Password (again)").fill("a long passphrase 1")
    page.get_by_role("button", name="Sign Up").click()

    expect(page.get_by_role("status").filter(has_text="Welcome to Ada Lane's team")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ada Lane")
    user = User.objects.get(email="new@example.test")
    assert ArtistMembership.objects.get(artist=world.artist, user=user).role == "editor"

    page.goto(f"{live_server.url}/artists/{world.artist.pk}/team/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lane's team")
    members = page.get_by_role("region", name=re.compile("^Members"))
    expect(members).to_contain_text("new@example.test")
    expect(members).to_contain_text("Editor (decides)")
    # An editor sees the team but gets no forms to change it.
    expect(page.get_by_role("button", name="Send invitation")).to_have_count(0)
