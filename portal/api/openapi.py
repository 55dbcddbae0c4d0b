"""The OpenAPI 3.1 description of the machine API, written by hand: the API is small,
and its contract is the BRIEF's, so it is stated rather than derived."""

from typing import Any

from portal.consent.rules import Reason
from portal.earnings.schemas import AMOUNT_PATTERN, EARLIEST_START, MAX_PERIOD_DAYS

ISRC_EXAMPLE = "USRC17607839"


def _error(description: str, *codes: str, headers: dict[str, Any] | None = None) -> dict:
    response: dict[str, Any] = {
        "description": f"{description} Codes: {', '.join(f'`{c}`' for c in codes)}.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if headers:
        response["headers"] = headers
    return response


def _ok(description: str, schema: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until the key's rate-limit window resets.",
        "schema": {"type": "integer", "minimum": 1},
    }
}
WWW_AUTHENTICATE = {"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}}}
REPLAYED = {
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored response to an earlier request "
        "with the same Idempotency-Key.",
        "schema": {"type": "string", "const": "true"},
    }
}
COMMON = {
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "429": {"$ref": "#/components/responses/RateLimited"},
    "500": {"$ref": "#/components/responses/ServerError"},
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string (a UUID). The same key with the same request within "
    "24 hours replays the first response; with a different request it is a 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


def _schemas() -> dict[str, Any]:
    isrc = {"type": "string", "examples": [ISRC_EXAMPLE]}
    use = {"type": "string", "examples": ["training"]}
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "details": {"type": "array", "items": {"type": "object"}},
                    },
                }
            },
        },
        "Reason": {
            "type": "string",
            "description": "A condition that failed. `not_in_catalogue` appears only in "
            "bulk checks.",
            "enum": [*Reason.values, "not_in_catalogue"],
        },
        "Check": {
            "type": "object",
            "required": ["isrc", "use", "permitted", "reasons", "version"],
            "properties": {
                "isrc": {**isrc, "description": "Normalised (no hyphens, upper case)."},
                "use": use,
                "permitted": {"type": "boolean"},
                "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}},
                "version": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "The product's permission-change sequence number when "
                    "answered: the feed after it holds everything since.",
                },
            },
        },
        "BulkCheckRequest": {
            "type": "object",
            "required": ["items"],
            "properties": {
                "items": {
                    "type": "array",
                    "maxItems": 1000,
                    "items": {
                        "type": "object",
                        "required": ["isrc", "use"],
                        "properties": {"isrc": isrc, "use": use},
                    },
                }
            },
        },
        "BulkCheckResponse": {
            "type": "object",
            "required": ["results"],
            "properties": {
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/Check"}}
            },
        },
        "Change": {
            "type": "object",
            "required": ["seq", "isrc", "use", "permitted", "at"],
            "properties": {
                "seq": {"type": "integer", "minimum": 1},
                "isrc": isrc,
                "use": use,
                "permitted": {"type": "boolean"},
                "at": {"type": "string", "format": "date-time"},
            },
        },
        "Changes": {
            "type": "object",
            "required": ["changes", "next"],
            "properties": {
                "changes": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
                "next": {
                    "type": "integer",
                    "description": "Pass as `after` to read on; equals `after` when there "
                    "is nothing new.",
                },
            },
        },
        "Amount": {
            "type": "string",
            "pattern": f"^{AMOUNT_PATTERN}$",
            "description": "A decimal string, 0 or more, with at most the currency's "
            "decimal places (two; none for currencies such as JPY): ASCII digits and a "
            "point, nothing else (no sign, spaces, separators or exponent). A JSON number "
            "is accepted when written the same way (`123.45`, not `1e2` or `-0.0`), and "
            "read exactly, never as floating point.",
            "examples": ["123.45"],
        },
        "UsageReport": {
            "type": "object",
            "required": ["reference", "period", "currency", "lines"],
            "properties": {
                "reference": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 100,
                    "description": "Your name for the report, unique for your product.",
                    "examples": ["2026-10-tunesmith-1"],
                },
                "period": {"$ref": "#/components/schemas/Period"},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "examples": ["EUR"]},
                "lines": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 100000,
                    "items": {
                        "type": "object",
                        "required": ["isrc", "use", "units", "gross"],
                        "properties": {
                            "isrc": isrc,
                            "use": use,
                            "units": {"type": "integer", "minimum": 0},
                            "gross": {"$ref": "#/components/schemas/Amount"},
                            "credit": {
                                "type": "string",
                                "maxLength": 300,
                                "examples": ["Ada Lane — Night Drive"],
                            },
                        },
                    },
                },
            },
        },
        "Period": {
            "type": "object",
            "required": ["start", "end"],
            "description": f"Days, first and last included: from {EARLIEST_START} on, at "
            f"most {MAX_PERIOD_DAYS} days, ended before the report is sent (UTC).",
            "properties": {
                "start": {"type": "string", "format": "date"},
                "end": {"type": "string", "format": "date", "description": "Inclusive."},
            },
        },
        "UsageReportReceived": {
            "type": "object",
            "required": ["id", "reference", "lines"],
            "properties": {
                "id": {"type": "integer"},
                "reference": {"type": "string"},
                "lines": {"type": "integer"},
            },
        },
        "UsageReportDetail": {
            "type": "object",
            "required": ["id", "reference", "period", "currency", "received_at", "lines"],
            "properties": {
                "id": {"type": "integer"},
                "reference": {"type": "string"},
                "period": {"$ref": "#/components/schemas/Period"},
                "currency": {"type": "string"},
                "received_at": {"type": "string", "format": "date-time"},
                "lines": {"type": "integer"},
                "gross": {"$ref": "#/components/schemas/Amount"},
                "flagged_lines": {
                    "type": "integer",
                    "description": "Lines for a work and use that was not permitted for the "
                    "whole reported period: their money is held, not paid.",
                },
                "flagged_gross": {"$ref": "#/components/schemas/Amount"},
            },
        },
    }


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Consent Portal machine API",
            "version": "1",
            "summary": "Ask whether a recording may be used, follow every change, report usage.",
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
                        "200": _ok("The answer, with the failed conditions.", "Check"),
                        "400": _error(
                            "A malformed ISRC or an unknown use.", "invalid_isrc", "unknown_use"
                        ),
                        "404": _error(
                            "A well-formed ISRC that is not in the catalogue.", "not_found"
                        ),
                        **COMMON,
                    },
                },
                "post": {
                    "operationId": "checkPermissions",
                    "summary": "Up to 1,000 checks at once, answered in order.",
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
                            **_ok(
                                "One answer per item, in order. An ISRC not in the "
                                "catalogue is answered `not_in_catalogue`.",
                                "BulkCheckResponse",
                            ),
                            "headers": REPLAYED,
                        },
                        "400": _error(
                            "Malformed JSON or shape (or nested too deeply), or items "
                            "with a malformed ISRC or unknown use (listed in `details` "
                            "by `index`); nothing is answered.",
                            "invalid_request",
                        ),
                        "413": _error(
                            "More than 1,000 items, or a body over 1 MiB.",
                            "too_many_items",
                            "payload_too_large",
                        ),
                        "422": _error(
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
                        "200": _ok("Changes in sequence order, with no gaps.", "Changes"),
                        "400": _error("`after` or `limit` out of range.", "invalid_request"),
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
                        "201": {**_ok("Stored.", "UsageReportReceived"), "headers": REPLAYED},
                        "200": _ok(
                            "The same report was received before under this "
                            "reference; nothing new was stored.",
                            "UsageReportReceived",
                        ),
                        "400": _error(
                            "Mistakes, each named in `details` as {line, field, "
                            "message} (line counts from 0); nothing was stored. Or the "
                            "body is not JSON, or is nested too deeply.",
                            "invalid_report",
                            "invalid_request",
                        ),
                        "409": _error("A different report already has this reference.", "conflict"),
                        "413": _error(
                            "More than 100,000 lines, or a body over 32 MiB.",
                            "too_many_items",
                            "payload_too_large",
                        ),
                        "422": _error(
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
                        "200": _ok("The report's summary.", "UsageReportDetail"),
                        "404": _error("No such report for this key's product.", "not_found"),
                        **COMMON,
                    },
                }
            },
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
                "Unauthorized": _error(
                    "No key, a malformed key, or an unknown or revoked one.",
                    "unauthorized",
                    headers=WWW_AUTHENTICATE,
                ),
                "RateLimited": _error(
                    "Over the key's rate limit.", "rate_limited", headers=RETRY_AFTER
                ),
                "ServerError": _error("Our failure; retry with backoff.", "server_error"),
            },
        },
    }
