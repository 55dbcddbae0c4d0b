"""Staff manage everything in admin; consent state there is read-only or moves through services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Work
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    Cause,
    Decision,
    LedgerEntry,
    PermissionChange,
    Side,
)
from portal.consent.services import decision_set
from portal.licensing.models import Licence, Product
from tests import factories as f
from tests.conftest import World, logged_in


@pytest.fixture
def staff_client(world: World) -> Client:
    return logged_in(world.staff)


def grant_both_sides(world: World, work: Work, use_type=None) -> None:
    use_type = use_type or world.training
    for side, actor in ((Side.ARTIST, world.artist_user), (Side.RIGHTS_HOLDER, world.manager)):
        decision_set(
            actor=actor,
            product=world.product,
            work=work,
            use_type=use_type,
            side=side,
            answer=Answer.GRANTED,
        )


def is_permitted(world: World, work: Work, use_type=None) -> bool:
    row = AnnouncedPermission.objects.filter(
        product=world.product, work=work, use_type=use_type or world.training
    ).first()
    return bool(row and row.permitted)


def admin_url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def licence_form(licence: Licence, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "licensee": licence.licensee_id,
        "label": licence.label_id,
        "reference": licence.reference,
        "starts_on": licence.starts_on.isoformat(),
        "ends_on": licence.ends_on.isoformat() if licence.ends_on else "",
        "use_types": [use.pk for use in licence.use_types.all()],
        "artist_share": licence.artist_share,
        "label_share": licence.label_share,
        "platform_share": licence.platform_share,
        # The inline of shares that differ by use: none.
        "shares-TOTAL_FORMS": 0,
        "shares-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


# --- who gets in ------------------------------------------------------------------------


def test_staff_can_open_every_changelist_add_and_change_page(world: World, staff_client: Client):
    grant_both_sides(world, world.works[0])  # so every consent table has a row to open
    f.CreditFactory(work=world.works[0])
    request = RequestFactory().get("/admin/")
    request.user = world.staff
    assert admin.site._registry
    for model, model_admin in admin.site._registry.items():
        response = staff_client.get(admin_url(model, "changelist"))
        assert response.status_code == 200, model
        if model_admin.has_add_permission(request):
            assert staff_client.get(admin_url(model, "add")).status_code == 200, model
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            response = staff_client.get(admin_url(model, "change", first.pk))
            assert response.status_code == 200, model


def test_a_non_staff_artist_is_sent_to_login_and_then_refused(world: World, artist_client: Client):
    response = artist_client.get(admin_url(Work, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert artist_client.get(response["Location"]).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_allauth_login(world: World, client: Client):
    response = client.get(admin_url(Work, "changelist"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


# --- users ------------------------------------------------------------------------------


def test_staff_can_add_a_user_with_only_an_email(world: World, staff_client: Client):
    response = staff_client.post(
        admin_url(User, "add"),
        {
            "email": "newcomer@example.test",
            "name": "New Comer",
            "usable_password": "true",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.test")
    assert user.name == "New Comer"
    assert user.check_password("a long and unusual passphrase")
    assert not user.is_staff


def test_a_second_user_with_the_same_email_in_other_case_is_refused(
    world: World, staff_client: Client
):
    response = staff_client.post(
        admin_url(User, "add"),
        {"email": "ADA@example.test", "usable_password": "false"},
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="ada@example.test").count() == 1


def test_staff_can_find_a_user_by_name(world: World, staff_client: Client):
    world.artist_user.name = "Ada Lane Herself"
    world.artist_user.save()
    response = staff_client.get(admin_url(User, "changelist"), {"q": "Lane Herself"})
    assert list(response.context["cl"].result_list) == [world.artist_user]


# --- works and identifiers --------------------------------------------------------------


@pytest.mark.parametrize("typed", ["USRC17607839", "usrc17607839", "us-rc1-76-07839"])
def test_searching_works_by_isrc_finds_the_work_however_typed(
    world: World, staff_client: Client, typed: str
):
    work = f.WorkFactory(isrc="USRC17607839", title="Blue Hour", primary_artist=world.artist)
    response = staff_client.get(admin_url(Work, "changelist"), {"q": typed})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [work]


def test_searching_works_by_title_still_works(world: World, staff_client: Client):
    response = staff_client.get(admin_url(Work, "changelist"), {"q": "paper moons"})
    assert [w.title for w in response.context["cl"].result_list] == ["Paper Moons"]


def test_searching_the_ledger_by_dashed_isrc_finds_the_works_entries(
    world: World, staff_client: Client
):
    grant_both_sides(world, world.works[0])
    grant_both_sides(world, world.works[1])
    isrc = world.works[0].isrc
    dashed = f"{isrc[:2]}-{isrc[2:5]}-{isrc[5:7]}-{isrc[7:]}".lower()
    response = staff_client.get(admin_url(LedgerEntry, "changelist"), {"q": dashed})
    found = list(response.context["cl"].result_list)
    assert len(found) == 2
    assert {entry.work_id for entry in found} == {world.works[0].pk}


def work_form(world: World, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "isrc": "",
        "title": "New Song",
        "primary_artist": world.artist.pk,
        "label": world.label.pk,
        "iswc": "",
        "release_title": "",
        "release_date": "",
        "duration": "",
        "credits-TOTAL_FORMS": 0,
        "credits-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_a_malformed_isrc_in_the_work_form_is_a_field_error_and_creates_nothing(
    world: World, staff_client: Client
):
    before = Work.objects.count()
    response = staff_client.post(admin_url(Work, "add"), work_form(world, isrc="US-RC1-76-0783"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["isrc"] == [
        "US-RC1-76-0783 is not a valid ISRC (12 characters such as USRC17607839)."
    ]
    assert not form.non_field_errors()  # said once, on the field
    assert Work.objects.count() == before


def test_a_dashed_isrc_in_the_work_form_is_stored_normalised(world: World, staff_client: Client):
    response = staff_client.post(
        admin_url(Work, "add"),
        work_form(world, isrc="us-rc1-76-07839", iswc="T-034.524.680-1"),
    )
    assert response.status_code == 302
    work = Work.objects.get(title="New Song")
    assert (work.isrc, work.iswc) == ("USRC17607839", "T0345246801")


def test_a_duplicate_isrc_in_any_spelling_is_refused(world: World, staff_client: Client):
    isrc = world.works[0].isrc
    dashed = f"{isrc[:2]}-{isrc[2:5]}-{isrc[5:7]}-{isrc[7:]}".lower()
    response = staff_client.post(admin_url(Work, "add"), work_form(world, isrc=dashed))
    assert response.status_code == 200
    assert "isrc" in response.context["adminform"].form.errors
    assert not Work.objects.filter(title="New Song").exists()


def test_a_malformed_isni_on_an_artist_is_a_field_error(world: World, staff_client: Client):
    response = staff_client.post(
        admin_url(type(world.artist), "change", world.artist.pk),
        {
            "name": world.artist.name,
            "isni": "0000 0001 2150 0901",
            "label": world.label.pk,
            "artistmembership_set-TOTAL_FORMS": 0,
            "artistmembership_set-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "isni" in response.context["adminform"].form.errors
    world.artist.refresh_from_db()
    assert world.artist.isni == ""


def test_a_decided_work_moved_to_another_artist_and_label_keeps_neither_answer(
    world: World, staff_client: Client
):
    work = world.works[0]
    grant_both_sides(world, work)
    response = staff_client.post(
        admin_url(Work, "change", work.pk),
        work_form(
            world,
            isrc=work.isrc,
            title="Renamed",
            primary_artist=world.outsider_artist.pk,
            label=world.other_label.pk,
        ),
    )
    assert response.status_code == 302
    work.refresh_from_db()
    assert (work.title, work.primary_artist_id, work.label_id) == (
        "Renamed",
        world.outsider_artist.pk,
        world.other_label.pk,
    )
    # Neither Cy Moss nor Southern Cross said yes: the answers went with the parties.
    assert not Decision.objects.filter(work=work).exists()
    assert not AnnouncedPermission.objects.filter(work=work, permitted=True).exists()
    assert PermissionChange.objects.filter(work=work).latest("seq").permitted is False


# --- the ledger and decisions are for audit only ----------------------------------------


@pytest.mark.parametrize("model", [LedgerEntry, Decision, AnnouncedPermission, PermissionChange])
def test_consent_records_cannot_be_added_edited_or_deleted_in_admin(
    world: World, staff_client: Client, model: type
):
    grant_both_sides(world, world.works[0])
    row = model._default_manager.order_by("pk").first()
    before = list(model._default_manager.order_by("pk").values())

    assert staff_client.get(admin_url(model, "change", row.pk)).status_code == 200  # visible
    assert staff_client.post(admin_url(model, "change", row.pk), {}).status_code == 403
    assert staff_client.get(admin_url(model, "add")).status_code == 403
    assert staff_client.post(admin_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    response = staff_client.post(
        admin_url(model, "changelist"), {"action": "delete_selected", "_selected_action": [row.pk]}
    )
    assert response.status_code in (200, 302)
    assert list(model._default_manager.order_by("pk").values()) == before


def test_the_decision_change_page_shows_no_editable_fields(world: World, staff_client: Client):
    grant_both_sides(world, world.works[0])
    decision = Decision.objects.first()
    response = staff_client.get(admin_url(Decision, "change", decision.pk))
    assert not response.context["adminform"].form.fields
    assert b'name="answer"' not in response.content


# --- products: status through the consent service --------------------------------------


def test_suspending_a_product_announces_every_permission_it_withdraws(
    world: World, staff_client: Client
):
    grant_both_sides(world, world.works[0])
    grant_both_sides(world, world.works[1], world.style)
    assert is_permitted(world, world.works[0])

    response = staff_client.post(
        admin_url(Product, "changelist"),
        {"action": "suspend", "_selected_action": [world.product.pk]},
        follow=True,
    )

    world.product.refresh_from_db()
    assert world.product.status == Product.Status.SUSPENDED
    changes = PermissionChange.objects.filter(product=world.product, cause=Cause.PRODUCT)
    assert {(c.work_id, c.use_type_id, c.permitted) for c in changes} == {
        (world.works[0].pk, world.training.pk, False),
        (world.works[1].pk, world.style.pk, False),
    }
    assert not is_permitted(world, world.works[0])
    assert "Suspended 1 product; 2 permissions flipped" in response.content.decode()
    # Staff actions are audited in admin's own history of the product.
    entry = LogEntry.objects.get(object_id=str(world.product.pk))
    assert (entry.user, entry.action_flag) == (world.staff, CHANGE)
    assert entry.get_change_message() == "Suspended; 2 permissions flipped as a result."


def test_reactivating_a_suspended_product_permits_again(world: World, staff_client: Client):
    grant_both_sides(world, world.works[0])
    url = admin_url(Product, "changelist")
    staff_client.post(url, {"action": "suspend", "_selected_action": [world.product.pk]})
    staff_client.post(url, {"action": "reactivate", "_selected_action": [world.product.pk]})
    world.product.refresh_from_db()
    assert world.product.status == Product.Status.ACTIVE
    assert is_permitted(world, world.works[0])


def test_retiring_a_product_withdraws_its_permissions(world: World, staff_client: Client):
    grant_both_sides(world, world.works[0])
    staff_client.post(
        admin_url(Product, "changelist"),
        {"action": "retire", "_selected_action": [world.product.pk]},
    )
    world.product.refresh_from_db()
    assert world.product.status == Product.Status.RETIRED
    assert not is_permitted(world, world.works[0])


def product_form(product: Product, uses: list[tuple[int | None, int, bool]]) -> dict[str, object]:
    """The change form's data, with (ProductUse id, use type id, delete) per inline row."""
    data: dict[str, object] = {
        "licensee": product.licensee_id,
        "name": product.name,
        "slug": product.slug,
        "summary": product.summary,
        "description": product.description,
        "status": Product.Status.DRAFT,  # read-only in the change form: must be ignored
        "uses-TOTAL_FORMS": len(uses),
        "uses-INITIAL_FORMS": sum(1 for pk, _, _ in uses if pk),
        # The training manifests listed read-only below the uses: none in these tests.
        "manifests-TOTAL_FORMS": 0,
        "manifests-INITIAL_FORMS": 0,
    }
    for i, (pk, use_type_id, delete) in enumerate(uses):
        data[f"uses-{i}-id"] = pk or ""
        data[f"uses-{i}-product"] = product.pk
        data[f"uses-{i}-use_type"] = use_type_id
        data[f"uses-{i}-purpose"] = "Uses it."
        if delete:
            data[f"uses-{i}-DELETE"] = "on"
    return data


