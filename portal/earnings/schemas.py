"""A usage report as a product sends it (the API's JSON, the admin's CSV turned into the
same dict): its shape, its limits and the rule of each field, declared once.

The API's OpenAPI document is generated from these models, so the pattern of an amount,
the earliest start and the longest period it publishes are the ones enforced here.
What needs the catalogue (an ISRC in it, a use type it knows) is read from the
validation context that `validation.usage_report_parse` fills with two queries; without
it the models judge only what the values say themselves.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from typing_extensions import TypedDict  # pydantic reads a TypedDict of 3.12 and on

from portal.catalogue.identifiers import isrc_parsed
from portal.consent.conditions import is_country
from portal.earnings.currencies import MINOR_UNITS
from portal.numbers import written
from portal.shapes import Inbound, quoted, refusal
from portal.text import code_point, control_in, name_control_in

MAX_LINES = 100_000
MAX_UNITS = 2**63 - 1
REFERENCE_MAX, CREDIT_MAX, USE_MAX = 100, 300, 40
# The published pattern of an amount: ASCII digits only, no sign, no exponent, no spaces
# or separators; 12 digits before the point fit the column (Decimal(14, 2)).
AMOUNT_PATTERN = r"[0-9]{1,12}(\.[0-9]{1,2})?"
AMOUNT = re.compile(AMOUNT_PATTERN)
# Earnings of the portal's time: a period from before is a typo (0999 for 2026), and it
# would be stored for good, since reports are never deleted.
EARLIEST_START = date(2000, 1, 1)
# A year, a leap one included; a longer period is several reports.
MAX_PERIOD_DAYS = 366

Amount = Annotated[
    str,
    StringConstraints(pattern=f"^{AMOUNT_PATTERN}$"),
    Field(
        description="A decimal string, 0 or more, with at most the currency's decimal places "
        "(two; none for currencies such as JPY): ASCII digits and a point, nothing else (no "
        "sign, spaces, separators or exponent). A JSON number is accepted when written the "
        "same way (`123.45`, not `1e2` or `-0.0`), and read exactly, never as floating point.",
        examples=["123.45"],
    ),
]


class Mistake(TypedDict):
    """One mistake in a report: its line (from 0; null for the report as a whole), the
    field (dotted, as `period.start`) and what to do about it."""

    line: int | None
    field: str
    message: str


def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context if isinstance(info.context, dict) else {}


# --- the rule of each field ------------------------------------------------------------------


def _reference(value: object) -> str:
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > REFERENCE_MAX
        or name_control_in(value) is not None
    ):
        raise refusal(
            f"Give the report a reference of 1 to {REFERENCE_MAX} characters, on one line, "
            "without control characters or text-direction marks."
        )
    return value


def _day(value: object) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _start(value: object) -> date:
    if (start := _day(value)) is None:
        raise refusal("Give the period's first day as YYYY-MM-DD.")
    if start < EARLIEST_START:
        raise refusal(f"The period cannot start before {EARLIEST_START}.")
    return start


def _end(value: object) -> date:
    if (end := _day(value)) is None:
        raise refusal("Give the period's last day as YYYY-MM-DD.")
    if end >= timezone.now().date():
        # Usage is checked against the permission history of the whole period, which
        # does not exist yet for days to come.
        raise refusal("Report a period once it has ended (UTC).")
    return end


def _currency(value: object) -> str:
    if not isinstance(value, str) or value not in MINOR_UNITS:
        raise refusal("Give an ISO 4217 currency code such as EUR.")
    return value


def _lines(value: object) -> object:
    if not isinstance(value, list) or not value:
        raise refusal("Give at least one line.")
    return value


def _isrc(value: object, info: ValidationInfo) -> str:
    context = _context(info)
    known = context.get("isrcs", {})
    isrc = known[value] if isinstance(value, str) and value in known else isrc_parsed(value)
    if isrc is None:
        raise refusal(f"{quoted(value)} is not a valid ISRC.")
    if "works" in context and isrc not in context["works"]:
        raise refusal(f"{isrc} is not in the catalogue.")
    return isrc


def _use(value: object, info: ValidationInfo) -> str:
    unknown = f"{quoted(value)} is not a use type the portal knows."
    if not isinstance(value, str):
        raise refusal(unknown)
    if (char := control_in(value)) is not None:
        raise refusal(f"The use holds a control character ({code_point(char)}).")
    if "uses" in (context := _context(info)) and value not in context["uses"]:
        raise refusal(unknown)
    return value


def _units(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_UNITS:
        raise refusal("Units must be a whole number, 0 or more.")
    return int(value)


def _gross(value: object, info: ValidationInfo) -> Decimal:
    """An amount written as the published pattern with at most the currency's decimals:
    a string, or a JSON number written the same way (the pattern is matched against its
    literal, so `1.5e0`, `150e-2` and `-0` are refused as written)."""
    places = _context(info).get("places", 2)
    amount = None
    if not isinstance(value, bool) and isinstance(value, str | int | Decimal):
        literal = written(value)
        if AMOUNT.fullmatch(literal):
            amount = Decimal(literal)
    # More decimals than the currency has is a mistake, unless they are zeros.
    if amount is None or amount != amount.quantize(Decimal(1).scaleb(-places)):
        unit = "whole units" if places == 0 else f"at most {places} decimal places"
        raise refusal(f'Gross must be an amount of 0 or more in {unit}, as "123.45".')
    return amount.quantize(Decimal("0.01"))


def _credit(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > CREDIT_MAX or name_control_in(value):
        raise refusal(
            f"The credit must be one line of at most {CREDIT_MAX} characters, without "
            "control characters or text-direction marks."
        )
    return value


def _flag(value: object, info: ValidationInfo) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise refusal(f"`{info.field_name}` is true or false, when given.")


def _territory(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not is_country(value):
        raise refusal(
            f"{quoted(value)} is not a country: give its ISO 3166-1 code in capitals, such as GB."
        )
    return value


Flag = Annotated[bool | None, PlainValidator(_flag, json_schema_input_type=bool | None)]


class LineContext(Inbound):
    """How the use was made, so the conditions of a yes can be checked: a use that breaks
    one (or leaves out what one needs, say `territory` where only some countries are
    allowed) is flagged and its money held, as use without permission is."""

    not_an_object = "`context` must be a JSON object."

    commercial: Flag = Field(default=None, description="Someone paid or was paid.")
    advertising: Flag = Field(default=None, description="It advertised or sold something.")
    political: Flag = Field(default=None, description="By or for a party or a campaign.")
    credited: Flag = Field(default=None, description="The artist was credited as asked.")
    territory: Annotated[
        str | None, PlainValidator(_territory, json_schema_input_type=str | None)
    ] = Field(default=None, examples=["GB"], description="ISO 3166-1 alpha-2.")

    def given(self) -> dict[str, object]:
        """What the product said, without what it left out."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


