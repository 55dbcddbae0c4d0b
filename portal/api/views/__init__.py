"""The machine API: parse, authenticate, call one selector or service, answer JSON.

Bearer keys only: no session, no cookie, no CSRF, and nothing here touches
`request.user`, so a check costs exactly the queries it makes itself.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import defaults
from pydantic import ValidationError

from portal.api.bulk import checks_bulk, collections_paused
from portal.api.guard import authenticate, idempotent, int_param, throttle
from portal.api.http import (
    ApiError,
    answer,
    bad_key,
    bearer_key_hash,
    body_response,
    endpoint,
    error_response,
    json_response,
    parse_json,
    read_body,
)
from portal.api.kept import Kept, keep, kept_answer
from portal.api.openapi import openapi_document
from portal.api.ratelimit import rate_limit
from portal.api.schemas import (
    MAX_ITEMS,
    BulkCheckRequest,
    BulkCheckResponse,
    Changes,
    Check,
    ItemMistake,
    StoredPeriod,
    UsageReportDetail,
    UsageReportReceived,
    control_message,
    unknown_use,
)
from portal.api.selectors import (
    KeyContext,
    answer_until,
    check_one,
    check_row,
    key_context,
    key_stamp,
    use_type_ids,
)
from portal.api.services import api_key_touch
from portal.catalogue.identifiers import isrc_parsed
from portal.consent.changes import changes_after, timestamp_json
from portal.earnings.selectors import usage_report_of
from portal.earnings.services import UsageReportConflict, usage_report_submit
from portal.earnings.validation import (
    UsageReportInvalid,
    UsageReportTooLarge,
    usage_report_parse,
)
from portal.shapes import quoted, refusals
from portal.text import control_in

CHECK_BODY_LIMIT = 1024 * 1024
REPORT_BODY_LIMIT = 32 * 1024 * 1024
CHANGES_DEFAULT_LIMIT, CHANGES_MAX_LIMIT = 100, 1000


# --- checks ------------------------------------------------------------------------------


def check(request: HttpRequest) -> HttpResponse:
    """One (ISRC, use): the key, work, use type and answer in one SQL statement; or, asked
    again, the answer kept from last time if one read of the stamps says it still holds."""
    key_hash = bearer_key_hash(request)
    throttle(key_hash)
    raw_isrc, use = request.GET.get("isrc", ""), request.GET.get("use", "")
    now = timezone.now()
    asked = (key_hash, raw_isrc, use)
    kept = kept_answer(asked, now)
    if kept is not None:
        key = key_stamp(key_hash=key_hash)
        if key is None:
            raise bad_key()
        if key.stamp == kept.stamp:
            api_key_touch(key_id=key.key_id, last_used_at=key.last_used_at, now=now)
            return body_response(kept.body)
    isrc, char = isrc_parsed(raw_isrc), control_in(use)
    # A bad key hears 401 before it hears anything about its input.
    if (isrc is None or char is not None) and key_context(key_hash=key_hash) is None:
        raise bad_key()
    if isrc is None:
        raise ApiError(
            400, "invalid_isrc", f"{quoted(raw_isrc)} is not a valid ISRC (such as USRC17607839)."
        )
    if char is not None:
        # Nothing with one is a use type; nor can PostgreSQL compare text with a NUL.
        raise ApiError(400, "unknown_use", control_message("use", use, char))
    row = check_row(key_hash=key_hash, isrc=isrc, use=use, now=now)
    if row is None:
        raise bad_key()
    api_key_touch(key_id=row.key.key_id, last_used_at=row.key.last_used_at, now=now)
    if row.use_type_id is None:
        raise ApiError(400, "unknown_use", unknown_use(use))
    if row.work_id is None:
        raise ApiError(404, "not_found", f"{isrc} is not in the catalogue.")
    response = answer(check_one(row=row, isrc=isrc, use=use, now=now))
    keep(asked, Kept(row.key.stamp, answer_until(row=row, now=now), response.content))
    return response


# Which field of an item a failure is about says its code.
ITEM_CODES = {"isrc": "invalid_isrc", "use": "unknown_use"}


def _bulk_items(data: Any) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The items as (normalised ISRC, use), and the ids of the use types they name (one
    query); or 400 for the body's shape or any bad item (each named by its index), 413
    for too many."""
    raw = data.get("items") if isinstance(data, dict) else None
    if isinstance(raw, list) and len(raw) > MAX_ITEMS:
        raise ApiError(
            413, "too_many_items", f"At most {MAX_ITEMS:,} items per request; got {len(raw):,}."
        )
    named = (item.get("use") for item in raw or () if isinstance(item, dict))
    known = use_type_ids(
        slugs={use for use in named if isinstance(use, str) and control_in(use) is None}
    )
    items = _well_formed(raw, known)
    if items is not None:
        return items, known
    try:
        request = BulkCheckRequest.model_validate(data, context={"uses": known})
        return [(item.isrc, item.use) for item in request.items], known
    except ValidationError as exc:
        failures = list(refusals(exc))
    for where, message in failures:
        if len(where) < 3:
            raise ApiError(400, "invalid_request", message)
    details = [
        ItemMistake(index=int(where[1]), code=ITEM_CODES[str(where[2])], message=message)
        for where, message in failures
    ]
    raise ApiError(
        400,
        "invalid_request",
        f"{len(details)} item(s) cannot be checked; nothing was answered.",
        details=details,
    )


