"""A fan's misuse report: stored and told to the team once, or refused with the reason
and nothing stored (honeypot, form token, bad input, rate limit)."""

import os
import socket

import pytest
from django.core.cache import cache, caches
from django.test import Client

from portal.accounts.cache import RedisCache
from portal.catalogue.models import ArtistMembership
from portal.fans.forms import MisuseReportForm
from portal.fans.models import MisuseReport
from portal.fans.services import fan_page_unpublish
from portal.notifications.models import Notification
from tests import factories as f
from tests.conftest import World
from tests.fans.helpers import published, report_data

pytestmark = pytest.mark.django_db
REPORT = "/a/ada-lane/report/"

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="the shared cache is Redis (REDIS_URL)"
)


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def refused(response, status: int = 422) -> str:
    assert response.status_code == status
    assert not MisuseReport.objects.exists()
    assert not Notification.objects.filter(kind=Notification.Kind.MISUSE_REPORT).exists()
    return response.content.decode()


def test_a_report_is_stored_and_each_team_member_is_told_once(world: World, client) -> None:
    published(world)
    editor = f.ArtistMembershipFactory(artist=world.artist, role=ArtistMembership.Role.EDITOR).user
    response = client.post(REPORT, report_data(world.artist), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    assert response["Location"] == "/a/ada-lane/?reported=1#report"
    report = MisuseReport.objects.get()
    assert report.artist == world.artist
    assert report.url == "https://video.example/watch?v=fake-ada"
    assert report.kind == MisuseReport.Kind.VOICE_CLONE
    assert report.status == MisuseReport.Status.NEW
    notified = Notification.objects.filter(kind=Notification.Kind.MISUSE_REPORT)
    assert sorted(n.user_id for n in notified) == sorted([world.artist_user.pk, editor.pk])
    assert {n.url for n in notified} == {f"/artists/{world.artist.pk}/misuse-reports/"}
    assert "voice clone" in notified[0].message
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you: your report reached Ada Lane's team." in thanks


def test_the_contact_is_encrypted_and_the_address_hashed(world: World, client) -> None:
    published(world)
    client.post(REPORT, report_data(world.artist), REMOTE_ADDR="203.0.113.9")
    report = MisuseReport.objects.get()
    assert "fan@example.test" not in report.contact_encrypted
    assert report.contact_encrypted
    assert "203.0.113.9" not in report.ip_hash and len(report.ip_hash) == 64


def test_the_honeypot_refuses_a_machine(world: World, client) -> None:
    published(world)
    html = refused(client.post(REPORT, report_data(world.artist, website="https://spam.example")))
    assert "looks automated" in html
    assert "Nothing was changed." in html


def test_a_report_sent_faster_than_a_person_reads_is_refused(world: World, client) -> None:
    published(world)
    html = refused(client.post(REPORT, report_data(world.artist, age=0.5)))
    assert "faster than anyone reads the form" in html


def test_a_form_older_than_a_day_is_refused(world: World, client) -> None:
    published(world)
    html = refused(client.post(REPORT, report_data(world.artist, age=25 * 3600)))
    assert "more than a day old" in html


@pytest.mark.parametrize("token", ["", "forged", "eyJhcnRpc3QiOjF9:1abc:forged-signature"])
def test_a_forged_form_token_is_refused(world: World, client, token: str) -> None:
    published(world)
    html = refused(client.post(REPORT, report_data(world.artist, started=token)))
    assert "did not come from this page" in html


def test_a_token_from_another_artists_page_is_refused(world: World, client) -> None:
    published(world)
    html = refused(client.post(REPORT, report_data(world.other_artist)))
    assert "did not come from this page" in html


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://files.example/song.mp3",
        "data:text/html,hello",
        "https://",
        "not a url",
        "https://video.example/" + "x" * 500,
    ],
)
def test_a_web_address_that_is_not_http_or_https_is_refused(world: World, client, url) -> None:
    published(world)
    html = refused(client.post(REPORT, report_data(world.artist, url=url)))
    assert "Where you found it" in html


def test_what_it_is_must_be_one_of_the_choices(world: World, client) -> None:
    published(world)
    refused(client.post(REPORT, report_data(world.artist, kind="nft")))


def test_a_long_description_is_refused(world: World, client) -> None:
    published(world)
    html = refused(client.post(REPORT, report_data(world.artist, description="x" * 2001)))
    assert "at most 2000 characters" in html


def test_control_characters_are_refused(world: World, client) -> None:
    published(world)
    # The site's guard answers before the view: a plain 400.
    refused(client.post(REPORT, report_data(world.artist, description="a\x1b[2Jb")), 400)
    form = MisuseReportForm(report_data(world.artist, description="a\x07b"))
    assert not form.is_valid() and "control characters" in str(form.errors["description"])
    assert MisuseReportForm(report_data(world.artist, description="line one\nline two")).is_valid()


def test_a_bad_contact_address_is_refused(world: World, client) -> None:
    published(world)
    refused(client.post(REPORT, report_data(world.artist, contact="not-an-address")))


def test_the_contact_and_description_are_optional(world: World, client) -> None:
    published(world)
    data = report_data(world.artist, contact="", description="")
    assert client.post(REPORT, data).status_code == 302
    assert MisuseReport.objects.get().contact_encrypted == ""


def test_an_unpublished_page_takes_no_reports(world: World, client) -> None:
    published(world)
    fan_page_unpublish(actor=world.artist_user, artist=world.artist)
    refused(client.post(REPORT, report_data(world.artist)), 404)


@needs_redis
def test_reports_over_the_rate_limit_get_429_counted_in_redis(world: World, settings) -> None:
    assert isinstance(caches["default"], RedisCache)
    settings.FANS_REPORT_RATE_LIMIT = "2/h"
    published(world)
    fan = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(2):
        assert fan.post(REPORT, report_data(world.artist)).status_code == 302
    response = fan.post(REPORT, report_data(world.artist))
    assert response.status_code == 429
    assert "several reports from here in a short time" in response.content.decode()
    assert MisuseReport.objects.count() == 2
    # Counted per client address: another fan is not held back.
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.post(REPORT, report_data(world.artist)).status_code == 302


@needs_redis
def test_behind_the_proxy_the_limit_counts_the_client_not_the_proxy(world: World, settings) -> None:
    settings.FANS_REPORT_RATE_LIMIT = "1/h"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    published(world)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = Client(headers={"X-Forwarded-For": "198.51.100.7"}, **proxy)
    second = Client(headers={"X-Forwarded-For": "198.51.100.9"}, **proxy)
    assert first.post(REPORT, report_data(world.artist)).status_code == 302
    assert second.post(REPORT, report_data(world.artist)).status_code == 302
    assert first.post(REPORT, report_data(world.artist)).status_code == 429


def test_without_the_shared_cache_reports_wait_with_a_page_that_says_so(
    world: World, client, settings
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "portal.accounts.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
        },
    }
    published(world)
    html = refused(client.post(REPORT, report_data(world.artist)), 503)
    assert "Reports cannot be received for a moment" in html
