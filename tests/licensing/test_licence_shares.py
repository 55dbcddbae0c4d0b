"""A licence's revenue shares, its own and those set apart for one use, are never negative
and always add up to 100: a clear error in admin, in model validation, and a refusal by
the database whoever writes them, since allocation cannot split money by other terms."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from portal.licensing.models import Licence, LicenceShare
from tests import factories as f
from tests.conftest import World, logged_in
from tests.licensing.test_admin import licence_form

NEGATIVE = "Ensure this value is greater than or equal to 0."


@pytest.fixture
def staff_client(world: World) -> Client:
    return logged_in(world.staff)


def change_url(licence: Licence) -> str:
    return reverse("admin:licensing_licence_change", args=[licence.pk])


def use_shares(world: World, artist: str, label: str, platform: str) -> dict[str, object]:
    return {
        "shares-TOTAL_FORMS": 1,
        "shares-0-use_type": world.style.pk,
        "shares-0-artist_share": artist,
        "shares-0-label_share": label,
        "shares-0-platform_share": platform,
    }


# --- admin ----------------------------------------------------------------------------------


def test_a_negative_share_on_the_licence_is_a_clear_form_error(
    world: World, staff_client: Client
) -> None:
    # 60 + 50 - 10 adds up to 100: only the sign is wrong.
    response = staff_client.post(
        change_url(world.licence),
        licence_form(world.licence, artist_share="60", label_share="50", platform_share="-10"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"platform_share": [NEGATIVE]}
    world.licence.refresh_from_db()
    assert world.licence.platform_share == Decimal(20)


def test_a_negative_share_for_one_use_is_a_clear_form_error(
    world: World, staff_client: Client
) -> None:
    response = staff_client.post(
        change_url(world.licence),
        licence_form(world.licence, **use_shares(world, "110", "-10", "0")),
    )

    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    assert inline.formset.errors == [
        {
            "artist_share": ["Ensure this value is less than or equal to 100."],
            "label_share": [NEGATIVE],
        }
    ]
    assert not world.licence.shares.exists()


def test_shares_for_one_use_not_adding_up_to_100_are_a_clear_form_error(
    world: World, staff_client: Client
) -> None:
    response = staff_client.post(
        change_url(world.licence), licence_form(world.licence, **use_shares(world, "70", "20", "5"))
    )

    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    assert inline.formset.errors == [{"__all__": ["The shares must add up to 100%."]}]
    assert not world.licence.shares.exists()


# --- the model --------------------------------------------------------------------------------


def test_a_licence_whose_shares_do_not_add_up_to_100_fails_validation(world: World) -> None:
    licence = Licence(
        licensee=world.product.licensee,
        label=world.label,
        starts_on=world.licence.starts_on,
        artist_share=Decimal(50),
        label_share=Decimal(30),
        platform_share=Decimal(15),
    )

    with pytest.raises(ValidationError) as refused:
        licence.full_clean()

    assert refused.value.messages == ["The shares must add up to 100%."]


def test_a_licence_with_a_negative_share_fails_validation(world: World) -> None:
    licence = Licence(
        licensee=world.product.licensee,
        label=world.label,
        starts_on=world.licence.starts_on,
        artist_share=Decimal(60),
        label_share=Decimal(50),
        platform_share=Decimal(-10),
    )

    with pytest.raises(ValidationError) as refused:
        licence.full_clean()

    assert refused.value.message_dict == {"platform_share": [NEGATIVE]}


def test_shares_for_one_use_not_adding_up_to_100_fail_validation(world: World) -> None:
    share = LicenceShare(
        licence=world.licence,
        use_type=world.style,
        artist_share=Decimal(70),
        label_share=Decimal(20),
        platform_share=Decimal(5),
    )

    with pytest.raises(ValidationError) as refused:
        share.full_clean()

    assert refused.value.messages == ["The shares must add up to 100%."]


# --- the database ------------------------------------------------------------------------------


def refused_by_the_database(write: Callable[[], object]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_the_database_refuses_licence_shares_not_adding_up_to_100(world: World) -> None:
    licences = Licence.objects.filter(pk=world.licence.pk)

    refused_by_the_database(lambda: licences.update(platform_share=Decimal(15)))
    refused_by_the_database(
        lambda: f.LicenceFactory(artist_share=Decimal(50), platform_share=Decimal(25))
    )

    assert licences.get().platform_share == Decimal(20)


def test_the_database_refuses_a_negative_licence_share_even_when_they_add_up_to_100(
    world: World,
) -> None:
    licences = Licence.objects.filter(pk=world.licence.pk)

    # 110 - 30 + 20 = 100.
    refused_by_the_database(
        lambda: licences.update(artist_share=Decimal(110), label_share=Decimal(-30))
    )

    assert licences.get().artist_share == Decimal(50)


def test_the_database_refuses_shares_for_one_use_that_are_negative_or_do_not_add_up(
    world: World,
) -> None:
    share = LicenceShare.objects.create(
        licence=world.licence,
        use_type=world.style,
        artist_share=Decimal(70),
        label_share=Decimal(20),
        platform_share=Decimal(10),
    )
    shares = LicenceShare.objects.filter(pk=share.pk)

    refused_by_the_database(lambda: shares.update(platform_share=Decimal(5)))
    refused_by_the_database(  # 110 + 20 - 30 = 100
        lambda: shares.update(artist_share=Decimal(110), platform_share=Decimal(-30))
    )

    assert shares.get().platform_share == Decimal(10)
