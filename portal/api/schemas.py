"""What the machine API takes and answers, declared once.

Requests are validated with these models (the bulk check here, the usage report in
`portal.earnings.schemas`); every answer, errors included, is serialised from one, so
the shape the OpenAPI document publishes (generated from them in `openapi.py`) is the
shape produced. The suite holds every response it sees to that document.
"""

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
)
from pydantic.json_schema import JsonDict, SkipJsonSchema
from typing_extensions import TypedDict  # pydantic reads a TypedDict of 3.12 and on

from portal.catalogue.identifiers import isrc_parsed
from portal.consent.rules import Reason
from portal.earnings.schemas import Amount, Mistake
from portal.shapes import Inbound, quoted, refusal
from portal.text import code_point, control_in

MAX_ITEMS = 1000
ISRC_EXAMPLE = "USRC17607839"
# Not one of the rule's reasons: in a bulk check, a well-formed ISRC that is not in the
# catalogue is answered in place (a single check answers 404) so one unknown recording
# does not fail a thousand.
NOT_IN_CATALOGUE = "not_in_catalogue"
BULK_SHAPE = 'Send {"items": [{"isrc": ..., "use": ...}]}.'

Isrc = Annotated[str, Field(examples=[ISRC_EXAMPLE])]
Use = Annotated[str, Field(examples=["training"])]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


def unknown_use(use: str) -> str:
    return f"{quoted(use)} is not a use type the portal knows."


def control_message(name: str, value: str, char: str) -> str:
    return f"`{name}` {quoted(value)} holds a control character ({code_point(char)})."


# --- requests ----------------------------------------------------------------------------


def _item_isrc(value: object) -> str:
    isrc = isrc_parsed(value)
    if isrc is None:
        raise refusal(f"{quoted(value)} is not a valid ISRC.")
    return isrc


def _item_use(value: object, info: ValidationInfo) -> str:
    use = value if isinstance(value, str) else ""
    if (char := control_in(use)) is not None:
        raise refusal(control_message("use", use, char))
    known = info.context.get("uses") if isinstance(info.context, dict) else None
    if known is not None and use not in known:
        raise refusal(unknown_use(use))
    return use


def _items(value: object) -> object:
    if not isinstance(value, list):
        raise refusal(BULK_SHAPE)
    return value


class CheckItem(Inbound):
    isrc: Annotated[Isrc, PlainValidator(_item_isrc, json_schema_input_type=Isrc)]
    use: Annotated[Use, PlainValidator(_item_use, json_schema_input_type=Use)]


class BulkCheckRequest(Inbound):
    not_an_object = BULK_SHAPE

    items: Annotated[list[CheckItem], Field(max_length=MAX_ITEMS), BeforeValidator(_items)]


# --- answers -----------------------------------------------------------------------------


class Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


CheckReason = Reason | Literal["not_in_catalogue"]


def _without_default(schema: JsonDict) -> None:
    schema.pop("default", None)


class GrantCondition(Answer):
    """A condition the use is permitted under. Absent parameters are left out, never null."""

    code: str = Field(
        examples=["credit_required"],
        description="From the portal's vocabulary: `credit_required`, `non_commercial`, "
        "`no_advertising`, `no_political`, `territories`, and any added later.",
    )
    credit: str | SkipJsonSchema[None] = Field(
        default=None,
        exclude_if=lambda value: value is None,
        json_schema_extra=_without_default,
        examples=["Ada Lane"],
        description="`credit_required`: the credit line to show.",
    )
    allow: list[str] | SkipJsonSchema[None] = Field(
        default=None,
        exclude_if=lambda value: value is None,
        json_schema_extra=_without_default,
        examples=[["GB", "IE"]],
        description="`territories`: the only countries the use is allowed in (ISO 3166-1 "
        "alpha-2); where both sides set them, those both allow.",
    )


CONDITIONS_DESCRIPTION = (
    "The conditions both sides set on their yes, which the product must honour; empty "
    "when unconditional or not permitted."
)


class Check(Answer):
    isrc: Isrc = Field(description="Normalised (no hyphens, upper case).")
    use: Use
    permitted: bool
    reasons: list[CheckReason] = Field(
        description="The conditions that failed. `not_in_catalogue` appears only in bulk checks."
    )
    conditions: list[GrantCondition] = Field(description=CONDITIONS_DESCRIPTION)
    version: int = Field(
        ge=0,
        description="The product's permission-change sequence number when answered: the "
        "feed after it holds everything since.",
    )


class BulkCheckResponse(Answer):
    results: list[Check]


