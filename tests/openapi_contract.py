"""Every answer under /api/v1/ held to the OpenAPI document the API publishes.

`tests/conftest.py` wraps the test client so that each response to a path under
/api/v1/ goes through `answer_check`: its status must be one the operation declares,
its content type the declared one, and its JSON must match the declared schema. A
request to no operation (an unknown address, a method a path does not have) must still
answer the error envelope. A mismatch fails the test that made the request.
"""

import gzip
import json
import re
from functools import cache
from typing import Any

from django.http import HttpResponseBase
from jsonschema import Draft202012Validator

from portal.api.openapi import openapi_document

PREFIX = "/api/v1"
# Pages about the API rather than operations of it: the guide (HTML) and the document.
NOT_OPERATIONS = {f"{PREFIX}/", f"{PREFIX}/openapi.json"}
ERROR = "#/components/schemas/Error"


@cache
def _document() -> dict[str, Any]:
    return openapi_document()


@cache
def _paths() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    def pattern(path: str) -> re.Pattern[str]:
        parts = re.split(r"(\{[^}]+\})", path)
        return re.compile("".join("[^/]+" if p[:1] == "{" else re.escape(p) for p in parts) + "$")

    return [(pattern(path), item) for path, item in _document()["paths"].items()]


@cache
def _validator(schema: str) -> Draft202012Validator:
    """For a schema (as JSON, so it can be cached): a `$ref`, or one of its own."""
    root = {**json.loads(schema), "components": _document()["components"]}
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _documents(content_type: str, response: HttpResponseBase) -> list[Any]:
    """The JSON the response holds: one document, or one per line of NDJSON (gzip'd
    when the response says so)."""
    if getattr(response, "streaming", False):
        # Read whole here, then handed back as one part for the test to read again.
        raw = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        response.streaming_content = [raw]  # type: ignore[attr-defined]
    else:
        raw = response.content  # type: ignore[attr-defined]
    if content_type != "application/x-ndjson":
        return [json.loads(raw)]
    if response.get("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    return [json.loads(line) for line in raw.splitlines()]


def _resolved(response: dict[str, Any]) -> dict[str, Any]:
    ref = response.get("$ref")
    if ref is None:
        return response
    name = ref.removeprefix("#/components/responses/")
    return _document()["components"]["responses"][name]


def operation_of(method: str, path: str) -> dict[str, Any] | None:
    """The operation the document declares for `method` on `path`, or None."""
    relative = path.removeprefix(PREFIX)
    for pattern, item in _paths():
        if pattern.match(relative):
            return item.get("get" if method == "HEAD" else method.lower())
    return None


def answer_check(method: str, path: str, response: HttpResponseBase) -> None:
    """Raise AssertionError, saying why, when `response` is not what the document
    declares for `method` on `path`."""
    if not path.startswith(f"{PREFIX}/") or path in NOT_OPERATIONS:
        return
    where = f"{method} {path} answered {response.status_code}"
    operation = operation_of(method, path)
    if operation is None:
        declared = {"content": {"application/json": {"schema": {"$ref": ERROR}}}}
    else:
        responses = operation["responses"]
        status = str(response.status_code)
        assert status in responses or "default" in responses, (
            f"{where}, a status the document does not declare for it ({', '.join(responses)})"
        )
        declared = _resolved(responses.get(status) or responses["default"])
    content = declared.get("content", {})
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    assert content_type in content, f"{where} as {content_type!r}; declared: {list(content)}"
    if method == "HEAD":
        return
    schema = content[content_type]["schema"]
    validator = _validator(json.dumps(schema, sort_keys=True))
    named = schema.get("$ref") or content_type
    for line, body in enumerate(_documents(content_type, response)):
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        at = f" (line {line})" if content_type == "application/x-ndjson" else ""
        assert not errors, f"{where}, not as declared ({named}){at}:\n" + "\n".join(
            f"  at {'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
            for error in errors[:10]
        )
