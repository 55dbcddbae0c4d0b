"""The pieces of the OpenAPI document its operations share: responses, headers and
parameters."""

from typing import Any


def error(description: str, *codes: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": f"{description} Codes: {', '.join(f'`{c}`' for c in codes)}.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if headers:
        response["headers"] = headers
    return response


def ok(description: str, schema: str) -> dict[str, Any]:
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