class Change(Answer):
    seq: int = Field(ge=1)
    isrc: Isrc
    use: Use
    permitted: bool
    conditions: list[GrantCondition] = Field(
        description="The conditions the use is permitted under from this change on; a "
        "change of them alone is a change too. Empty when not permitted."
    )
    at: Timestamp
    opens_obligation: bool = Field(
        description="A withdrawal of a use (training) that the product's next model must "
        "honour by leaving the work out: listed at GET /obligations until settled."
    )


class Changes(Answer):
    changes: list[Change]
    next: int = Field(
        ge=0,
        description="Pass as `after` to read on; equals `after` when there is nothing new.",
    )


class SnapshotHead(Answer):
    """The first line of a permissions snapshot."""

    seq: int = Field(
        ge=0,
        description="The product's change sequence number the snapshot is consistent with: "
        "every change up to it is in the lines that follow, none after it. Read the changes "
        "feed on from here (`after`).",
    )
    product: str = Field(examples=["tunesmith"], description="The product's slug.")
    generated_at: Timestamp
    from_isrc: Isrc | None = Field(
        description="The ISRC the lines start from, when the request asked to resume "
        "(`from_isrc`); null for a whole snapshot."
    )


class SnapshotPermission(Answer):
    """Each line after the first: one (ISRC, use) the product may use now."""

    isrc: Isrc
    use: Use
    conditions: list[GrantCondition] = Field(description=CONDITIONS_DESCRIPTION)


class ManifestReceived(Answer):
    """A manifest, or a part of one, taken: send more items, then complete it."""

    id: int
    model: str
    version: str
    complete: Literal[False]
    items: int = Field(ge=0, description="Items received so far, duplicates dropped.")


class UnpermittedItem(Answer):
    isrc: Isrc
    use: Use
    reasons: list[str] = Field(
        description="Why it was not permitted when the model was trained: the reasons of "
        "the permission change then in force, or `never_permitted`."
    )


class Breach(Answer):
    """An item of the model whose use had been withdrawn before it was trained."""

    isrc: Isrc
    use: Use
    seq: int = Field(ge=1, description="The change that withdrew it, as the feed numbers it.")
    withdrawn_at: Timestamp


class ManifestChecked(Answer):
    """A completed manifest, checked against the permissions when the model was trained."""

    id: int
    model: str
    version: str
    trained_at: Timestamp
    complete: Literal[True]
    items: int = Field(ge=0)
    unpermitted: list[UnpermittedItem]
    breaches: list[Breach]


class SettledBy(Answer):
    model: str
    version: str


class Obligation(Answer):
    """A withdrawal that must reach the product's next model: open until the next
    completed manifest settles it."""

    seq: int = Field(ge=1, description="The change that withdrew the use.")
    isrc: Isrc
    use: Use
    withdrawn_at: Timestamp
    status: Literal["open", "honoured", "breached", "lapsed"]
    settled_by: SettledBy | SkipJsonSchema[None] = Field(
        default=None, exclude_if=lambda value: value is None, json_schema_extra=_without_default
    )


class Obligations(Answer):
    obligations: list[Obligation]
    next: int = Field(ge=0, description="Pass as `after` to read on.")


class UsageReportReceived(Answer):
    id: int
    reference: str
    lines: int = Field(ge=1)


class StoredPeriod(Answer):
    """Days, first and last included, as the report gave them."""

    start: date
    end: date


class UsageReportDetail(Answer):
    id: int
    reference: str
    period: StoredPeriod
    currency: str
    received_at: Timestamp
    lines: int = Field(ge=0)
    gross: Amount
    flagged_lines: int = Field(
        ge=0,
        description="Lines for a work and use that was not permitted for the whole reported "
        "period, or whose `context` broke (or did not show it kept) a condition of the "
        "permission: their money is held, not paid.",
    )
    flagged_gross: Amount


class ItemMistake(TypedDict):
    """What is wrong with one item of a bulk check, by its index (from 0)."""

    index: int
    code: str
    message: str


class ErrorBody(Answer):
    code: str
    message: str
    details: list[Mistake | ItemMistake] | SkipJsonSchema[None] = Field(
        default=None,
        exclude_if=lambda details: details is None,
        # Absent, never null: the default is not a value a product sees.
        json_schema_extra=_without_default,
        description="Each mistake, when the request had several: a usage report's by "
        "`line` and `field`, a bulk check's by `index`.",
    )


class Error(Answer):
    """Every failure: `{"error": {"code", "message"}}`, with `details` for mistakes."""

    error: ErrorBody
