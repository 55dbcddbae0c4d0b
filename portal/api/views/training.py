"""Training manifests, sent whole or in parts and checked on completion, and the
product's obligations: what the next model must leave out."""

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from portal.api.guard import authenticate, idempotent, int_param
from portal.api.http import ApiError, answer, endpoint, parse_json, read_body
from portal.api.schemas import ManifestChecked, ManifestReceived, Obligations
from portal.api.selectors import KeyContext
from portal.consent.changes import timestamp_json
from portal.training.models import Manifest
from portal.training.selectors import OPEN, STATUSES, manifest_of, obligations_after
from portal.training.services import (
    Checked,
    ManifestClosed,
    ManifestConflict,
    manifest_complete,
    manifest_items_add,
    manifest_receive,
)
from portal.training.validation import ManifestInvalid, items_parse, manifest_parse

MANIFEST_BODY_LIMIT = 4 * 1024 * 1024
STREAM_BATCH = 1000
OBLIGATIONS_DEFAULT_LIMIT, OBLIGATIONS_MAX_LIMIT = 100, 1000


def _manifest_invalid(exc: ManifestInvalid) -> ApiError:
    return ApiError(
        400,
        "invalid_manifest",
        f"The manifest has {exc.total} mistake(s); nothing was stored.",
        details=exc.details,
    )


def _head(manifest: Manifest) -> dict[str, Any]:
    return {
        "id": manifest.pk,
        "model": manifest.model,
        "version": manifest.version,
        "trained_at": timestamp_json(manifest.trained_at),
        "complete": True,
        "items": manifest.items,
    }


def _breach(breach: dict[str, Any]) -> dict[str, Any]:
    return breach | {"withdrawn_at": timestamp_json(breach["withdrawn_at"])}


def _checked(found: Checked, status: int = 200) -> HttpResponse:
    """The findings of a manifest sent whole (at most MAX_ITEMS), in one answer."""
    return answer(
        ManifestChecked.model_validate(
            _head(found.manifest)
            | {
                "unpermitted": list(found.unpermitted),
                "breaches": [_breach(b) for b in found.breaches],
            }
        ),
        status=status,
    )


def _streamed(found: Checked) -> StreamingHttpResponse:
    """The findings of a manifest sent in parts, of any size, written as they are read:
    the same shape (`ManifestChecked`), in memory that does not grow with it."""

    def listed(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
        batch: list[str] = []
        separator = ""
        for row in rows:
            batch.append(json.dumps(row, separators=(",", ":")))
            if len(batch) == STREAM_BATCH:
                yield separator + ",".join(batch)
                batch, separator = [], ","
        if batch:
            yield separator + ",".join(batch)

    def body() -> Iterator[str]:
        yield json.dumps(_head(found.manifest), separators=(",", ":"))[:-1]
        yield ',"unpermitted":['
        yield from listed(found.unpermitted)
        yield '],"breaches":['
        yield from listed(_breach(b) for b in found.breaches)
        yield "]}"

    return StreamingHttpResponse(body(), content_type="application/json")


def _received(manifest: Manifest) -> HttpResponse:
    received = ManifestReceived(
        id=manifest.pk,
        model=manifest.model,
        version=manifest.version,
        complete=False,
        items=manifest.items,
    )
    return answer(received, status=202)


def manifest_submit(request: HttpRequest) -> HttpResponse:
    """A training manifest, whole (checked at once) or its first part."""
    key = authenticate(request)
    body = read_body(request, limit=MANIFEST_BODY_LIMIT)

    def answered() -> HttpResponse:
        try:
            parsed = manifest_parse(parse_json(body))
        except ManifestInvalid as exc:
            raise _manifest_invalid(exc) from exc
        try:
            manifest, found = manifest_receive(product=key.product(), parsed=parsed)
        except ManifestConflict as exc:
            raise ApiError(409, "conflict", str(exc)) from exc
        return _checked(found, status=201) if found is not None else _received(manifest)

    return idempotent(request, key, body, answered)


def _manifest(key: KeyContext, manifest_id: int) -> Manifest:
    found = manifest_of(product_id=key.product_id, manifest_id=manifest_id)
    if found is None:
        raise ApiError(404, "not_found", "There is no such manifest for this key's product.")
    return found


def manifest_items(request: HttpRequest, manifest_id: int) -> HttpResponse:
    key = authenticate(request)
    body = read_body(request, limit=MANIFEST_BODY_LIMIT)

    def answered() -> HttpResponse:
        manifest = _manifest(key, manifest_id)
        try:
            items = items_parse(parse_json(body))
        except ManifestInvalid as exc:
            raise _manifest_invalid(exc) from exc
        try:
            return _received(manifest_items_add(manifest=manifest, items=items))
        except ManifestClosed as exc:
            raise ApiError(409, "conflict", str(exc)) from exc

    return idempotent(request, key, body, answered)


def manifest_completion(request: HttpRequest, manifest_id: int) -> StreamingHttpResponse:
    key = authenticate(request)
    return _streamed(manifest_complete(manifest=_manifest(key, manifest_id)))


def obligations(request: HttpRequest) -> HttpResponse:
    """The product's obligations in one status (open by default), paged like the feed."""
    key = authenticate(request)
    status = request.GET.get("status", OPEN)
    if status not in STATUSES:
        raise ApiError(400, "invalid_request", f"`status` is one of {', '.join(STATUSES)}.")
    after = int_param(request, "after", 0, 0, 2**63 - 1)
    limit = int_param(request, "limit", OBLIGATIONS_DEFAULT_LIMIT, 1, OBLIGATIONS_MAX_LIMIT)
    found = obligations_after(product_id=key.product_id, status=status, after=after, limit=limit)
    return answer(
        Obligations.model_validate(
            {"obligations": found, "next": found[-1]["seq"] if found else after}
        )
    )


manifests_view = endpoint(POST=manifest_submit)
manifest_items_view = endpoint(POST=manifest_items)
manifest_complete_view = endpoint(POST=manifest_completion)
obligations_view = endpoint(GET=obligations)
