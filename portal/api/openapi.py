"""The OpenAPI 3.1 description of the machine API.

Its shapes (`components/schemas`) are generated from the pydantic models that validate
requests and serialise answers (`schemas`, and the usage report's in
`portal.earnings.schemas`), so the document says what the code does. The operations,
their parameters and which status answers with which shape are stated here by hand: the
API is small, and its contract is the BRIEF's.
"""

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from portal.api.openapi_parts import (
    COMMON,
    IDEMPOTENCY_KEY,
    REPLAYED,
    RETRY_AFTER,
    WWW_AUTHENTICATE,
    error,
    ok,
)
from portal.api.openapi_snapshot import snapshot_paths
from portal.api.openapi_training import training_paths
from portal.api.schemas import (
    ISRC_EXAMPLE,
    MAX_ITEMS,
    BulkCheckRequest,
    BulkCheckResponse,
    Changes,
    Check,
    Error,
    ManifestChecked,
    ManifestReceived,
    Obligations,
    SnapshotHead,
    SnapshotPermission,
    UsageReportDetail,
    UsageReportReceived,
)
from portal.earnings.schemas import MAX_LINES, UsageReport
from portal.training.schemas import ManifestItems, TrainingManifest

REQUESTS: list[type[BaseModel]] = [BulkCheckRequest, UsageReport, TrainingManifest, ManifestItems]
ANSWERS: list[type[BaseModel]] = [
    Check,
    BulkCheckResponse,
    Changes,
    SnapshotHead,
    SnapshotPermission,
    UsageReportReceived,
    UsageReportDetail,
    ManifestReceived,
    ManifestChecked,
    Obligations,
    Error,
]


class _Schema(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        # A property's title only repeats its name.
        return False


def _schemas() -> dict[str, Any]:
    """components/schemas: what the API takes and answers, generated from the models
    that validate and serialise it."""
    _, document = models_json_schema(
        [(model, "validation") for model in REQUESTS]
        + [(model, "serialization") for model in ANSWERS],
        ref_template="#/components/schemas/{model}",
        schema_generator=_Schema,
    )
    return dict(sorted(document["$defs"].items()))


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Consent Portal machine API",
            "version": "1",
            "summary": "Ask whether a recording may be used, follow every change, report usage "
            "and what trained a model.",
            "description": "Authenticate with your product's API key as a bearer token. A key "
            "sees only its own product. Every error is JSON: "
            '`{"error": {"code": "...", "message": "..."}}`. See /api/v1/ for a guide.',
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"apiKey": []}],
        "paths": {
            "/permissions/check": {
                "get": {
                    "operationId": "checkPermission",
                    "summary": "May this product use this recording for this use, now?",
                    "parameters": [
                        {
                            "name": "isrc",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                            "example": ISRC_EXAMPLE,
                        },
                        {
                            "name": "use",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                            "example": "training",
                        },
                    ],
                    "responses": {
                        "200": ok("The answer, with the failed conditions.", "Check"),
                        "400": error(
                            "A malformed ISRC or an unknown use.", "invalid_isrc", "unknown_use"
                        ),
                        "404": error(
                            "A well-formed ISRC that is not in the catalogue.", "not_found"
                        ),
                        **COMMON,
                    },
                },
                "post": {
                    "operationId": "checkPermissions",
                    "summary": f"Up to {MAX_ITEMS:,} checks at once, answered in order.",
                    "parameters": [IDEMPOTENCY_KEY],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/BulkCheckRequest"}
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            **ok(
                                "One answer per item, in order. An ISRC not in the "
                                "catalogue is answered `not_in_catalogue`.",
                                "BulkCheckResponse",
                            ),
                            "headers": REPLAYED,
                        },
                        "400": error(
                            "Malformed JSON or shape (or nested too deeply), or items "
                            "with a malformed ISRC or unknown use (listed in `details` "
                            "by `index`); nothing is answered.",
                            "invalid_request",
                        ),
                        "413": error(
                            f"More than {MAX_ITEMS:,} items, or a body over 1 MiB.",
                            "too_many_items",
                            "payload_too_large",
                        ),
                        "422": error(
                            "The Idempotency-Key was used for another request.",
                            "idempotency_key_reused",
                        ),
                        **COMMON,
                    },
                },
            },
            "/permissions/changes": {
                "get": {
                    "operationId": "listChanges",
                    "summary": "The product's permission changes after a sequence number.",
                    "parameters": [
                        {
                            "name": "after",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 0, "default": 0},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 1000,
                                "default": 100,
                            },
                        },
                    ],
                    "responses": {
                        "200": ok("Changes in sequence order, with no gaps.", "Changes"),
                        "400": error("`after` or `limit` out of range.", "invalid_request"),
                        **COMMON,
                    },
                }
            },
            "/usage-reports": {
                "post": {
                    "operationId": "submitUsageReport",
                    "summary": "Report usage: validated whole, stored whole or not at all.",
                    "parameters": [IDEMPOTENCY_KEY],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/UsageReport"}
                            }
                        },
                    },
                    "responses": {
                        "201": {**ok("Stored.", "UsageReportReceived"), "headers": REPLAYED},
                        "200": ok(
                            "The same report was received before under this "
                            "reference; nothing new was stored.",
                            "UsageReportReceived",
                        ),
                        "400": error(
                            "Mistakes, each named in `details` as {line, field, "
                            "message} (line counts from 0); nothing was stored. Or the "
                            "body is not JSON, or is nested too deeply.",
                            "invalid_report",
                            "invalid_request",
                        ),
                        "409": error("A different report already has this reference.", "conflict"),
                        "413": error(
                            f"More than {MAX_LINES:,} lines, or a body over 32 MiB.",
                            "too_many_items",
                            "payload_too_large",
                        ),
                        "422": error(
                            "The Idempotency-Key was used for another request.",
                            "idempotency_key_reused",
                        ),
                        **COMMON,
                    },
                }
            },
            "/usage-reports/{id}": {
                "get": {
                    "operationId": "getUsageReport",
                    "summary": "A report this product submitted.",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": ok("The report's summary.", "UsageReportDetail"),
                        "404": error("No such report for this key's product.", "not_found"),
                        **COMMON,
                    },
                }
            },
            **snapshot_paths(),
            **training_paths(),
        },
        "components": {
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Your product's API key, `cp_live_...`, issued by staff.",
                }
            },
            "schemas": _schemas(),
            "responses": {
                "Unauthorized": error(
                    "No key, a malformed key, or an unknown or revoked one.",
                    "unauthorized",
                    headers=WWW_AUTHENTICATE,
                ),
                "RateLimited": error(
                    "Over the key's rate limit.", "rate_limited", headers=RETRY_AFTER
                ),
                "ServerError": error("Our failure; retry with backoff.", "server_error"),
            },
        },
    }
