"""What every machine-API call goes through: its key, counted against the rate limit;
its query numbers; and, for writes, the Idempotency-Key that replays an outcome."""

import hashlib
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from portal.api.http import ApiError, bad_key, bearer_key_hash
from portal.api.ratelimit import rate_limit_retry_after
from portal.api.selectors import KeyContext, idempotency_find, key_context
from portal.api.services import IDEMPOTENCY_TTL, api_key_touch, idempotency_record

IDEMPOTENCY_KEY_MAX = 255


def throttle(key_hash: str) -> None:
    retry_after = rate_limit_retry_after(key_hash=key_hash)
    if retry_after is not None:
        raise ApiError(
            429,
            "rate_limited",
            f"Too many requests for this key; try again in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


def authenticate(request: HttpRequest) -> KeyContext:
    """The request's key (401 without a valid one), counted against its rate limit."""
    key_hash = bearer_key_hash(request)
    throttle(key_hash)
    key = key_context(key_hash=key_hash)
    if key is None:
        raise bad_key()
    api_key_touch(key_id=key.key_id, last_used_at=key.last_used_at, now=timezone.now())
    return key


def int_param(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ApiError(
            400, "invalid_request", f"`{name}` must be a whole number from {low} to {high}."
        )
    return int(raw)


def idempotent(
    request: HttpRequest, key: KeyContext, body: bytes, answer: Callable[[], HttpResponse]
) -> HttpResponse:
    """Run `answer`, or replay what it answered to the same request under the same
    `Idempotency-Key` in the last 24 hours. The same key with another request is 422."""
    idempotency_key = request.headers.get("Idempotency-Key")
    if idempotency_key is None:
        return answer()
    if not 0 < len(idempotency_key) <= IDEMPOTENCY_KEY_MAX or not idempotency_key.isprintable():
        raise ApiError(
            400, "invalid_request", "An Idempotency-Key is 1 to 255 printable characters."
        )
    request_hash = hashlib.sha256(
        f"{request.method} {request.get_full_path()}\n".encode() + body
    ).hexdigest()
    now = timezone.now()
    record = idempotency_find(
        product_id=key.product_id, key=idempotency_key, since=now - IDEMPOTENCY_TTL
    )
    if record is not None:
        if record.request_hash != request_hash:
            raise ApiError(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was used for a different request; use a new key.",
            )
        replay = HttpResponse(record.body, status=record.status, content_type="application/json")
        replay["Idempotent-Replayed"] = "true"
        return replay
    try:
        response = answer()
    except ApiError as exc:
        response = exc.response()
    # Only outcomes are kept: a request refused as invalid (fix it and retry with the same
    # key) or failed on our side (the retry the key exists for) runs again.
    if response.status_code < 400 or response.status_code == 409:
        idempotency_record(
            product_id=key.product_id,
            key=idempotency_key,
            request_hash=request_hash,
            status=response.status_code,
            body=response.content.decode(),
        )
    return response
