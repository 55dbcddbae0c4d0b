"""Usage reports: validated whole, stored whole or not at all, exact to the cent."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from portal.api.services import api_key_issue
from portal.earnings.models import UsageLine, UsageReport
from tests import factories as f
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World

REPORTS = "/api/v1/usage-reports"


@pytest.fixture
def key(world: World) -> str:
    return api_key_issue(product=world.product)[1]


def api(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def report(world: World, **changes: object) -> dict:
    body: dict = {
        "reference": "2026-10-tunesmith-1",
        "period": {"start": "2026-10-01", "end": "2026-10-31"},
        "currency": "EUR",
        "lines": [
            {
                "isrc": world.works[0].isrc,
                "use": "training",
                "units": 1200,
                "gross": "123.45",
                "credit": "Ada Lane — Night Drive 0",
            },
            {"isrc": world.works[1].isrc, "use": "style_generation", "units": 3, "gross": "0.10"},
        ],
    }
    body.update(changes)
    return body


def submit(raw: str, body: object, **headers: str):
    data = body if isinstance(body, str) else json.dumps(body)
    return api(raw).post(REPORTS, data, content_type="application/json", headers=headers)


def test_a_valid_report_is_stored_whole_with_exact_amounts(world, key):
    response = submit(key, report(world))
    assert response.status_code == 201
    stored = UsageReport.objects.get()
    assert response.json() == {"id": stored.pk, "reference": "2026-10-tunesmith-1", "lines": 2}
    assert (stored.product, stored.currency) == (world.product, "EUR")
    assert str(stored.period_start) == "2026-10-01"
    lines = list(UsageLine.objects.order_by("pk").values_list("work", "units", "gross", "credit"))
    assert lines == [
        (world.works[0].pk, 1200, Decimal("123.45"), "Ada Lane — Night Drive 0"),
        (world.works[1].pk, 3, Decimal("0.10"), ""),
    ]


def test_amounts_sent_as_json_numbers_are_read_exactly_never_as_floats(world, key):
    body = report(world)
    # 0.1 + 0.2 as floats is 0.30000000000000004; read as decimals it is exactly 0.30.
    raw = json.dumps(body).replace('"123.45"', "0.1").replace('"0.10"', "0.20")
    assert submit(key, raw).status_code == 201
    assert sum(UsageLine.objects.values_list("gross", flat=True)) == Decimal("0.30")


def test_one_bad_line_stores_nothing_and_names_the_mistake(world, key):
    body = report(world)
    body["lines"].append(
        {"isrc": world.works[2].isrc, "use": "training", "units": 1, "gross": "1.005"}
    )
    response = submit(key, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_report"
    assert error["details"] == [
        {"line": 2, "field": "gross", "message": error["details"][0]["message"]}
    ]
    assert not UsageReport.objects.exists() and not UsageLine.objects.exists()


def test_every_mistake_is_named_at_once(world, key):
    body = report(
        world,
        currency="EURO",
        period={"start": "2026-10-31", "end": "2026-10-01"},
        lines=[
            {"isrc": "nonsense", "use": "training", "units": 1, "gross": "1"},
            {"isrc": "USRC17607839", "use": "karaoke", "units": -1, "gross": "-1"},
            {"isrc": world.works[0].isrc, "use": "training", "units": True, "gross": "NaN"},
            {"isrc": world.works[0].isrc, "use": "training", "units": 1.5, "gross": "1e400"},
            {
                "isrc": world.works[1].isrc,
                "use": "training",
                "units": 1,
                "gross": "1",
                "credit": ["a"],
            },
        ],
    )
    response = submit(key, body)
    assert response.status_code == 400
    found = {(d["line"], d["field"]) for d in response.json()["error"]["details"]}
    assert found == {
        (None, "currency"),
        (None, "period.end"),
        (0, "isrc"),
        (1, "isrc"),
        (1, "use"),
        (1, "units"),
        (1, "gross"),
        (2, "units"),
        (2, "gross"),
        (3, "units"),
        (3, "gross"),
        (3, "isrc"),  # repeats line 2
        (4, "credit"),
    }
    assert not UsageReport.objects.exists()


def test_a_currency_without_minor_units_takes_whole_amounts_only(world, key):
    body = report(world, currency="JPY")
    assert submit(key, body).json()["error"]["details"][0]["field"] == "gross"
    for line in body["lines"]:
        line["gross"] = "1200"
    assert submit(key, body).status_code == 201


@pytest.mark.parametrize(
    "body",
    ["{", "[]", '{"reference": "x"}', '{"reference": "x", "lines": []}'],
)
def test_a_malformed_report_is_400_and_stores_nothing(world, key, body):
    response = submit(key, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid_request", "invalid_report"}
    assert not UsageReport.objects.exists()


def test_sending_the_same_report_again_answers_200_with_the_same_id(world, key):
    first = submit(key, report(world)).json()
    # The same report, with keys in another order and an amount written differently.
    again = report(world)
    again["lines"][1]["gross"] = "0.1"
    again = dict(reversed(list(again.items())))
    response = submit(key, again)
    assert response.status_code == 200
    assert response.json() == first
    assert UsageReport.objects.count() == 1 and UsageLine.objects.count() == 2


def test_a_different_report_under_a_used_reference_is_409_and_changes_nothing(world, key):
    submit(key, report(world))
    changed = report(world)
    changed["lines"][0]["gross"] = "999.99"
    response = submit(key, changed)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert UsageLine.objects.filter(gross=Decimal("999.99")).count() == 0


def test_two_products_may_use_the_same_reference(world, key):
    other_key = api_key_issue(product=f.ProductFactory())[1]
    assert submit(key, report(world)).status_code == 201
    assert submit(other_key, report(world)).status_code == 201


def test_a_product_reads_back_its_own_report(world, key):
    created = submit(key, report(world)).json()
    response = api(key).get(f"{REPORTS}/{created['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == "2026-10-tunesmith-1"
    assert body["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert (body["lines"], body["gross"], body["currency"]) == (2, "123.55", "EUR")
    # Nothing was permitted: the product learns both lines were flagged and held.
    assert (body["flagged_lines"], body["flagged_gross"]) == (2, "123.55")


def test_a_report_id_that_cannot_exist_is_404(world, key):
    response = api(key).get(f"{REPORTS}/{2**64}")
    assert response.status_code == 404


def test_another_products_report_is_404(world, key):
    created = submit(key, report(world)).json()
    other_key = api_key_issue(product=f.ProductFactory())[1]
    response = api(other_key).get(f"{REPORTS}/{created['id']}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_more_than_100000_lines_is_413(world, key):
    line = {"isrc": world.works[0].isrc, "use": "training", "units": 1, "gross": "1"}
    response = submit(key, report(world, lines=[line] * 100_001))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_many_items"
    assert not UsageReport.objects.exists()


def test_a_report_needs_a_key(world):
    response = Client().post(REPORTS, report(world), content_type="application/json")
    assert response.status_code == 401


def test_staff_read_reports_and_their_lines_in_admin_but_cannot_change_them(world, key):
    from django.urls import reverse

    from tests.conftest import logged_in

    created = submit(key, report(world)).json()
    staff = logged_in(world.staff)
    listing = staff.get(reverse("admin:earnings_usagereport_changelist")).content.decode()
    assert "2026-10-tunesmith-1" in listing and "123.55 EUR" in listing
    page = staff.get(reverse("admin:earnings_usagereport_change", args=[created["id"]]))
    assert page.status_code == 200
    lines_url = (
        reverse("admin:earnings_usageline_changelist") + f"?report__id__exact={created['id']}"
    )
    assert lines_url in page.content.decode().replace("&amp;", "&")
    lines = staff.get(lines_url)
    assert lines.status_code == 200 and world.works[0].title in lines.content.decode()
    assert staff.get(reverse("admin:earnings_usagereport_add")).status_code == 403
    changed = staff.post(
        reverse("admin:earnings_usagereport_change", args=[created["id"]]), {"currency": "USD"}
    )
    assert changed.status_code == 403
    assert UsageReport.objects.get().currency == "EUR"


def test_lines_validated_in_chunks_are_named_by_their_place_in_the_report(world, key, monkeypatch):
    from portal.earnings import validation

    monkeypatch.setattr(validation, "CHUNK", 2)
    lines = [
        {"isrc": world.works[0].isrc, "use": "training", "units": 1, "gross": "1"},
        {"isrc": world.works[1].isrc, "use": "training", "units": 1, "gross": "1"},
        {"isrc": world.works[2].isrc, "use": "training", "units": -1, "gross": "1"},
        {"isrc": world.works[0].isrc, "use": "training", "units": 1, "gross": "1.001"},
        {"isrc": world.works[2].isrc, "use": "style_generation", "units": 1, "gross": "1"},
    ]
    response = submit(key, report(world, lines=lines))
    details = response.json()["error"]["details"]
    assert [(d["line"], d["field"]) for d in details] == [
        (2, "units"),
        (3, "gross"),
        (3, "isrc"),  # repeats line 0
    ]
    assert "Repeats line 0" in details[2]["message"]
    lines[2]["units"], lines[3]["gross"], lines[3]["use"] = 1, "1", "style_generation"
    assert submit(key, report(world, lines=lines)).status_code == 201
    assert UsageLine.objects.count() == 5
