"""Parsing a usage report sent as JSON: every mistake found and named, nothing guessed.

Amounts are exact: the JSON is parsed with numbers as Decimal (never float), and an
amount with more decimal places than its currency has is an error, not a rounding.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from portal.catalogue.identifiers import isrc_normalise
from portal.catalogue.models import Work
from portal.earnings.currencies import MINOR_UNITS
from portal.licensing.models import UseType
from portal.numbers import written
from portal.text import code_point, control_in, name_control_in

MAX_LINES = 100_000
MAX_DETAILS = 100
MAX_UNITS = 2**63 - 1
# The published pattern of an amount (docs/api.md, the OpenAPI document's Amount): ASCII
# digits only, no sign, no exponent, no spaces or separators; 12 digits before the point
# fit the column (Decimal(14, 2)).
AMOUNT_PATTERN = r"[0-9]{1,12}(\.[0-9]{1,2})?"
AMOUNT = re.compile(AMOUNT_PATTERN)
# Earnings of the portal's time: a period from before is a typo (0999 for 2026), and it
# would be stored for good, since reports are never deleted.
EARLIEST_START = date(2000, 1, 1)
# A year, a leap one included; a longer period is several reports.
MAX_PERIOD_DAYS = 366


class UsageReportInvalid(Exception):
    """The report has mistakes; `details` names each: {"line", "field", "message"}."""

    def __init__(self, details: list[dict[str, Any]], total: int) -> None:
        super().__init__(f"{total} mistake(s)")
        self.details, self.total = details, total


class UsageReportTooLarge(Exception):
    pass


@dataclass(frozen=True)
class ParsedLine:
    work_id: int
    use_type_id: int
    isrc: str
    use: str
    units: int
    gross: Decimal
    credit: str


@dataclass(frozen=True)
class ParsedReport:
    reference: str
    period_start: date
    period_end: date
    currency: str
    lines: list[ParsedLine]

    @property
    def body_hash(self) -> str:
        """SHA-256 of the report's meaning, not its bytes: key order, spacing, line order
        and "1.5" versus 1.50 do not make a different report."""
        canonical = {
            "reference": self.reference,
            "period": [self.period_start.isoformat(), self.period_end.isoformat()],
            "currency": self.currency,
            "lines": sorted(
                [line.isrc, line.use, line.units, str(line.gross), line.credit]
                for line in self.lines
            ),
        }
        encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(encoded.encode()).hexdigest()


class _Errors:
    def __init__(self) -> None:
        self.details: list[dict[str, Any]] = []
        self.total = 0

    def add(self, line: int | None, field: str, message: str) -> None:
        self.total += 1
        if len(self.details) < MAX_DETAILS:
            self.details.append({"line": line, "field": field, "message": message})


def _text(value: Any, *, max_length: int, required: bool = True, name: bool = False) -> str | None:
    """One line of text, or None. `name`: shown to people as a name (a credit), so the
    text-direction marks that names refuse are refused too."""
    if not isinstance(value, str) or (required and not value.strip()):
        return None
    refused = name_control_in if name else control_in
    if len(value) > max_length or refused(value) is not None:
        return None
    return value


def _shown(value: object) -> str:
    """A value quoted back in an error message, cut short."""
    text = repr(value)
    return text if len(text) <= 50 else text[:47] + "..."


def _isrc(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 32:
        return None
    try:
        return isrc_normalise(value)
    except ValidationError:
        return None


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _amount(value: Any, places: int) -> Decimal | None:
    """An amount written as the published pattern with at most `places` decimals: a
    string, or a JSON number written the same way (the pattern is matched against its
    literal, so `1.5e0`, `150e-2` and `-0` are refused as written)."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return None
    literal = written(value)
    if not AMOUNT.fullmatch(literal):
        return None
    amount = Decimal(literal)
    # More decimals than the currency has is a mistake, unless they are zeros.
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        return None
    return amount.quantize(Decimal("0.01"))


def _works_by_isrc(isrcs: set[str]) -> dict[str, int]:
    """ISRC -> work id, for those in the catalogue. On PostgreSQL the ISRCs go as one
    array: 100,000 placeholders cost more to send and parse than the lookup itself."""
    works = Work.objects.order_by()
    if connection.vendor == "postgresql":
        works = works.filter(
            RawSQL("isrc = ANY(%s::text[])", (list(isrcs),), output_field=BooleanField())
        )
    else:
        works = works.filter(isrc__in=isrcs)
    return dict(works.values_list("isrc", "pk"))


