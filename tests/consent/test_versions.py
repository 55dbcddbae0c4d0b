"""Products change, consent follows: a material version makes a yes for an earlier
version only stop permitting (reconsent_needed), announced like any change; each artist
team and label concerned is asked once; keeping the answers for the new version is one
action, previewed exactly. A wording fix changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse
from lxml import html

from portal.api.services import api_key_issue
from portal.consent.conditions import Given
from portal.consent.ledger.verify import verify
from portal.consent.models import AnnouncedPermission, Answer, LedgerEntry, PermissionChange, Side
from portal.consent.rules import Reason
from portal.consent.selectors.versions import KeepPreview, keep_preview
from portal.consent.services.versions import answers_keep, version_publish
from portal.licensing.models import Condition, Product, ProductVersion
from portal.notifications.models import Notification
from tests import factories as f
from tests.conftest import World, logged_in, say


def both_yes(world: World, work_index: int = 0, **kwargs: object) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, work=world.works[work_index], **kwargs)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=world.works[work_index])


def publish(world: World, material: bool = True) -> tuple[ProductVersion, int]:
    published = version_publish(
        actor=world.staff,
        product=world.product,
        name="2.0",
        summary="Tunesmith now also makes stems from what it learned.",
        material=material,
        model="tunesmith-gen 2",
    )
    world.product.refresh_from_db()
    return published


def artist_preview(world: World) -> KeepPreview:
    return keep_preview(
        product=world.product,
        side=Side.ARTIST,
        works=world.artist.works.all(),
        use_type_ids=[world.training.pk, world.style.pk],
    )


def check(world: World, work_index: int = 0) -> dict:
    raw = api_key_issue(product=world.product, name="check")[1]
    return (
        Client(headers={"Authorization": f"Bearer {raw}"})
        .get(
            "/api/v1/permissions/check",
            {"isrc": world.works[work_index].isrc, "use": "training"},
        )
        .json()
    )


def test_a_material_version_stops_a_yes_for_this_version_only(world: World) -> None:
    both_yes(world)
    version, flipped = publish(world)
    assert (version.number, flipped) == (2, 1)
    world.product.refresh_from_db()
    assert (world.product.version, world.product.material_version) == (2, 2)
    answer = check(world)
    assert (answer["permitted"], answer["reasons"]) == (False, [Reason.RECONSENT_NEEDED])
    change = PermissionChange.objects.filter(product=world.product).latest("seq")
    assert (change.permitted, change.reasons, change.cause) == (
        False,
        [Reason.RECONSENT_NEEDED],
        "version",
    )


def test_a_yes_for_later_versions_too_is_untouched(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, later_versions=True)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, later_versions=True)
    assert publish(world)[1] == 0
    assert check(world)["permitted"] is True


def test_a_wording_fix_changes_nothing_but_is_listed(world: World) -> None:
    both_yes(world)
    version, flipped = publish(world, material=False)
    assert flipped == 0 and check(world)["permitted"] is True
    world.product.refresh_from_db()
    assert (world.product.version, world.product.material_version) == (2, 1)
    assert not Notification.objects.filter(kind="reconsent").exists()
    assert version.uses == ["style_generation", "training"]


def test_each_team_and_label_is_asked_once_whatever_the_number_of_works(world: World) -> None:
    for index in range(3):
        both_yes(world, index)
    publish(world)
    asked = Notification.objects.filter(kind="reconsent")
    assert sorted(asked.values_list("user__email", flat=True)) == [
        "ada@example.test",
        "sam@example.test",
    ]
    ada = asked.get(user=world.artist_user)
    assert (
        ada.message.startswith("Tunesmith changed what it does on ")
        and "(version 2.0): Tunesmith now also makes stems" in ada.message
    )
    assert ada.url == reverse("keep_answers", args=["artists", world.artist.pk, "tunesmith"])


def test_keeping_the_answers_permits_again_with_their_conditions_in_one_action(
    world: World,
) -> None:
    world.product.conditions_honoured.set(Condition.objects.filter(code="non_commercial"))
    both_yes(world, 0, conditions=(Given("non_commercial"),))
    both_yes(world, 1)
    publish(world)
    works = world.artist.works.all()
    uses = [world.training.pk, world.style.pk]
    assert keep_preview(
        product=world.product, side=Side.ARTIST, works=works, use_type_ids=uses
    ) == KeepPreview(2, 0)
    # The label keeps its answers first: then the artist's keep permits both again.
    answers_keep(
        actor=world.manager,
        product=world.product,
        side=Side.RIGHTS_HOLDER,
        works=works,
        use_type_ids=uses,
    )
    preview = artist_preview(world)
    assert (preview.answers, preview.permitted) == (2, 2)
    outcome = answers_keep(
        actor=world.artist_user,
        product=world.product,
        side=Side.ARTIST,
        works=works,
        use_type_ids=uses,
    )
    assert (outcome.changed, outcome.flipped) == (2, 2)
    assert check(world)["conditions"] == [{"code": "non_commercial"}]
    kept = LedgerEntry.objects.filter(note="Kept for version 2.0", side=Side.ARTIST)
    assert sorted(kept.values_list("for_version", "conditions")) == [
        (2, []),
        (2, [{"code": "non_commercial"}]),
    ]
    assert verify()[1] is None
    assert keep_preview(
        product=world.product, side=Side.ARTIST, works=works, use_type_ids=uses
    ) == KeepPreview(0, 0)


def test_a_yes_given_again_for_the_new_version_renews_it(world: World) -> None:
    both_yes(world)
    publish(world)
    outcome = say(world, Side.ARTIST, Answer.GRANTED)
    assert outcome.changed == 1
    permission = AnnouncedPermission.objects.get(product=world.product)
    assert permission.reasons == [Reason.RECONSENT_NEEDED]  # the label's yes still waits
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    assert check(world)["permitted"] is True


def test_the_artist_keeps_their_answers_from_the_page(world: World, artist_client: Client) -> None:
    both_yes(world)
    publish(world)
    url = reverse("keep_answers", args=["artists", world.artist.pk, "tunesmith"])
    page = " ".join(html.fromstring(artist_client.get(url).content).text_content().split())
    assert "Tunesmith changed what it does on" in page
    assert "1 yes answer was for an earlier version of Tunesmith" in page
    response = artist_client.post(url, follow=True)
    said = " ".join(html.fromstring(response.content).text_content().split())
    assert "Kept 1 yes answer for Tunesmith's new version; 0 permissions changed." in said
    home = artist_client.get(reverse("artist_home", args=[world.artist.pk]))
    assert "What changed on" in home.content.decode()


def test_the_home_asks_again_and_links_to_keeping(world: World, artist_client: Client) -> None:
    both_yes(world)
    publish(world)
    home = " ".join(
        html.fromstring(artist_client.get(reverse("artist_home", args=[world.artist.pk])).content)
        .text_content()
        .split()
    )
    assert "1 of your yes answers was for the earlier version" in home
    assert "Keep your answers for 2.0, or review them" in home


def test_the_artist_chooses_whether_a_yes_covers_later_versions(
    world: World, artist_client: Client
) -> None:
    artist_client.post(reverse("artist_reach", args=[world.artist.pk]), {"reach": "later"})
    artist_client.post(
        reverse("decide", args=["artists", world.artist.pk, "tunesmith", world.works[0].pk]),
        {"use": "training", "answer": "granted"},
    )
    assert LedgerEntry.objects.get().later_versions is True


def test_staff_publish_a_version_in_admin_and_cannot_edit_it(world: World) -> None:
    both_yes(world)
    staff = logged_in(world.staff)
    response = staff.post(
        reverse("admin:licensing_productversion_add"),
        {
            "product": world.product.pk,
            "name": "2.0",
            "model": "tunesmith-gen 2",
            "summary": "New model generation.",
            "material": "on",
        },
    )
    assert response.status_code == 302, response.content
    version = ProductVersion.objects.get()
    assert (version.number, version.published_by) == (2, world.staff)
    assert check(world)["reasons"] == [Reason.RECONSENT_NEEDED]
    change = reverse("admin:licensing_productversion_change", args=[version.pk])
    staff.post(change, {"product": world.product.pk, "name": "3.0", "summary": "x"})
    assert ProductVersion.objects.get().name == "2.0"


@pytest.mark.parametrize("material", [True, False])
def test_versions_are_numbered_in_order_per_product(world: World, material: bool) -> None:
    other = f.ProductFactory(slug="other", name="Other")
    publish(world, material)
    version_publish(actor=None, product=other, name="1.1", summary="Fix.", material=material)
    version, _ = publish(world, material)
    assert version.number == 3
    assert Product.objects.get(pk=other.pk).version == 2


def test_the_cell_says_a_yes_was_for_the_earlier_version(
    world: World, artist_client: Client
) -> None:
    both_yes(world)
    publish(world)
    page = artist_client.get(reverse("matrix", args=["artists", world.artist.pk, "tunesmith"]))
    said = " ".join(html.fromstring(page.content).text_content().split())
    assert (
        "Not permitted: Tunesmith changed what it does; a yes was for the earlier version" in said
    )
