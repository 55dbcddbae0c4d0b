"""Judging a usage report: every mistake found and named, nothing guessed.

The report's shape and the rule of each field are declared in `schemas`; this module
reads the catalogue those rules need (the works and use types named, two queries),
validates, and names each mistake by its line and field. Amounts are exact: the JSON is
parsed with numbers as Decimal (never float), and an amount with more decimal places
than its currency has is an error, not a rounding.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter, ValidationError

from portal.catalogue.identifiers import isrc_parsed
from portal.catalogue.selectors import work_ids_by_isrc
from portal.earnings import schemas
from portal.earnings.currencies import MINOR_UNITS
from portal.earnings.schemas import MAX_LINES, USE_MAX, Mistake
from portal.licensing.models import UseType
from portal.shapes import Where, refusals
from portal.text import control_in

MAX_DETAILS = 100
# Lines are validated this many at a time, so a report of 100,000 bad lines costs the
# errors of one chunk in memory, not half a million.
CHUNK = 1000
LINES = TypeAdapter(list[schemas.ReportLine])


class UsageReportInvalid(Exception):
    """The report has mistakes; `details` names the first 100, `total` counts them all."""

    def __init__(self, details: list[Mistake], total: int) -> None:
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
    # How the use was made, as the line said it (`schemas.LineContext`); {} when not said.
    context: dict[str, object] = field(default_factory=dict)


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
                # A line with no context hashes as it did before contexts existed.
                + ([line.context] if line.context else [])
                for line in self.lines
            ),
        }
        encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(encoded.encode()).hexdigest()


def _mistake(where: Where, message: str) -> Mistake:
    if len(where) >= 2 and where[0] == "lines" and isinstance(where[1], int):
        return Mistake(line=where[1], field=".".join(map(str, where[2:])), message=message)
    return Mistake(line=None, field=".".join(map(str, where)), message=message)


def _repeats(
    lines: list[Any], isrcs: dict[str, str | None], works: dict[str, int], uses: dict[str, int]
) -> Iterable[Mistake]:
    """A line repeating the (ISRC, use) of an earlier one; only lines whose ISRC and use
    are both known can repeat one."""
    seen: dict[tuple[str, str], int] = {}
    for index, raw in enumerate(lines):
        if not isinstance(raw, dict):
            continue
        isrc = isrcs.get(raw["isrc"]) if isinstance(raw.get("isrc"), str) else None
        use = raw.get("use")
        if isrc in works and isinstance(use, str) and use in uses:
            assert isrc is not None
            if (isrc, use) in seen:
                message = f"Repeats line {seen[(isrc, use)]}: one line per ISRC and use."
                yield Mistake(line=index, field="isrc", message=message)
            seen.setdefault((isrc, use), index)


def usage_report_parse(data: Any) -> ParsedReport:
    """Validate a report whole. Raises UsageReportInvalid naming every mistake (up to
    100), or UsageReportTooLarge. Two queries: the works and the use types named."""
    report = data if isinstance(data, dict) else {}
    currency = report.get("currency")
    lines = report.get("lines")
    lines = lines if isinstance(lines, list) else []
    if len(lines) > MAX_LINES:
        raise UsageReportTooLarge(
            f"A report has at most {MAX_LINES:,} lines; split it into several reports."
        )
    named = [line for line in lines if isinstance(line, dict)]
    raw_isrcs: set[str] = {line["isrc"] for line in named if isinstance(line.get("isrc"), str)}
    isrcs = {value: isrc_parsed(value) for value in raw_isrcs}
    works = work_ids_by_isrc({isrc for isrc in isrcs.values() if isrc})
    slugs = {
        slug
        for line in named
        if isinstance(slug := line.get("use"), str)
        and slug.strip()
        and len(slug) <= USE_MAX
        and control_in(slug) is None
    }
    uses = dict(UseType.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    context = {
        "places": MINOR_UNITS.get(currency, 2) if isinstance(currency, str) else 2,
        "isrcs": isrcs,
        "works": works,
        "uses": uses,
    }
    mistakes: list[Mistake] = []
    total = 0

    def failed(exc: ValidationError, offset: int) -> None:
        nonlocal total
        total += exc.error_count()
        if len(mistakes) < MAX_DETAILS:
            for where, message in refusals(exc):
                if offset and isinstance(where[0], int):
                    where = ("lines", where[0] + offset, *where[1:])
                mistakes.append(_mistake(where, message))

    # The report with its first chunk of lines, then the other chunks on their own.
    first = data | {"lines": lines[:CHUNK]} if lines else data
    valid, rest = None, list[schemas.ReportLine]()
    try:
        valid = schemas.UsageReport.model_validate(first, context=context)
    except ValidationError as exc:
        failed(exc, 0)
    for offset in range(CHUNK, len(lines), CHUNK):
        try:
            rest += LINES.validate_python(lines[offset : offset + CHUNK], context=context)
        except ValidationError as exc:
            failed(exc, offset)
    repeats = list(_repeats(lines, isrcs, works, uses))
    if total or repeats:
        # Line by line, the report's own first; a repeat last on its line. The mistakes
        # kept cover whole chunks from the start, so the first 100 are among them.
        ordered = sorted(
            [(m, 0) for m in mistakes] + [(m, 1) for m in repeats],
            key=lambda pair: (pair[0]["line"] is not None, pair[0]["line"] or 0, pair[1]),
        )
        raise UsageReportInvalid([m for m, _ in ordered[:MAX_DETAILS]], total + len(repeats))
    assert valid is not None
    return ParsedReport(
        valid.reference,
        valid.period.start,
        valid.period.end,
        valid.currency,
        [
            ParsedLine(
                works[line.isrc],
                uses[line.use],
                line.isrc,
                line.use,
                line.units,
                line.gross,
                line.credit,
                line.context.given() if line.context else {},
            )
            for line in [*valid.lines, *rest]
        ],
    )
