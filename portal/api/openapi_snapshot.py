"""The OpenAPI operation of the permissions snapshot."""

from typing import Any

from portal.api.openapi_parts import COMMON, error

ROWS = "#/components/schemas/"


def snapshot_paths() -> dict[str, Any]:
    return {
        "/permissions/snapshot": {
            "get": {
                "operationId": "getPermissionsSnapshot",
                "summary": "Every (ISRC, use) the product may use now, consistent with one "
                "change sequence number: where a replica starts before following the "
                "changes feed.",
                "description": "Gzip'd NDJSON, streamed: the first line is a `SnapshotHead` "
                "naming the `seq` the snapshot is consistent with, then one "
                "`SnapshotPermission` per permitted (ISRC, use), in (ISRC, use) order. "
                "Always `Content-Encoding: gzip`; a client that does not decode it reads "
                "the gzip stream, whose trailer tells a whole snapshot from one cut short. "
                "Then read `GET /permissions/changes?after=<seq>`.",
                "parameters": [
                    {
                        "name": "from_isrc",
                        "in": "query",
                        "required": False,
                        "description": "Resume a snapshot cut short: the lines start from "
                        "this ISRC (included) in a new snapshot with its own `seq`. Pass the "
                        "last ISRC received, then replay the changes feed from the OLDEST "
                        "`seq` of the parts you hold.",
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The head line, then the permitted pairs.",
                        "headers": {
                            "Content-Encoding": {"schema": {"type": "string", "const": "gzip"}}
                        },
                        "content": {
                            "application/x-ndjson": {
                                "schema": {
                                    "description": "Each line is one JSON document: the "
                                    "first a SnapshotHead, every other a SnapshotPermission.",
                                    "oneOf": [
                                        {"$ref": f"{ROWS}SnapshotHead"},
                                        {"$ref": f"{ROWS}SnapshotPermission"},
                                    ],
                                }
                            }
                        },
                    },
                    "400": error("A malformed `from_isrc`.", "invalid_isrc"),
                    **COMMON,
                },
            }
        }
    }
