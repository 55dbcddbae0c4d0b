"""What a product sends about a model it trained: a manifest, whole or in parts. The
OpenAPI document is generated from these models, and requests are validated with them.

What needs the catalogue (an ISRC in it, a use type it knows) is read from the
validation context that `validation.manifest_parse` fills with two queries.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from pydantic import BeforeValidator, Field, PlainValidator, ValidationInfo

from portal.catalogue.identifiers import isrc_parsed
from portal.shapes import Inbound, quoted, refusal
from portal.text import name_control_in

MAX_ITEMS = 10_000
NAME_MAX = 200
VERSION_MAX = 100
# No model was trained before digital recordings had ISRCs to name them by.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context if isinstance(info.context, dict) else {}


def _name(limit: int, what: str) -> Any:
    def check(value: object) -> str:
        if (
            not isinstance(value, str)
            or not value.strip()
            or len(value) > limit
            or name_control_in(value) is not None
        ):
            raise refusal(
                f"Give the {what} in 1 to {limit} characters, on one line, without control "
                "characters or text-direction marks."
            )
        return value.strip()

    return check


def _trained_at(value: object) -> datetime:
    at = parse_datetime(value) if isinstance(value, str) and len(value) <= 40 else None
    if at is None or at.tzinfo is None:
        raise refusal(
            "Give `trained_at` as an RFC 3339 time with its offset, such as 2026-09-01T00:00:00Z."
        )
    if not EARLIEST <= at <= timezone.now():
        raise refusal(f"`trained_at` must be between {EARLIEST:%Y} and now.")
    return at.astimezone(UTC)


def _isrc(value: object, info: ValidationInfo) -> str:
    isrc = isrc_parsed(value)
    if isrc is None:
        raise refusal(f"{quoted(value)} is not a valid ISRC.")
    works = _context(info).get("works")
    if works is not None and isrc not in works:
        raise refusal(f"{isrc} is not in the catalogue.")
    return isrc


def _use(value: object, info: ValidationInfo) -> str:
    uses = _context(info).get("uses")
    if not isinstance(value, str) or (uses is not None and value not in uses):
        raise refusal(f"{quoted(value)} is not a use type the portal knows.")
    return value


def _complete(value: object) -> bool:
    if value is None:
        return True
    if not isinstance(value, bool):
        raise refusal("`complete` is true or false, when given.")
    return value


def _items(value: object) -> object:
    if not isinstance(value, list):
        raise refusal('Send "items" as a list of {"isrc", "use"}.')
    return value


class ManifestItem(Inbound):
    not_an_object = 'Each item must be a JSON object: {"isrc", "use"}.'

    isrc: Annotated[str, PlainValidator(_isrc, json_schema_input_type=str)] = Field(
        examples=["USRC17607839"]
    )
    use: Annotated[str, PlainValidator(_use, json_schema_input_type=str)] = Field(
        examples=["training"]
    )


Items = Annotated[list[ManifestItem], Field(max_length=MAX_ITEMS), BeforeValidator(_items)]


class ManifestItems(Inbound):
    """More items of a manifest sent in parts."""

    not_an_object = 'Send {"items": [...]}.'

    items: Items


class TrainingManifest(Inbound):
    """Which works went into one version of a model, and when it was trained."""

    not_an_object = "The manifest must be a JSON object."

    model: Annotated[str, PlainValidator(_name(NAME_MAX, "model's name"))] = Field(
        examples=["tunesmith-gen"]
    )
    version: Annotated[str, PlainValidator(_name(VERSION_MAX, "model's version"))] = Field(
        examples=["2.0"]
    )
    trained_at: Annotated[datetime, PlainValidator(_trained_at, json_schema_input_type=str)] = (
        Field(json_schema_extra={"format": "date-time"})
    )
    items: Items
    complete: Annotated[bool, PlainValidator(_complete, json_schema_input_type=bool)] = Field(
        default=True,
        description="false to send more items in parts (`/items`), then `/complete`.",
    )
