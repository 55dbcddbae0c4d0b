"""Public inputs under random data: never an error page, never a partial write.

Hypothesis drives the ISRC parser, the consent check and the usage-report endpoint with
arbitrary text and JSON, and with near-valid reports mutated one field at a time.
"""

import json
import re
import string
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.api.services import api_key_issue
from portal.catalogue.identifiers import isrc_normalise
from portal.earnings.models import Allocation, UsageLine, UsageReport
from tests.conftest import World

ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- ISRC ---------------------------------------------------------------------------------


@given(st.text(max_size=40))
def test_any_text_is_an_isrc_or_a_clear_validation_error(text: str) -> None:
    try:
        value = isrc_normalise(text)
    except ValidationError as error:
        assert error.messages and all(message.strip() for message in error.messages)
    else:
        assert ISRC.match(value)


@st.composite
def written_isrcs(draw: st.DrawFn) -> tuple[str, str]:
    """A valid ISRC (a country code that exists) and the way a person might type it: any
    case, hyphens or spaces."""
    parts = [
        draw(st.sampled_from(["US", "GB", "DE", "FR", "SE", "JP", "NL", "CA", "AU", "BR"])),
        draw(st.text(string.ascii_uppercase + string.digits, min_size=3, max_size=3)),
        draw(st.text(string.digits, min_size=2, max_size=2)),
        draw(st.text(string.digits, min_size=5, max_size=5)),
    ]
    separator = draw(st.sampled_from(["", "-", " "]))
    written = separator.join(parts)
    written = draw(st.sampled_from([written, written.lower(), f"  {written} "]))
    return "".join(parts), written


@given(written_isrcs())
def test_a_valid_isrc_however_written_normalises_to_its_twelve_characters(isrc) -> None:
    canonical, written = isrc
    assert isrc_normalise(written) == canonical


# --- the API ------------------------------------------------------------------------------

# Text as anyone may send it, with the characters that break things drawn often: NUL
# (PostgreSQL text cannot hold it), other C0 and C1 controls, DEL, line breaks and the
# direction marks.
CONTROLS = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\t", "\n", "\r", "\u202e"]
nasty_text = st.lists(st.characters() | st.sampled_from(CONTROLS), max_size=20).map("".join)
# The same, less lone surrogates, for a query string: no client can encode them into a URL
# (they have no UTF-8); what one can send instead, bytes that are not UTF-8, is tested below.
nasty_query_text = st.lists(
    st.characters(exclude_categories=["Cs"]) | st.sampled_from(CONTROLS), max_size=20
).map("".join)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | nasty_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture
def api(world: World) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_key_issue(product=world.product)[1]}"})


def stored() -> tuple[int, int, int]:
    return UsageReport.objects.count(), UsageLine.objects.count(), Allocation.objects.count()


@FUZZ
@given(isrc=st.text(max_size=30), use=st.text(max_size=30))
@override_settings(API_RATE_LIMIT="100000/minute")
def test_the_consent_check_answers_any_query_without_error(api, isrc, use) -> None:
    response = api.get("/api/v1/permissions/check", {"isrc": isrc, "use": use})
    assert response.status_code in (200, 400, 404)
    body = response.json()
    assert "permitted" in body or body["error"]["code"]


@FUZZ
@given(use=nasty_query_text)
@override_settings(API_RATE_LIMIT="100000/minute")
def test_the_consent_check_answers_any_use_of_a_known_work_without_error(world, api, use) -> None:
    response = api.get("/api/v1/permissions/check", {"isrc": world.works[0].isrc, "use": use})
    assert response.status_code in (200, 400)
    assert response.json()


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%FF%FE", "%C3", "training%00"])
def test_a_use_whose_bytes_are_not_utf8_is_answered_without_error(world, api, raw) -> None:
    response = api.get(f"/api/v1/permissions/check?isrc={world.works[0].isrc}&use={raw}")
    assert response.status_code == 400
    assert response.json()["error"]["code"]


@FUZZ
@given(uses=st.lists(nasty_text, min_size=1, max_size=5))
@override_settings(API_RATE_LIMIT="100000/minute")
def test_any_uses_in_a_bulk_check_are_answered_without_error(world, api, uses) -> None:
    items = [{"isrc": world.works[0].isrc, "use": use} for use in uses]
    response = api.post("/api/v1/permissions/check", {"items": items}, "application/json")
    assert response.status_code in (200, 400)


