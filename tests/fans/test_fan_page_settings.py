"""Publishing an artist's public page: the service, and the team's settings page."""

import pytest
from django.urls import reverse

from portal.catalogue.models import ArtistMembership
from portal.fans.models import FanPage
from portal.fans.services import FanPageError, fan_page_publish, fan_page_unpublish
from tests import factories as f
from tests.conftest import World, logged_in
from tests.fans.helpers import published

pytestmark = pytest.mark.django_db


def settings_url(world: World) -> str:
    return reverse("fan_page_settings", kwargs={"artist_id": world.artist.pk})


def test_a_page_is_off_until_the_team_publishes_it(world: World, client) -> None:
    assert not FanPage.objects.exists()
    assert client.get("/a/ada-lane/").status_code == 404


def test_publishing_makes_the_page_public_at_its_slug(world: World, client) -> None:
    published(world)
    assert client.get("/a/ada-lane/").status_code == 200
    assert client.get("/a/someone-else/").status_code == 404


def test_unpublishing_makes_it_404_and_keeps_the_slug_for_the_artist(world: World, client) -> None:
    published(world)
    page = fan_page_unpublish(actor=world.artist_user, artist=world.artist)
    assert page is not None and not page.published and page.slug == "ada-lane"
    assert client.get("/a/ada-lane/").status_code == 404
    with pytest.raises(FanPageError):
        fan_page_publish(actor=world.outsider_user, artist=world.outsider_artist, slug="ada-lane")


def test_publishing_twice_changes_nothing_and_moving_names_the_old_address(world: World) -> None:
    first = published(world)
    again = fan_page_publish(actor=world.artist_user, artist=world.artist, slug="ada-lane")
    assert again.page.pk == first.pk and again.previous_slug == ""
    moved = fan_page_publish(actor=world.artist_user, artist=world.artist, slug="ada")
    assert moved.previous_slug == "ada-lane"
    assert FanPage.objects.get().slug == "ada"


def test_a_slug_another_artist_has_is_refused(world: World) -> None:
    published(world, slug="night-drive")
    with pytest.raises(FanPageError, match="another artist's page"):
        fan_page_publish(
            actor=world.other_artist_user, artist=world.other_artist, slug="night-drive"
        )


def test_the_settings_page_suggests_a_slug_from_the_artists_name(world: World) -> None:
    response = logged_in(world.artist_user).get(settings_url(world))
    assert response.status_code == 200
    assert b'value="ada-lane"' in response.content
    assert b"Publish the page" in response.content


def test_the_team_admin_publishes_with_visible_feedback(world: World) -> None:
    client = logged_in(world.artist_user)
    data = {"action": "publish", "slug": "ada-lane"}
    response = client.post(settings_url(world), data, follow=True)
    assert FanPage.objects.get(artist=world.artist).published
    assert "Your public page is live at /a/ada-lane/." in response.content.decode()


def test_changing_the_address_warns_that_old_links_stop_working(world: World) -> None:
    published(world)
    client = logged_in(world.artist_user)
    page = client.get(settings_url(world)).content.decode()
    assert "Changing it breaks links to /a/ada-lane/" in page
    response = client.post(settings_url(world), {"action": "publish", "slug": "ada"}, follow=True)
    assert "Links to /a/ada-lane/ no longer work." in response.content.decode()


def test_the_team_admin_unpublishes_with_visible_feedback(world: World, client) -> None:
    published(world)
    admin = logged_in(world.artist_user)
    response = admin.post(settings_url(world), {"action": "unpublish"}, follow=True)
    assert "Your public page is down" in response.content.decode()
    assert client.get("/a/ada-lane/").status_code == 404


@pytest.mark.parametrize(
    "slug", ["", "Ada-Lane", "ada lane", "ada--lane", "-ada", "a", "ada/lane", "x" * 81, "adä"]
)
def test_a_malformed_slug_is_a_form_error_and_publishes_nothing(world: World, slug: str) -> None:
    client = logged_in(world.artist_user)
    response = client.post(settings_url(world), {"action": "publish", "slug": slug})
    assert response.status_code == 422
    assert b"Nothing was changed." in response.content
    assert not FanPage.objects.exists()


def test_a_taken_slug_is_a_form_error(world: World) -> None:
    published(world, slug="paper-moons", artist=world.other_artist)
    response = logged_in(world.artist_user).post(
        settings_url(world), {"action": "publish", "slug": "paper-moons"}
    )
    assert response.status_code == 422
    assert "another artist&#x27;s page" in response.content.decode()
    assert not FanPage.objects.filter(artist=world.artist).exists()


def test_a_member_who_is_not_admin_cannot_publish_or_unpublish(world: World) -> None:
    editor = f.ArtistMembershipFactory(artist=world.artist, role=ArtistMembership.Role.EDITOR).user
    client = logged_in(editor)
    page = client.get(settings_url(world))
    assert page.status_code == 200 and b"Only the team's admins" in page.content
    response = client.post(settings_url(world), {"action": "publish", "slug": "ada-lane"})
    assert response.status_code == 302
    assert not FanPage.objects.exists()
    published(world)
    client.post(settings_url(world), {"action": "unpublish"})
    assert FanPage.objects.get().published


def test_another_teams_admin_and_the_label_get_404(world: World) -> None:
    published(world)
    for user in (world.other_artist_user, world.outsider_user, world.manager):
        client = logged_in(user)
        assert client.get(settings_url(world)).status_code == 404
        assert client.post(settings_url(world), {"action": "unpublish"}).status_code == 404
    assert FanPage.objects.get().published


def test_the_artist_home_links_to_the_public_page_settings(world: World) -> None:
    home = logged_in(world.artist_user).get(reverse("artist_home", args=[world.artist.pk]))
    assert settings_url(world).encode() in home.content
    assert reverse("misuse_reports", args=[world.artist.pk]).encode() in home.content