def usage_report_parse(data: Any) -> ParsedReport:
    """Validate a report whole. Raises UsageReportInvalid naming every mistake (up to
    100), or UsageReportTooLarge. Two queries: the works and the use types named."""
    errors = _Errors()
    if not isinstance(data, dict):
        errors.add(None, "", "The report must be a JSON object.")
        raise UsageReportInvalid(errors.details, errors.total)
    reference = _text(data.get("reference"), max_length=100, name=True)
    if reference is None:
        errors.add(
            None,
            "reference",
            "Give the report a reference of 1 to 100 characters, on one line, without "
            "control characters or text-direction marks.",
        )
    period = data.get("period")
    start = _date(period.get("start")) if isinstance(period, dict) else None
    end = _date(period.get("end")) if isinstance(period, dict) else None
    if start is None:
        errors.add(None, "period.start", "Give the period's first day as YYYY-MM-DD.")
    if end is None:
        errors.add(None, "period.end", "Give the period's last day as YYYY-MM-DD.")
    if start and start < EARLIEST_START:
        errors.add(None, "period.start", f"The period cannot start before {EARLIEST_START}.")
    if start and end and end < start:
        errors.add(None, "period.end", "The period cannot end before it starts.")
    elif start and end and (end - start).days >= MAX_PERIOD_DAYS:
        errors.add(
            None,
            "period",
            f"A period is at most a year ({MAX_PERIOD_DAYS} days, first and last included); "
            "send a longer one as several reports.",
        )
    if end and end >= timezone.now().date():
        # Usage is checked against the permission history of the whole period, which
        # does not exist yet for days to come.
        errors.add(None, "period.end", "Report a period once it has ended (UTC).")
    currency = data.get("currency")
    if not isinstance(currency, str) or currency not in MINOR_UNITS:
        errors.add(None, "currency", "Give an ISO 4217 currency code such as EUR.")
        places = 2
    else:
        places = MINOR_UNITS[currency]
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.add(None, "lines", "Give at least one line.")
        raise UsageReportInvalid(errors.details, errors.total)
    if len(raw_lines) > MAX_LINES:
        raise UsageReportTooLarge(
            f"A report has at most {MAX_LINES:,} lines; split it into several reports."
        )

    wanted: list[tuple[int, dict[str, Any], str | None]] = []
    for index, raw in enumerate(raw_lines):
        if not isinstance(raw, dict):
            errors.add(index, "", "Each line must be a JSON object.")
            continue
        isrc = _isrc(raw.get("isrc"))
        if isrc is None:
            errors.add(index, "isrc", f"{_shown(raw.get('isrc'))} is not a valid ISRC.")
        wanted.append((index, raw, isrc))
    works = _works_by_isrc({isrc for _, _, isrc in wanted if isrc})
    uses = dict(
        UseType.objects.filter(
            slug__in={raw["use"] for _, raw, _ in wanted if _text(raw.get("use"), max_length=40)}
        ).values_list("slug", "pk")
    )
    lines: list[ParsedLine] = []
    seen: dict[tuple[str, str], int] = {}
    for index, raw, isrc in wanted:
        if isrc is not None and isrc not in works:
            errors.add(index, "isrc", f"{isrc} is not in the catalogue.")
        use = raw.get("use")
        if isinstance(use, str) and (char := control_in(use)) is not None:
            errors.add(index, "use", f"The use holds a control character ({code_point(char)}).")
        elif not isinstance(use, str) or use not in uses:
            errors.add(index, "use", f"{_shown(use)} is not a use type the portal knows.")
        units = raw.get("units")
        if isinstance(units, bool) or not isinstance(units, int) or not 0 <= units <= MAX_UNITS:
            errors.add(index, "units", "Units must be a whole number, 0 or more.")
        gross = _amount(raw.get("gross"), places)
        if gross is None:
            unit = "whole units" if places == 0 else f"at most {places} decimal places"
            errors.add(
                index, "gross", f'Gross must be an amount of 0 or more in {unit}, as "123.45".'
            )
        credit = raw.get("credit")
        credit = _text("" if credit is None else credit, max_length=300, required=False, name=True)
        if credit is None:
            errors.add(
                index,
                "credit",
                "The credit must be one line of at most 300 characters, without control "
                "characters or text-direction marks.",
            )
        if isrc in works and isinstance(use, str) and use in uses:
            if (isrc, use) in seen:
                first = seen[(isrc, use)]
                errors.add(index, "isrc", f"Repeats line {first}: one line per ISRC and use.")
            seen.setdefault((isrc, use), index)
        if errors.total:
            continue
        assert isrc is not None and isinstance(use, str) and gross is not None
        lines.append(
            ParsedLine(works[isrc], uses[use], isrc, use, int(units), gross, credit or "")  # type: ignore[arg-type]
        )
    if errors.total:
        raise UsageReportInvalid(errors.details, errors.total)
    assert reference is not None and start is not None and end is not None
    return ParsedReport(reference, start, end, str(currency), lines)
