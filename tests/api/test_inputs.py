"""The API's inputs at their edges: control characters, nesting, money strings and periods
are refused with a JSON 400 naming the field, and nothing is stored."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from portal.api.services import api_key_issue
from portal.earnings.models import UsageLine, UsageReport
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World

CHECK = "/api/v1/permissions/check"
REPORTS = "/api/v1/usage-reports"
CONTROLS = ["\x00", "\x01", "\x1f", "\x7f", "\x85", "\x9f", "\n", "\t"]


@pytest.fixture
def key(world: World) -> str:
    return api_key_issue(product=world.product)[1]


def api(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


def report(world: World, **line: object) -> dict:
    return {
        "reference": "2026-10",
        "period": {"start": "2026-10-01", "end": "2026-10-31"},
        "currency": "EUR",
        "lines": [
            {"isrc": world.works[0].isrc, "use": "training", "units": 1, "gross": "1.00"},
            {"isrc": world.works[1].isrc, "use": "training", "units": 1, "gross": "2.00"} | line,
        ],
    }


def submit(raw: str, body: object):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return api(raw).post(REPORTS, data, content_type="application/json")


def refused(raw: str, body: object) -> list[dict]:
    """The details of a report refused as invalid; nothing may have been stored."""
    error = error_of(submit(raw, body), 400, "invalid_report")
    assert not UsageReport.objects.exists() and not UsageLine.objects.exists()
    return error["details"]


# --- control characters --------------------------------------------------------------------


@pytest.mark.parametrize("char", CONTROLS)
def test_a_control_character_in_the_checks_use_is_a_400_naming_it(world, key, char):
    response = api(key).get(CHECK, {"isrc": world.works[0].isrc, "use": f"train{char}ing"})
    error = error_of(response, 400, "unknown_use")
    assert f"U+{ord(char):04X}" in error["message"] and "`use`" in error["message"]


def test_a_bad_key_hears_401_before_anything_about_a_control_character(world):
    response = api("cp_live_" + "x" * 43).get(CHECK, {"isrc": world.works[0].isrc, "use": "\0"})
    error_of(response, 401, "unauthorized")


@pytest.mark.parametrize("char", CONTROLS)
def test_a_control_character_in_the_checks_isrc_is_an_invalid_isrc(world, key, char):
    isrc = world.works[0].isrc
    response = api(key).get(CHECK, {"isrc": f"{isrc[:5]}{char}{isrc[5:]}", "use": "training"})
    error_of(response, 400, "invalid_isrc")
    response = api(key).get(CHECK, {"isrc": f"{isrc}{char}", "use": "training"})
    error_of(response, 400, "invalid_isrc")


def test_a_control_character_in_a_bulk_items_use_is_named_by_its_index(world, key):
    items = [
        {"isrc": world.works[0].isrc, "use": "training"},
        {"isrc": world.works[1].isrc, "use": "training\x00"},
        {"isrc": world.works[2].isrc, "use": "\x9f"},
    ]
    response = api(key).post(CHECK, {"items": items}, content_type="application/json")
    error = error_of(response, 400, "invalid_request")
    assert [(d["index"], d["code"]) for d in error["details"]] == [
        (1, "unknown_use"),
        (2, "unknown_use"),
    ]
    assert "U+0000" in error["details"][0]["message"]


def test_a_nul_in_a_report_lines_use_is_named_by_its_line(world, key):
    details = refused(key, report(world, use="training\x00"))
    assert [(d["line"], d["field"]) for d in details] == [(1, "use")]
    assert "U+0000" in details[0]["message"]


@pytest.mark.parametrize("char", CONTROLS)
@pytest.mark.parametrize("field", ["reference", "credit"])
def test_a_control_character_in_a_reports_text_is_refused(world, key, char, field):
    body = report(world, credit=f"Ada{char}Lane") if field == "credit" else report(world)
    if field == "reference":
        body["reference"] = f"2026{char}10"
    details = refused(key, body)
    assert [(d["line"], d["field"]) for d in details] == [(1 if field == "credit" else None, field)]


# A JSON escape for half of a UTF-16 pair stands for no character; no database driver
# can encode one, so it must be refused like a control character, not reach the database.
SURROGATES = ["\\ud800", "\\udfff", "\\udbff"]


@pytest.mark.parametrize("escape", SURROGATES)
def test_a_lone_surrogate_in_a_bulk_items_use_or_isrc_is_named_by_its_index(world, key, escape):
    isrc = world.works[0].isrc
    body = (
        f'{{"items": [{{"isrc": "{isrc}", "use": "train{escape}ing"}}, '
        f'{{"isrc": "US{escape}RC17607839", "use": "training"}}]}}'
    )
    response = api(key).post(CHECK, body, content_type="application/json")
    error = error_of(response, 400, "invalid_request")
    assert [d["index"] for d in error["details"]] == [0, 1]


@pytest.mark.parametrize("escape", SURROGATES)
@pytest.mark.parametrize("field", ["reference", "credit", "use", "currency"])
def test_a_lone_surrogate_in_a_reports_text_is_refused(world, key, escape, field):
    body = report(world, credit="Ada Lane")
    target = body if field in ("reference", "currency") else body["lines"][1]
    target[field] = "PLACEHOLDER"
    raw = json.dumps(body).replace("PLACEHOLDER", f"x{escape}")
    details = refused(key, raw)
    assert [d["field"] for d in details] == [field]


@pytest.mark.parametrize("mark", ["\u202e", "\u2066", "\u200f"])
@pytest.mark.parametrize("field", ["reference", "credit"])
def test_a_text_direction_mark_in_a_credit_or_reference_is_refused(world, key, mark, field):
    body = report(world, credit="Ada Lane")
    (body if field == "reference" else body["lines"][1])[field] = f"Ada{mark}Lane"
    details = refused(key, body)
    assert [d["field"] for d in details] == [field]


# --- nesting -------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
@pytest.mark.parametrize("path", [CHECK, REPORTS])
def test_json_nested_too_deeply_is_a_400(world, key, depth, path):
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        response = api(key).post(path, body, content_type="application/json")
        error = error_of(response, 400, "invalid_request")
        assert "nested too deeply" in error["message"]
    assert not UsageReport.objects.exists()


def test_a_deep_value_inside_an_item_is_refused_before_it_is_quoted_back(world, key):
    deep = "[" * 900 + "]" * 900
    body = '{"items": [{"isrc": ' + deep + ', "use": "training"}]}'
    response = api(key).post(CHECK, body, content_type="application/json")
    assert "nested too deeply" in error_of(response, 400, "invalid_request")["message"]


def test_json_nested_32_levels_is_read(world, key):
    body = report(world) | {"extra": json.loads("[" * 31 + "]" * 31)}
    assert submit(key, body).status_code == 201


# --- money ---------------------------------------------------------------------------------

REFUSED_AMOUNTS = [
    "1_000",
    "١٢",
    "１２",
    "1e2",
    "1E2",
    " 5",
    "5 ",
    "+5",
    "-5",
    "-0",
    ".5",
    "5.",
    "1,000",
    "1 000",
    "0x10",
    "NaN",
    "Infinity",
    "",
    "1.005",
    "1.\u0665",
    "1000000000000",
    "\x005",
]


@pytest.mark.parametrize("gross", REFUSED_AMOUNTS)
def test_an_amount_outside_the_published_pattern_is_refused_naming_the_line(world, key, gross):
    details = refused(key, report(world, gross=gross))
    assert [(d["line"], d["field"]) for d in details] == [(1, "gross")]


@pytest.mark.parametrize(
    "number",
    ["1e2", "1E+2", "-0.0", "-1", "1.005", "1000000000000", "1.5e0", "150e-2", "1E-0", "-0"],
)
def test_an_amount_sent_as_a_json_number_must_be_written_as_the_pattern_too(world, key, number):
    raw = json.dumps(report(world, gross="PLACEHOLDER")).replace('"PLACEHOLDER"', number)
    details = refused(key, raw)
    assert [(d["line"], d["field"]) for d in details] == [(1, "gross")]


@pytest.mark.parametrize(
    ("gross", "stored"),
    [
        ("0", "0.00"),
        ("5", "5.00"),
        ("0.5", "0.50"),
        ("12.34", "12.34"),
        ("007.10", "7.10"),
        ("999999999999.99", "999999999999.99"),
        (12, "12.00"),
        (Decimal("0.10"), "0.10"),
    ],
)
def test_an_amount_in_the_published_pattern_is_stored_exactly(world, key, gross, stored):
    body = json.dumps(report(world, gross="PLACEHOLDER")).replace('"PLACEHOLDER"', "%s")
    raw = body % (json.dumps(gross) if isinstance(gross, str) else str(gross))
    assert submit(key, raw).status_code == 201
    line = UsageLine.objects.get(work=world.works[1])
    assert line.gross == Decimal(stored)


# --- periods -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("0999-12-01", "0999-12-31", "period.start"),
        ("0001-01-01", "0001-01-31", "period.start"),
        ("1999-12-01", "1999-12-31", "period.start"),
        ("2025-01-01", "2026-01-02", "period"),
        ("2020-01-01", "2026-10-31", "period"),
    ],
)
def test_a_period_before_2000_or_over_a_year_is_refused_naming_the_period(
    world, key, start, end, field
):
    body = report(world) | {"period": {"start": start, "end": end}}
    assert [(d["line"], d["field"]) for d in refused(key, body)] == [(None, field)]


@pytest.mark.parametrize(
    ("start", "end"),
    [("2000-01-01", "2000-01-31"), ("2024-01-01", "2024-12-31"), ("2025-01-01", "2026-01-01")],
)
def test_a_period_of_at_most_366_days_from_2000_is_taken(world, key, start, end):
    body = report(world) | {"period": {"start": start, "end": end}}
    assert submit(key, body).status_code == 201
