"""The team's inbox of misuse reports, and staff's admin pages for them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.catalogue.models import Artist, ArtistMembership
from portal.fans.models import MisuseReport
from portal.fans.services import misuse_report_file
from tests import factories as f
from tests.conftest import World, logged_in

pytestmark = pytest.mark.django_db


def inbox(world: World) -> str:
    return reverse("misuse_reports", kwargs={"artist_id": world.artist.pk})


def filed(
    world: World, n: int = 1, *, artist: Artist | None = None, **fields: str
) -> list[MisuseReport]:
    reports = []
    for i in range(n):
        report = misuse_report_file(
            artist=artist or world.artist,
            url=f"https://video.example/{i}",
            kind=MisuseReport.Kind.SONG,
            **fields,
            ip_hash="0" * 64,
        )
        # A report a minute apart, oldest first.
        MisuseReport.objects.filter(pk=report.pk).update(
            created_at=timezone.now() - timedelta(minutes=n - i)
        )
        reports.append(report)
    return reports


def handled_url(world: World, report: MisuseReport) -> str:
    return reverse(
        "misuse_report_handled", kwargs={"artist_id": world.artist.pk, "report_id": report.pk}
    )


def test_an_empty_inbox_says_what_arrives_there(world: World) -> None:
    html = logged_in(world.artist_user).get(inbox(world)).content.decode()
    assert "No reports yet" in html


def test_the_team_reads_reports_newest_first_with_the_fans_email(world: World) -> None:
    filed(world, 2, contact="fan@example.test", description="Not her voice.")
    html = logged_in(world.artist_user).get(inbox(world)).content.decode()
    assert html.index("https://video.example/1") < html.index("https://video.example/0")
    assert "mailto:fan@example.test" in html
    assert "Not her voice." in html


def test_the_inbox_is_paginated_in_constant_queries(
    world: World, django_assert_max_num_queries
) -> None:
    filed(world, 25)
    client = logged_in(world.artist_user)
    with django_assert_max_num_queries(12):
        first = client.get(inbox(world)).content.decode()
    assert "https://video.example/24" in first and 'https://video.example/4"' not in first
    second = client.get(inbox(world) + "?page=2").content.decode()
    assert "https://video.example/0" in second


def test_a_member_marks_a_report_handled(world: World) -> None:
    [report] = filed(world)
    response = logged_in(world.artist_user).post(handled_url(world, report), {"page": "1"})
    assert response.status_code == 302 and response["Location"].endswith("?page=1")
    report.refresh_from_db()
    assert report.status == MisuseReport.Status.HANDLED
    assert report.handled_by == world.artist_user and report.handled_at is not None


def test_a_reader_sees_reports_but_cannot_mark_them(world: World) -> None:
    [report] = filed(world)
    reader = f.ArtistMembershipFactory(artist=world.artist, role=ArtistMembership.Role.READER).user
    client = logged_in(reader)
    assert b"Mark handled" not in client.get(inbox(world)).content
    assert client.post(handled_url(world, report)).status_code == 302
    report.refresh_from_db()
    assert report.status == MisuseReport.Status.NEW


def test_another_team_and_the_label_get_404(world: World) -> None:
    [report] = filed(world)
    for user in (world.other_artist_user, world.outsider_user, world.manager):
        client = logged_in(user)
        assert client.get(inbox(world)).status_code == 404
        assert client.post(handled_url(world, report)).status_code == 404
    report.refresh_from_db()
    assert report.status == MisuseReport.Status.NEW


def test_another_artists_report_is_not_found_through_this_team(world: World) -> None:
    [theirs] = filed(world, artist=world.other_artist)
    url = reverse(
        "misuse_report_handled", kwargs={"artist_id": world.artist.pk, "report_id": theirs.pk}
    )
    assert logged_in(world.artist_user).post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == MisuseReport.Status.NEW


def test_staff_list_filter_and_mark_reports_handled_in_admin(world: World) -> None:
    reports = filed(world, 2, contact="fan@example.test")
    filed(world, 1, artist=world.other_artist)
    staff = logged_in(world.staff)
    changelist = reverse("admin:fans_misusereport_changelist")
    listed = staff.get(changelist, {"status__exact": "new", "artist__id__exact": world.artist.pk})
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 2
    detail = staff.get(reverse("admin:fans_misusereport_change", args=[reports[0].pk]))
    assert b"fan@example.test" in detail.content
    staff.post(
        changelist,
        {"action": "mark_handled", "_selected_action": [r.pk for r in reports]},
    )
    assert set(
        MisuseReport.objects.filter(artist=world.artist).values_list("status", flat=True)
    ) == {MisuseReport.Status.HANDLED}
    assert MisuseReport.objects.filter(status=MisuseReport.Status.NEW).count() == 1