def test_the_status_cannot_be_changed_in_the_product_form(world: World, staff_client: Client):
    uses = [(pu.pk, pu.use_type_id, False) for pu in world.product.uses.all()]
    response = staff_client.post(
        admin_url(Product, "change", world.product.pk), product_form(world.product, uses)
    )
    assert response.status_code == 302
    world.product.refresh_from_db()
    assert world.product.status == Product.Status.ACTIVE


def test_a_new_product_may_start_in_any_status(world: World, staff_client: Client):
    response = staff_client.post(
        admin_url(Product, "add"),
        {
            "licensee": world.product.licensee_id,
            "name": "Lyricist",
            "slug": "lyricist",
            "summary": "Writes lyrics.",
            "description": "",
            "status": Product.Status.ACTIVE,
            "uses-TOTAL_FORMS": 1,
            "uses-INITIAL_FORMS": 0,
            "uses-0-use_type": world.lyrics.pk,
            "uses-0-purpose": "Suggests lines.",
            "manifests-TOTAL_FORMS": 0,
            "manifests-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    product = Product.objects.get(slug="lyricist")
    assert product.status == Product.Status.ACTIVE
    assert product.status_changed_at is not None
    assert [use.use_type for use in product.uses.all()] == [world.lyrics]


def test_removing_a_use_from_a_product_withdraws_its_permissions(
    world: World, staff_client: Client
):
    grant_both_sides(world, world.works[0])
    grant_both_sides(world, world.works[0], world.style)
    uses = [
        (pu.pk, pu.use_type_id, pu.use_type_id == world.training.pk)
        for pu in world.product.uses.all()
    ]

    response = staff_client.post(
        admin_url(Product, "change", world.product.pk), product_form(world.product, uses)
    )

    assert response.status_code == 302
    assert not is_permitted(world, world.works[0], world.training)
    assert is_permitted(world, world.works[0], world.style)
    change = PermissionChange.objects.get(product=world.product, cause=Cause.PRODUCT)
    assert (change.use_type, change.permitted) == (world.training, False)


# --- licences: edits announce what flips -----------------------------------------------


def test_ending_a_licence_in_the_admin_withdraws_its_permissions(
    world: World, staff_client: Client
):
    grant_both_sides(world, world.works[0])
    assert is_permitted(world, world.works[0])
    yesterday = timezone.now().date() - timedelta(days=1)

    response = staff_client.post(
        admin_url(Licence, "change", world.licence.pk),
        licence_form(world.licence, ends_on=yesterday.isoformat()),
        follow=True,
    )

    assert response.status_code == 200
    world.licence.refresh_from_db()
    assert world.licence.ends_on == yesterday
    assert not is_permitted(world, world.works[0])
    change = PermissionChange.objects.filter(product=world.product).latest("seq")
    assert (change.work, change.permitted, change.cause) == (world.works[0], False, Cause.LICENCE)
    assert "licence_ended" in change.reasons
    assert "1 permission flipped" in response.content.decode()


def test_removing_a_use_from_a_licence_withdraws_it_once_the_uses_are_saved(
    world: World, staff_client: Client
):
    grant_both_sides(world, world.works[0])
    grant_both_sides(world, world.works[0], world.style)

    staff_client.post(
        admin_url(Licence, "change", world.licence.pk),
        licence_form(world.licence, use_types=[world.style.pk]),
    )

    assert not is_permitted(world, world.works[0], world.training)
    assert is_permitted(world, world.works[0], world.style)


def test_deleting_a_licence_in_the_admin_withdraws_its_permissions(
    world: World, staff_client: Client
):
    grant_both_sides(world, world.works[0])
    response = staff_client.post(admin_url(Licence, "delete", world.licence.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Licence.objects.filter(pk=world.licence.pk).exists()
    assert not is_permitted(world, world.works[0])


def test_deleting_licences_from_the_list_withdraws_their_permissions(
    world: World, staff_client: Client
):
    grant_both_sides(world, world.works[0])
    staff_client.post(
        admin_url(Licence, "changelist"),
        {"action": "delete_selected", "_selected_action": [world.licence.pk], "post": "yes"},
    )
    assert not Licence.objects.filter(pk=world.licence.pk).exists()
    assert not is_permitted(world, world.works[0])


def test_a_new_licence_in_the_admin_permits_what_both_sides_granted(
    world: World, staff_client: Client
):
    grant_both_sides(world, world.works[0])
    staff_client.post(admin_url(Licence, "delete", world.licence.pk), {"post": "yes"})
    assert not is_permitted(world, world.works[0])

    response = staff_client.post(
        admin_url(Licence, "add"),
        licence_form(world.licence, use_types=[world.training.pk]),
    )

    assert response.status_code == 302
    assert is_permitted(world, world.works[0])


def test_licence_shares_not_adding_up_to_100_are_a_clear_form_error(
    world: World, staff_client: Client
):
    response = staff_client.post(
        admin_url(Licence, "change", world.licence.pk),
        licence_form(world.licence, platform_share="15.00"),
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {
        "platform_share": [
            "The shares must add up to 100%: artist 50.00 + label 30.00 + platform 15.00 = 95.00%."
        ]
    }
    world.licence.refresh_from_db()
    assert world.licence.platform_share == 20


def test_a_licence_ending_before_it_starts_is_a_form_error(world: World, staff_client: Client):
    before = world.licence.starts_on - timedelta(days=1)
    response = staff_client.post(
        admin_url(Licence, "change", world.licence.pk),
        licence_form(world.licence, ends_on=before.isoformat()),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "ends_on": ["A licence cannot end before it starts."]
    }


def test_editing_a_licence_reference_announces_nothing(world: World, staff_client: Client):
    grant_both_sides(world, world.works[0])
    before = PermissionChange.objects.count()
    response = staff_client.post(
        admin_url(Licence, "change", world.licence.pk),
        licence_form(world.licence, reference="NLR-2026-01"),
    )
    assert response.status_code == 302
    world.licence.refresh_from_db()
    assert world.licence.reference == "NLR-2026-01"
    assert PermissionChange.objects.count() == before


# --- licensees: their products and licences are listed, edited on their own pages ------


def test_a_licensee_can_be_renamed_while_its_products_and_licences_are_only_listed(
    world: World, staff_client: Client
):
    licensee = world.product.licensee
    url = admin_url(type(licensee), "change", licensee.pk)
    page = staff_client.get(url)
    assert world.product.name in page.content.decode()
    assert 'name="products-0-name"' not in page.content.decode()

    response = staff_client.post(
        url,
        {
            "name": "Renamed Labs",
            "website": "renamed.example",
            "products-TOTAL_FORMS": 1,
            "products-INITIAL_FORMS": 1,
            "products-0-id": world.product.pk,
            "products-0-name": "Hijacked",
            "licences-TOTAL_FORMS": 2,
            "licences-INITIAL_FORMS": 2,
        },
    )

    assert response.status_code == 302
    licensee.refresh_from_db()
    assert (licensee.name, licensee.website) == ("Renamed Labs", "https://renamed.example")
    world.product.refresh_from_db()
    assert world.product.name == "Tunesmith"


# --- big tables stay cheap --------------------------------------------------------------


def changelist_query_counts(client: Client) -> dict[str, int]:
    counts = {}
    for model in admin.site._registry:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(admin_url(model, "changelist")).status_code == 200
        counts[model._meta.label] = len(queries)
    return counts


def test_changelists_cost_the_same_queries_however_many_rows(world: World, staff_client: Client):
    grant_both_sides(world, world.works[0])
    few = changelist_query_counts(staff_client)
    for _ in range(4):
        work = f.WorkFactory(primary_artist=f.ArtistFactory(label=f.LabelFactory()))
        f.ArtistMembershipFactory(artist=work.primary_artist)
        f.LabelManagerFactory(label=work.label)
        f.CreditFactory(work=work)
        f.LicenceFactory(
            licensee=world.product.licensee, label=work.label, use_types=[world.lyrics]
        )
        f.ProductUseFactory(product=f.ProductFactory(), use_type=world.lyrics)
    grant_both_sides(world, world.works[1])
    grant_both_sides(world, world.works[2], world.style)
    assert changelist_query_counts(staff_client) == few


def test_staff_set_shares_for_one_use_on_the_licence(world: World, staff_client: Client):
    url = reverse("admin:licensing_licence_change", args=[world.licence.pk])
    shares = {
        "shares-TOTAL_FORMS": 1,
        "shares-0-use_type": world.style.pk,
        "shares-0-artist_share": "70",
        "shares-0-label_share": "20",
        "shares-0-platform_share": "5",
    }
    response = staff_client.post(url, licence_form(world.licence, **shares))
    assert response.status_code == 200
    assert "The shares must add up to 100%." in response.content.decode()
    assert not world.licence.shares.exists()
    response = staff_client.post(
        url, licence_form(world.licence, **{**shares, "shares-0-platform_share": "10"})
    )
    assert response.status_code == 302
    share = world.licence.shares.get()
    assert (share.use_type, share.artist_share, share.platform_share) == (
        world.style,
        Decimal(70),
        Decimal(10),
    )
