"""API keys: issued once, stored as a hash, revocable, by command and in admin."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.api.keys import key_hash
from portal.api.models import ApiKey
from portal.api.services import api_key_issue, api_key_revoke
from portal.consent.models import Answer, Side
from tests.conftest import World, logged_in, say

CHECK = "/api/v1/permissions/check"


def works_for(world: World, raw: str) -> bool:
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    status = client.get(CHECK, {"isrc": world.works[0].isrc, "use": "training"}).status_code
    assert status in (200, 401)
    return status == 200


def test_an_issued_key_is_stored_only_as_its_hash(world):
    key, raw = api_key_issue(product=world.product, name="production")
    assert raw.startswith("cp_live_") and len(raw) > 40
    assert key.hashed == key_hash(raw) and raw not in key.hashed
    assert raw.startswith(key.prefix) and len(key.prefix) == 16
    assert (key.product, key.name, key.last_used_at, key.revoked_at) == (
        world.product,
        "production",
        None,
        None,
    )
    assert works_for(world, raw)


def test_two_keys_are_never_the_same(world):
    assert api_key_issue(product=world.product)[1] != api_key_issue(product=world.product)[1]


def test_a_revoked_key_stops_working_and_the_others_do_not(world):
    key, raw = api_key_issue(product=world.product)
    _, other = api_key_issue(product=world.product)
    assert api_key_revoke(key=key) is True
    assert api_key_revoke(key=key) is False
    assert not works_for(world, raw)
    assert works_for(world, other)


def test_a_keys_use_is_recorded_at_most_once_a_minute(world, django_assert_num_queries):
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    key, raw = api_key_issue(product=world.product)
    with django_assert_num_queries(2):  # the check, then the record of use
        works_for(world, raw)
    key.refresh_from_db()
    assert key.last_used_at is not None
    first = key.last_used_at
    with django_assert_num_queries(1):
        works_for(world, raw)
    key.refresh_from_db()
    assert key.last_used_at == first
    ApiKey.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    works_for(world, raw)
    key.refresh_from_db()
    assert key.last_used_at > first


# --- the command ---------------------------------------------------------------------------


def test_the_command_prints_a_working_key_once(world):
    out, err = StringIO(), StringIO()
    call_command("issue_api_key", "tunesmith", "--name", "ci", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert works_for(world, raw)
    assert ApiKey.objects.get().name == "ci"
    assert "shown only now" in err.getvalue()


def test_the_command_refuses_an_unknown_product_and_names_the_known_ones(world):
    with pytest.raises(CommandError, match="tunesmith"):
        call_command("issue_api_key", "nope", stdout=StringIO())
    assert not ApiKey.objects.exists()


# --- admin ---------------------------------------------------------------------------------


def test_staff_issue_a_key_in_admin_and_see_it_once(world):
    staff = logged_in(world.staff)
    add = reverse("admin:api_apikey_add")
    assert staff.get(add).status_code == 200
    response = staff.post(add, {"product": world.product.pk, "name": "from admin"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = response.context["raw_key"]
    assert raw in response.content.decode()
    key = ApiKey.objects.get()
    assert key.hashed == key_hash(raw) and key.name == "from admin"
    assert works_for(world, raw)
    # Nowhere else: the list and the key's own page show the prefix only.
    for url in (
        reverse("admin:api_apikey_changelist"),
        reverse("admin:api_apikey_change", args=[key.pk]),
    ):
        page = staff.get(url).content.decode()
        assert key.prefix in page and raw not in page


def test_staff_revoke_keys_with_the_admin_action(world):
    key, raw = api_key_issue(product=world.product)
    staff = logged_in(world.staff)
    response = staff.post(
        reverse("admin:api_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
        follow=True,
    )
    assert "Revoked 1 key" in response.content.decode()
    assert not works_for(world, raw)
    logged = LogEntry.objects.get(object_id=str(key.pk), action_flag=CHANGE)
    assert (logged.user, logged.get_change_message()) == (world.staff, "Revoked.")


def test_keys_cannot_be_deleted_in_admin(world):
    key, _ = api_key_issue(product=world.product)
    staff = logged_in(world.staff)
    assert staff.get(reverse("admin:api_apikey_delete", args=[key.pk])).status_code == 403
