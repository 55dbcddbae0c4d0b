"""Writes for earnings: usage reports, stored whole or not at all."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.earnings.models import UsageLine, UsageReport
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
            UsageLine.objects.bulk_create(
                [
                    UsageLine(
                        report=report,
                        work_id=line.work_id,
                        use_type_id=line.use_type_id,
                        units=line.units,
                        gross=line.gross,
                        credit=line.credit,
                    )
                    for line in parsed.lines
                ],
                batch_size=1000,
            )
    except IntegrityError:
        # Another submission of this reference committed first.
        if (found := _existing(product, parsed)) is not None:
            return found
        raise
    return Submitted(report, len(parsed.lines), created=True)