# --- the shapes ----------------------------------------------------------------------------


class Period(Inbound):
    model_config = ConfigDict(
        json_schema_extra={
            "description": f"Days, first and last included: from {EARLIEST_START} on, at "
            f"most {MAX_PERIOD_DAYS} days, ended before the report is sent (UTC)."
        }
    )

    start: Annotated[date, BeforeValidator(_start)]
    end: Annotated[date, BeforeValidator(_end), Field(description="Inclusive.")]

    @model_validator(mode="after")
    def _in_order_and_at_most_a_year(self) -> "Period":
        if self.end < self.start:
            raise refusal("The period cannot end before it starts.", at="end")
        if (self.end - self.start).days >= MAX_PERIOD_DAYS:
            raise refusal(
                f"A period is at most a year ({MAX_PERIOD_DAYS} days, first and last "
                "included); send a longer one as several reports."
            )
        return self


class ReportLine(Inbound):
    """What a product did with one work for one use in the period. One line per (ISRC,
    use)."""

    not_an_object = "Each line must be a JSON object."

    isrc: Annotated[str, PlainValidator(_isrc, json_schema_input_type=str)] = Field(
        examples=["USRC17607839"]
    )
    use: Annotated[str, StringConstraints(max_length=USE_MAX), BeforeValidator(_use)] = Field(
        examples=["training"]
    )
    units: Annotated[int, Field(ge=0, le=MAX_UNITS), BeforeValidator(_units)]
    gross: Annotated[Decimal, PlainValidator(_gross, json_schema_input_type=Amount)]
    credit: Annotated[str, Field(max_length=CREDIT_MAX), BeforeValidator(_credit)] = Field(
        default="", examples=["Ada Lane — Night Drive"]
    )
    context: LineContext | None = None


class UsageReport(Inbound):
    """A usage report: validated whole, stored whole or not at all."""

    not_an_object = "The report must be a JSON object."

    reference: Annotated[
        str,
        StringConstraints(min_length=1, max_length=REFERENCE_MAX),
        BeforeValidator(_reference),
    ] = Field(
        description="Your name for the report, unique for your product.",
        examples=["2026-10-tunesmith-1"],
    )
    period: Period
    currency: Annotated[str, StringConstraints(pattern="^[A-Z]{3}$"), BeforeValidator(_currency)]
    lines: Annotated[
        list[ReportLine], Field(min_length=1, max_length=MAX_LINES), BeforeValidator(_lines)
    ]