def _well_formed(raw: object, known: dict[str, int]) -> list[tuple[str, str]] | None:
    """The items when each is an object with a valid ISRC and a known use, read as
    `BulkCheckRequest` reads them but without a model per item (milliseconds, for a
    thousand); None for anything else, which the model reads, naming each mistake."""
    if not isinstance(raw, list):
        return None
    items = []
    for item in raw:
        if not isinstance(item, dict):
            return None
        isrc, use = isrc_parsed(item.get("isrc")), item.get("use")
        if isrc is None or not isinstance(use, str) or use not in known:
            return None
        items.append((isrc, use))
    return items


def _bulk_answers(key: KeyContext, body: bytes) -> list[Check]:
    items, known = _bulk_items(parse_json(body))
    return checks_bulk(key=key, items=items, use_ids=known, now=timezone.now())


def check_bulk(request: HttpRequest) -> HttpResponse:
    """Up to 1,000 (ISRC, use) pairs, answered in order. Any malformed ISRC or unknown
    use makes the whole request a 400 naming each bad item: nothing is half-answered."""
    key = authenticate(request)
    body = read_body(request, limit=CHECK_BODY_LIMIT)

    def answered() -> HttpResponse:
        # Everything the answer is made of is freed before collections resume.
        with collections_paused():
            return answer(BulkCheckResponse(results=_bulk_answers(key, body)))

    return idempotent(request, key, body, answered)


# --- changes -----------------------------------------------------------------------------


def changes(request: HttpRequest) -> HttpResponse:
    """The product's permission changes after `after`, in sequence order: what the
    webhooks carried, for catching up after downtime."""
    key = authenticate(request)
    after = int_param(request, "after", 0, 0, 2**63 - 1)
    limit = int_param(request, "limit", CHANGES_DEFAULT_LIMIT, 1, CHANGES_MAX_LIMIT)
    found = changes_after(product_id=key.product_id, after=after, limit=limit)
    return answer(
        Changes.model_validate({"changes": found, "next": found[-1]["seq"] if found else after})
    )


# --- usage reports -----------------------------------------------------------------------


def usage_report_submit_view(request: HttpRequest) -> HttpResponse:
    """A usage report, validated whole and stored whole or not at all."""
    key = authenticate(request)
    body = read_body(request, limit=REPORT_BODY_LIMIT)

    def answered() -> HttpResponse:
        try:
            parsed = usage_report_parse(parse_json(body))
        except UsageReportInvalid as exc:
            raise ApiError(
                400,
                "invalid_report",
                f"The report has {exc.total} mistake(s); nothing was stored.",
                details=exc.details,
            ) from exc
        except UsageReportTooLarge as exc:
            raise ApiError(413, "too_many_items", str(exc)) from exc
        try:
            submitted = usage_report_submit(product=key.product(), parsed=parsed)
        except UsageReportConflict as exc:
            raise ApiError(409, "conflict", str(exc)) from exc
        report = submitted.report
        received = UsageReportReceived(
            id=report.pk, reference=report.reference, lines=submitted.lines
        )
        return answer(received, status=201 if submitted.created else 200)

    return idempotent(request, key, body, answered)


def usage_report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    key = authenticate(request)
    report = usage_report_of(product_id=key.product_id, report_id=report_id)
    if report is None:
        raise ApiError(404, "not_found", "There is no such usage report for this key's product.")
    detail = UsageReportDetail(
        id=report.pk,
        reference=report.reference,
        period=StoredPeriod(start=report.period_start, end=report.period_end),
        currency=report.currency,
        received_at=timestamp_json(report.received_at),
        lines=report.line_count,  # type: ignore[attr-defined]
        gross=f"{report.gross_total:.2f}",  # type: ignore[attr-defined]
        flagged_lines=report.flagged_lines,  # type: ignore[attr-defined]
        flagged_gross=f"{report.flagged_gross:.2f}",  # type: ignore[attr-defined]
    )
    return answer(detail)


# --- documents ---------------------------------------------------------------------------


def openapi(request: HttpRequest) -> HttpResponse:
    return json_response(openapi_document())


def index(request: HttpRequest) -> HttpResponse:
    """The API for product engineers, in words and curl."""
    base = request.build_absolute_uri("/api/v1").rstrip("/")
    count, period = rate_limit()
    per = {1: "second", 60: "minute", 3600: "hour"}[period]
    return render(request, "api/index.html", {"base": base, "rate_limit": f"{count:,} per {per}"})


def not_found(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise ApiError(404, "not_found", f"There is no {request.path} in the API.")


# --- Django's error handlers, for what fails before a view runs ------------------------------


def _api_error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse | None:
    if request.path.startswith("/api/"):
        return error_response(status, code, message)
    return None


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _api_error(request, 400, "invalid_request", "Bad request.") or defaults.bad_request(
        request, exception or SuspiciousOperation()
    )


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _api_error(request, 403, "forbidden", "Forbidden.") or defaults.permission_denied(
        request, exception or PermissionDenied()
    )


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _api_error(
        request, 404, "not_found", f"There is no {request.path} in the API."
    ) or defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    return _api_error(
        request, 500, "server_error", "Something went wrong on our side; try again shortly."
    ) or defaults.server_error(request)


check_view = endpoint(GET=check, POST=check_bulk)
changes_view = endpoint(GET=changes)
usage_reports_view = endpoint(POST=usage_report_submit_view)
usage_report_view = endpoint(GET=usage_report_detail)
openapi_view = endpoint(GET=openapi)
index_view = endpoint(GET=index)
not_found_view = endpoint(
    **dict.fromkeys(("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"), not_found)
)
