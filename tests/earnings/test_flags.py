"""Use without permission where people look: a report with flagged lines tells each
artist team and label once, the artist's home shows it until someone has seen it, and
the work's history lists it."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.consent.models import Answer, Side
from portal.earnings.models import FlaggedUse
from portal.licensing.models import Licence, Product
from portal.notifications.models import Notification
from tests import factories as f
from tests.conftest import World, logged_in, say
from tests.earnings.test_artist import at, both_yes, report, stemify
from tests.notifications.test_notifications import eager_tasks  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def licensed_since_last_year(world: World) -> None:
    # The reports are for October: the licences cover it, so there is a share to hold.
    Licence.objects.update(starts_on=date(2025, 1, 1))


def unpermitted(kind: str = Notification.Kind.UNPERMITTED_USE) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).order_by("user_id"))


@pytest.mark.usefixtures("eager_tasks")
def test_a_report_with_use_without_permission_tells_the_team_and_the_label_once(
    world: World, django_capture_on_commit_callbacks
) -> None:
    editor = f.ArtistMembershipFactory(artist=world.artist, role="editor").user
    with django_capture_on_commit_callbacks(execute=True):
        report(
            world.product,
            "2026-10",
            [
                (world.works[0], "training", 4694, "120.00"),
                (world.works[1], "training", 6, "1.00"),
            ],
        )
    flag = FlaggedUse.objects.get()
    assert (flag.artist, flag.works, flag.units, flag.breached_units) == (world.artist, 2, 4700, 0)
    assert flag.artist_held > 0 and flag.seen_at is None
    told = unpermitted()
    assert {n.user for n in told} == {world.artist_user, editor, world.manager}
    ada = next(n for n in told if n.user == world.artist_user)
    assert ada.message.startswith(
        "Tunesmith reported 4,700 uses of 2 of your works without permission; "
    )
    assert "of your share is held." in ada.message
    assert ada.url.startswith(reverse("artist_earning_lines", args=[world.artist.pk]) + "?")
    assert "compliance=flagged" in ada.url and "product=tunesmith" in ada.url
    sam = next(n for n in told if n.user == world.manager)
    assert "of 2 works on your roster without permission" in sam.message
    assert sam.url.startswith(reverse("label_usage_flags", args=[world.label.pk]))
    # The label's manager, the team's two members: one email each, as they prefer.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (world.artist_user, editor, world.manager)
    )
    # Nothing for the other artist on the roster, nor the outsider.
    assert not Notification.objects.filter(user=world.other_artist_user).exists()


def test_one_work_is_named(world: World) -> None:
    report(world.product, "2026-10", [(world.works[0], "training", 1, "2.00")])
    (ada,) = [n for n in unpermitted() if n.user == world.artist_user]
    assert ada.message.startswith("Tunesmith reported 1 use of Night Drive 0 without permission;")


def test_permitted_use_tells_nobody(world: World) -> None:
    with at("2026-09-15"):
        both_yes(world, world.works[0])
    report(world.product, "2026-10", [(world.works[0], "training", 10, "5.00")])
    assert not FlaggedUse.objects.exists()
    assert unpermitted() == []


def test_the_home_shows_it_until_someone_of_the_team_has_seen_it(
    world: World, artist_client: Client
) -> None:
    stems = stemify(world)
    report(stems, "2026-10", [(world.works[0], "stems_remix", 4694, "63.37")])
    home = reverse("artist_home", args=[world.artist.pk])
    page = artist_client.get(home).content.decode()
    assert "A product used your music without permission" in page
    assert "Stemify reported 4,694 uses of Night Drive 0 without permission" in page
    shown = FlaggedUse.objects.get().pk
    # A second report arrives after the page was read: marking what was shown leaves it.
    report(world.product, "2026-10", [(world.works[1], "training", 3, "1.00")], reference="late")
    response = artist_client.post(
        reverse("artist_flags_seen", args=[world.artist.pk]), {"up_to": str(shown)}
    )
    assert response.status_code == 302
    assert FlaggedUse.objects.get(pk=shown).seen_by == world.artist_user
    page = artist_client.get(home).content.decode()
    assert "Stemify reported" not in page
    assert "Tunesmith reported 3 uses of Night Drive 1 without permission" in page
    # Seen by another member of the team counts for everyone.
    latest = FlaggedUse.objects.latest("pk").pk
    editor = f.ArtistMembershipFactory(artist=world.artist, role="reader").user
    logged_in(editor).post(
        reverse("artist_flags_seen", args=[world.artist.pk]), {"up_to": str(latest)}
    )
    assert "without permission" not in artist_client.get(home).content.decode()


@pytest.mark.parametrize("up_to", ["", "x", "99999999999999999999", "-1"])
def test_a_forged_mark_changes_nothing(world: World, artist_client: Client, up_to: str) -> None:
    report(world.product, "2026-10", [(world.works[0], "training", 1, "2.00")])
    response = artist_client.post(
        reverse("artist_flags_seen", args=[world.artist.pk]), {"up_to": up_to}, follow=True
    )
    assert response.status_code == 200
    assert FlaggedUse.objects.get().seen_at is None


def test_another_artists_flags_cannot_be_marked(world: World) -> None:
    report(world.product, "2026-10", [(world.works[0], "training", 1, "2.00")])
    flag = FlaggedUse.objects.get()
    outsider = logged_in(world.outsider_user)
    response = outsider.post(
        reverse("artist_flags_seen", args=[world.artist.pk]), {"up_to": str(flag.pk)}
    )
    assert response.status_code == 404
    # Through their own artist's URL, an id of someone else's marks nothing.
    outsider.post(
        reverse("artist_flags_seen", args=[world.outsider_artist.pk]), {"up_to": str(flag.pk)}
    )
    assert FlaggedUse.objects.get().seen_at is None


def test_use_against_a_condition_says_so(world: World) -> None:
    from portal.earnings.flags import _how, _Sum

    assert _how(_Sum(units=5, breached=5)) == "against your conditions"
    assert _how(_Sum(units=5, breached=2)) == "without permission or against your conditions"
    assert _how(_Sum(units=5, breached=0)) == "without permission"


def test_the_works_history_lists_it(world: World, artist_client: Client) -> None:
    report(world.product, "2026-10", [(world.works[0], "training", 1200, "30.00")])
    page = artist_client.get(reverse("work_history", args=[world.works[0].pk])).content.decode()
    assert "Use without permission" in page
    assert "Tunesmith reported 1,200 uses for training in October 2026 without permission" in page
    other = artist_client.get(reverse("work_history", args=[world.works[1].pk])).content.decode()
    assert "Use without permission" not in other


def test_the_home_counts_what_is_permitted_now(world: World, artist_client: Client) -> None:
    both_yes(world, world.works[0])
    say(world, Side.ARTIST, Answer.GRANTED, work=world.works[1], use=world.training)
    page = artist_client.get(reverse("artist_home", args=[world.artist.pk])).content.decode()
    assert "Permitted now" in page
    # Training: one permitted (both said yes), two yes answers of the artist's.
    found = re.search(
        r'<th scope="row">Training</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', page, re.S
    )
    assert found is not None
    assert found.groups() == ("<strong>1</strong>", "2")


def test_a_suspended_product_asks_for_no_review(world: World, artist_client: Client) -> None:
    home = reverse("artist_home", args=[world.artist.pk])
    assert "Review 6 decisions" in artist_client.get(home).content.decode()
    Product.objects.filter(pk=world.product.pk).update(status=Product.Status.SUSPENDED)
    page = artist_client.get(home).content.decode()
    assert "Review" not in page
    assert "See your answers" in page


def test_held_amount_is_the_artists_share(world: World) -> None:
    report(world.product, "2026-10", [(world.works[0], "training", 10, "100.00")])
    flag = FlaggedUse.objects.get()
    assert Decimal(0) < flag.artist_held < Decimal("100.00")
