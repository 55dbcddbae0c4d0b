"""The OpenAPI operations of training manifests and obligations."""

from typing import Any

from portal.api.openapi_parts import COMMON, IDEMPOTENCY_KEY, REPLAYED, error, ok
from portal.training.schemas import MAX_ITEMS as MANIFEST_ITEMS


def body(schema: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


MANIFEST_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
INVALID_MANIFEST = error(
    "Mistakes, each named in `details` as {line, field, message} (line: the item, from "
    "0); nothing was stored.",
    "invalid_manifest",
    "invalid_request",
)


def training_paths() -> dict[str, Any]:
    checked = "Checked: what was not permitted when the model was trained, and breaches."
    return {
        "/training-manifests": {
            "post": {
                "operationId": "submitTrainingManifest",
                "summary": f"Which works went into a model version: up to {MANIFEST_ITEMS:,} "
                "items, checked at once; larger ones in parts (`complete: false`).",
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": body("TrainingManifest"),
                "responses": {
                    "201": {**ok(checked, "ManifestChecked"), "headers": REPLAYED},
                    "202": ok("Taken; send more items, then complete it.", "ManifestReceived"),
                    "400": INVALID_MANIFEST,
                    "409": error("A manifest for this model version exists.", "conflict"),
                    "413": error("A body over 4 MiB.", "payload_too_large"),
                    **COMMON,
                },
            }
        },
        "/training-manifests/{id}/items": {
            "post": {
                "operationId": "addTrainingManifestItems",
                "summary": "More items of a manifest sent in parts.",
                "parameters": [MANIFEST_ID, IDEMPOTENCY_KEY],
                "requestBody": body("ManifestItems"),
                "responses": {
                    "202": {**ok("Taken.", "ManifestReceived"), "headers": REPLAYED},
                    "400": INVALID_MANIFEST,
                    "404": error("No such manifest for this key's product.", "not_found"),
                    "409": error("The manifest was completed.", "conflict"),
                    **COMMON,
                },
            }
        },
        "/training-manifests/{id}/complete": {
            "post": {
                "operationId": "completeTrainingManifest",
                "summary": "Check a manifest sent in parts; again, the same answer.",
                "parameters": [MANIFEST_ID],
                "responses": {
                    "200": ok(checked, "ManifestChecked"),
                    "404": error("No such manifest for this key's product.", "not_found"),
                    **COMMON,
                },
            }
        },
        "/obligations": {
            "get": {
                "operationId": "listObligations",
                "summary": "Withdrawals the next model must honour (open), or how they were "
                "settled, in the order of the changes that opened them.",
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {
                            "type": "string",
                            "enum": ["open", "honoured", "breached", "lapsed"],
                            "default": "open",
                        },
                    },
                    {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
                    },
                ],
                "responses": {
                    "200": ok("The obligations, and `next`.", "Obligations"),
                    "400": error("A status there is not.", "invalid_request"),
                    **COMMON,
                },
            }
        },
    }