@FUZZ
@given(body=json_values)
@override_settings(API_RATE_LIMIT="100000/minute")
def test_any_json_to_the_bulk_check_is_answered_without_error(api, body) -> None:
    response = api.post("/api/v1/permissions/check", json.dumps(body), "application/json")
    assert response.status_code in (200, 400, 413)


@FUZZ
@given(body=json_values)
@override_settings(API_RATE_LIMIT="100000/minute")
def test_any_json_as_a_usage_report_is_refused_cleanly(api, body) -> None:
    before = stored()
    response = api.post("/api/v1/usage-reports", json.dumps(body), "application/json")
    assert response.status_code in (400, 413)
    assert response.json()["error"]["code"]
    assert stored() == before


def valid_report(world: World) -> dict[str, Any]:
    return {
        "reference": "fuzz",
        "period": {"start": "2026-10-01", "end": "2026-10-31"},
        "currency": "EUR",
        "lines": [
            {"isrc": work.isrc, "use": "training", "units": 10, "gross": "1.00"}
            for work in world.works
        ],
    }


FIELDS = ["reference", "period", "currency", "lines"]
LINE_FIELDS = ["isrc", "use", "units", "gross", "credit"]


@FUZZ
@given(
    where=st.sampled_from(FIELDS + LINE_FIELDS),
    line=st.integers(0, 2),
    value=json_values,
    reference=st.text(string.ascii_letters, min_size=1, max_size=12),
)
@override_settings(API_RATE_LIMIT="100000/minute")
def test_a_report_with_one_field_mutated_is_stored_whole_or_not_at_all(
    world, api, where, line, value, reference
) -> None:
    body = valid_report(world) | {"reference": reference}
    if where in FIELDS:
        body[where] = value
    else:
        body["lines"][line][where] = value
    before = stored()
    response = api.post("/api/v1/usage-reports", json.dumps(body), "application/json")
    assert response.status_code in (200, 201, 400, 409)
    reports, lines, allocations = stored()
    if response.status_code == 201:
        # Whole: every line stored and allocated.
        assert (reports, lines, allocations) == (before[0] + 1, before[1] + 3, before[2] + 3)
    else:
        assert (reports, lines, allocations) == before


# --- amounts and periods ------------------------------------------------------------------

PUBLISHED_AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")
amounts = (
    st.from_regex(PUBLISHED_AMOUNT, fullmatch=True)
    | st.text("0123456789.,_+-eE \u0661\uff12\x00", max_size=8)
    | st.from_regex(r"[+-]?[0-9]{0,3}(\.[0-9]{0,3})?([eE][+-]?[0-9])?", fullmatch=True)
)


@FUZZ
@given(gross=amounts)
@override_settings(API_RATE_LIMIT="100000/minute")
def test_an_amount_is_stored_exactly_when_it_is_written_as_the_published_pattern(
    world, api, gross
) -> None:
    # Hypothesis repeats examples; a report is new only under a new reference.
    reference = uuid.uuid4()
    body = valid_report(world) | {"reference": str(reference)}
    body["lines"][1]["gross"] = gross
    before = stored()
    response = api.post("/api/v1/usage-reports", json.dumps(body), "application/json")
    if PUBLISHED_AMOUNT.fullmatch(gross):
        assert response.status_code == 201
        assert UsageLine.objects.filter(report__reference=str(reference), gross=Decimal(gross))
    else:
        assert response.status_code == 400
        details = response.json()["error"]["details"]
        assert [(d["line"], d["field"]) for d in details] == [(1, "gross")]
        assert stored() == before


@FUZZ
@given(start=st.dates(), end=st.dates())
@override_settings(API_RATE_LIMIT="100000/minute")
def test_a_period_is_taken_exactly_when_it_is_from_2000_at_most_a_year_and_over(
    world, api, start, end
) -> None:
    reference = uuid.uuid4()
    body = valid_report(world) | {"reference": str(reference)}
    body["period"] = {"start": start.isoformat(), "end": end.isoformat()}
    response = api.post("/api/v1/usage-reports", json.dumps(body), "application/json")
    today = timezone.now().date()
    taken = date(2000, 1, 1) <= start <= end < today and (end - start).days < 366
    assert response.status_code == (201 if taken else 400)
