"""Writes for earnings: usage reports, stored whole or not at all, and allocated as they
are stored.

Allocation (see docs/earnings.md): each line is split between the artist, the label and
the platform by the shares of the licence that covered its use (allocation.split), and
checked against the product's permission history for the reported period. Lines not
permitted for the whole period are flagged and their money held. The summaries the
earnings pages read are updated in the same transaction.
"""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from portal.consent.bulk import insert_rows
from portal.earnings.allocation import allocations_for
from portal.earnings.flags import flags_record
from portal.earnings.models import (
    Allocation,
    MonthlyEarning,
    UsageLine,
    UsageReport,
    WorkMonthEarning,
)
from portal.earnings.validation import ParsedReport
from portal.licensing.models import Product


class UsageReportConflict(Exception):
    """The reference names a report already received with different content."""


@dataclass(frozen=True)
class Submitted:
    report: UsageReport
    lines: int
    created: bool


def _existing(product: Product, parsed: ParsedReport) -> Submitted | None:
    report = UsageReport.objects.filter(product=product, reference=parsed.reference).first()
    if report is None:
        return None
    if report.body_hash != parsed.body_hash:
        raise UsageReportConflict(
            f"A different report with the reference {parsed.reference!r} was received on "
            f"{report.received_at:%Y-%m-%d}; use a new reference for a new report."
        )
    return Submitted(report, report.lines.count(), created=False)


def usage_report_submit(*, product: Product, parsed: ParsedReport) -> Submitted:
    """Store a validated report and its lines in one transaction.

    Idempotent by reference: the same report again returns the stored one
    (created=False); a different report under a reference already used raises
    UsageReportConflict. Two submissions racing on one reference resolve the same way.
    """
    if (found := _existing(product, parsed)) is not None:
        return found
    try:
        with transaction.atomic():
            report = UsageReport.objects.create(
                product=product,
                reference=parsed.reference,
                period_start=parsed.period_start,
                period_end=parsed.period_end,
                currency=parsed.currency,
                received_at=timezone.now(),
                body_hash=parsed.body_hash,
            )
            # By COPY on PostgreSQL: a report may have 100,000 lines, and model instances
            # and INSERT parameters cost more than the rest of the ingest together.
            insert_rows(
                UsageLine,
                [
                    {
                        "report_id": report.pk,
                        "work_id": line.work_id,
                        "use_type_id": line.use_type_id,
                        "units": line.units,
                        "gross": line.gross,
                        "credit": line.credit,
                        "context": line.context,
                    }
                    for line in parsed.lines
                ],
            )
            report_allocate(report)
    except IntegrityError:
        # Another submission of this reference committed first.
        if (found := _existing(product, parsed)) is not None:
            return found
        raise
    return Submitted(report, len(parsed.lines), created=True)


# --- allocation ---------------------------------------------------------------------------


def report_allocate(report: UsageReport) -> int:
    """Allocate a freshly stored report's lines, add them to the summaries, and tell the
    people concerned of use without permission (`earnings.flags`)."""
    rows = allocations_for(report)
    insert_rows(Allocation, rows)
    _summaries_add("WHERE report_id = %s", [report.pk])
    flags_record(report=report, rows=rows)
    return len(rows)


# Each summary model, its key columns, and the SQL for each summed column.
_SUMMARIES: list[tuple[type[MonthlyEarning | WorkMonthEarning], list[str], dict[str, str]]] = [
    (
        MonthlyEarning,
        ["artist_id", "label_id", "product_id", "use_type_id", "month", "currency", "compliance"],
        {
            "lines": "COUNT(*)",
            "units": "SUM(units)",
            "gross": "SUM(gross)",
            "artist_amount": "COALESCE(SUM(artist_amount), 0)",
            "label_amount": "COALESCE(SUM(label_amount), 0)",
            "platform_amount": "COALESCE(SUM(platform_amount), 0)",
        },
    ),
    (
        WorkMonthEarning,
        ["work_id", "artist_id", "label_id", "month", "currency"],
        {
            "lines": "COUNT(*)",
            "units": "SUM(units)",
            "gross": "SUM(gross)",
            "artist_amount": "COALESCE(SUM(CASE WHEN compliance = 'permitted' "
            "THEN artist_amount END), 0)",
            "artist_held": "COALESCE(SUM(CASE WHEN compliance <> 'permitted' "
            "THEN artist_amount END), 0)",
            "flagged_lines": "COUNT(*) - COUNT(CASE WHEN compliance = 'permitted' THEN 1 END)",
        },
    ),
]


def _summaries_add(where: str, params: list[Any]) -> None:
    """Add the allocations matching `where` to the summary tables (upserts, in key order
    so concurrent ingests lock summary rows in the same order)."""
    source = Allocation._meta.db_table
    with connection.cursor() as cursor:
        for model, keys, sums in _SUMMARIES:
            table = model._meta.db_table
            key_list = ", ".join(keys)
            updates = ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in sums)
            # Table and column names are this module's constants; values are parameters.
            cursor.execute(
                f"INSERT INTO {table} ({key_list}, {', '.join(sums)}) "  # noqa: S608
                f"SELECT {key_list}, {', '.join(sums.values())} FROM {source} {where} "
                f"GROUP BY {key_list} ORDER BY {key_list} "
                f"ON CONFLICT ({key_list}) DO UPDATE SET {updates}",
                params,
            )


@transaction.atomic
def summaries_rebuild() -> None:
    """Recompute the summary tables from every allocation."""
    for model, _, _ in _SUMMARIES:
        model.objects.all().delete()
    _summaries_add("WHERE TRUE", [])
