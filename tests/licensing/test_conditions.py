"""The conditions a yes can carry: the vocabulary staff manage, and the ones each product
declares it can honour, which artists read on its card."""

from django.test import Client
from django.urls import reverse

from portal.licensing.models import Condition, Product
from tests import factories as f
from tests.conftest import World, logged_in
from tests.licensing.test_admin import admin_url, product_form
from tests.seeded import vocabulary_seed


def test_the_vocabulary_starts_with_the_five_conditions_and_what_each_asks_for(db: None) -> None:
    # What the migration seeds, seeded again by its own function in case a transactional
    # test before this one emptied the table.
    vocabulary_seed()
    assert list(Condition.objects.values_list("code", "parameter")) == [
        ("credit_required", "credit"),
        ("non_commercial", "none"),
        ("no_advertising", "none"),
        ("no_political", "none"),
        ("territories", "territories"),
    ]
    assert all(condition.explanation for condition in Condition.objects.all())


def test_staff_add_a_condition_and_its_code_is_then_fixed(world: World) -> None:
    staff = logged_in(world.staff)
    response = staff.post(
        admin_url(Condition, "add"),
        {
            "code": "no_sampling",
            "name": "No sampling",
            "explanation": "Nothing of the recording itself is played back.",
            "parameter": "none",
            "position": 9,
        },
    )
    assert response.status_code == 302
    condition = Condition.objects.get(code="no_sampling")

    staff.post(
        admin_url(Condition, "change", condition.pk),
        {
            "code": "renamed",
            "name": "No samples",
            "explanation": "Nothing of it is played back.",
            "parameter": "credit",
            "position": 9,
        },
    )
    condition.refresh_from_db()
    assert (condition.code, condition.parameter, condition.name) == (
        "no_sampling",
        "none",
        "No samples",
    )


def test_staff_declare_what_a_product_can_honour_and_the_artist_reads_it(
    world: World, artist_client: Client
) -> None:
    staff = logged_in(world.staff)
    page = staff.get(admin_url(Product, "change", world.product.pk)).content.decode()
    assert 'type="checkbox" name="conditions_honoured"' in page
    home = reverse("artist_home", args=[world.artist.pk])
    assert "It can honour no conditions: a yes to Tunesmith is a yes without conditions." in (
        artist_client.get(home).content.decode()
    )

    honoured = Condition.objects.filter(code__in=["credit_required", "non_commercial"])
    uses = [(pu.pk, pu.use_type_id, False) for pu in world.product.uses.all()]
    data = {**product_form(world.product, uses), "conditions_honoured": [c.pk for c in honoured]}
    response = staff.post(admin_url(Product, "change", world.product.pk), data)

    assert response.status_code == 302
    assert set(world.product.conditions_honoured.all()) == set(honoured)
    body = artist_client.get(home).content.decode()
    assert "Conditions it can honour on a yes: credit, non-commercial only." in body


def test_the_artist_home_reads_every_products_conditions_at_once(
    world: World, artist_client: Client, django_assert_max_num_queries
) -> None:
    home = reverse("artist_home", args=[world.artist.pk])
    artist_client.get(home)
    with django_assert_max_num_queries(40) as first:
        artist_client.get(home)
    for i in range(3):
        product = f.ProductFactory(slug=f"more-{i}", name=f"More {i}")
        f.ProductUseFactory(product=product, use_type=world.training)
        product.conditions_honoured.set(Condition.objects.all())
        f.LicenceFactory(licensee=product.licensee, label=world.label, use_types=[world.training])
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = artist_client.get(home)
    assert response.content.decode().count("Conditions it can honour on a yes") == 3
