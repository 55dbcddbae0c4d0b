"""Writes for earnings: usage reports, stored whole or not at all, and allocated as they
are stored.

Allocation (see docs/earnings.md): each line is split between the artist, the label and
the platform by the shares of the licence that covered its use (allocation.split), and
checked against the product's permission history for the reported period. Lines not
permitted for the whole period are flagged and their money held. The summaries the
earnings pages read are updated in the same transaction.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from portal.consent.bulk import insert_rows
from portal.consent.models import PermissionChange
from portal.earnings.allocation import Shares, split
from portal.earnings.currencies import MINOR_UNITS
from portal.earnings.models import (
    Allocation,
    Compliance,
    MonthlyEarning,
    UsageLine,
    UsageReport,
    WorkMonthEarning,
)
from portal.earnings.validation import ParsedReport
from portal.licensing.models import Licence, Product


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


def month_of(report: UsageReport) -> date:
    """The month a report's earnings count in: the month its period ends in."""
    return report.period_end.replace(day=1)


def _licence_terms(report: UsageReport) -> dict[tuple[int, int], tuple[int, Shares]]:
    """(label, use type) -> (licence, shares) for the licences of the product's licensee
    in force at any time in the period; where several were, the one that started last."""
    licences = (
        Licence.objects.filter(
            licensee__products=report.product_id, starts_on__lte=report.period_end
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=report.period_start))
        .prefetch_related("use_types", "shares")
        .order_by("starts_on", "pk")
    )
    terms: dict[tuple[int, int], tuple[int, Shares]] = {}
    for licence in licences:
        default = Shares(licence.artist_share, licence.label_share, licence.platform_share)
        by_use = {
            share.use_type_id: Shares(share.artist_share, share.label_share, share.platform_share)
            for share in licence.shares.all()
        }
        for use_type in licence.use_types.all():
            terms[(licence.label_id, use_type.pk)] = (
                licence.pk,
                by_use.get(use_type.pk, default),
            )
    return terms


def _compliance(at_start: bool | None, lost: bool, gained: bool) -> str:
    if at_start and not lost:
        return Compliance.PERMITTED
    if at_start or gained:
        return Compliance.PARTLY
    return Compliance.UNPERMITTED


def allocations_for(report: UsageReport) -> list[dict[str, Any]]:
    """The allocation of every line of the report, computed afresh (three queries): the
    same report, licences and permission history always give the same rows."""
    start = datetime.combine(report.period_start, time.min, tzinfo=UTC)
    end = datetime.combine(report.period_end + timedelta(days=1), time.min, tzinfo=UTC)
    history = PermissionChange.objects.filter(
        product_id=report.product_id,
        work_id=OuterRef("work_id"),
        use_type_id=OuterRef("use_type_id"),
    )
    in_period = history.filter(at__gte=start, at__lt=end)
    lines = (
        UsageLine.objects.filter(report=report)
        .annotate(
            at_start=Subquery(
                history.filter(at__lt=start).order_by("-at", "-seq").values("permitted")[:1]
            ),
            lost=Exists(in_period.filter(permitted=False)),
            gained=Exists(in_period.filter(permitted=True)),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "work_id",
            "use_type_id",
            "units",
            "gross",
            "work__primary_artist_id",
            "work__label_id",
            "at_start",
            "lost",
            "gained",
        )
    )
    terms = _licence_terms(report)
    places = MINOR_UNITS[report.currency]
    month = month_of(report)
    rows = []
    for line_id, work_id, use_id, units, gross, artist_id, label_id, *history_flags in lines:
        licence_id = None
        amounts: tuple[Decimal | None, Decimal | None, Decimal | None] = (None, None, None)
        if (found := terms.get((label_id, use_id))) is not None:
            licence_id, shares = found
            parts = split(gross, shares, places)
            amounts = (parts.artist, parts.label, parts.platform)
        rows.append(
            {
                "line_id": line_id,
                "report_id": report.pk,
                "product_id": report.product_id,
                "work_id": work_id,
                "artist_id": artist_id,
                "label_id": label_id,
                "use_type_id": use_id,
                "licence_id": licence_id,
                "month": month,
                "currency": report.currency,
                "units": units,
                "gross": gross,
                "artist_amount": amounts[0],
                "label_amount": amounts[1],
                "platform_amount": amounts[2],
                # Without a licence nothing was permitted, whatever the history says
                # (a work moved to a label the product has no licence with, say).
                "compliance": (
                    _compliance(*history_flags) if licence_id else Compliance.UNPERMITTED
                ),
            }
        )
    return rows


def report_allocate(report: UsageReport) -> int:
    """Allocate a freshly stored report's lines and add them to the summaries."""
    rows = allocations_for(report)
    insert_rows(Allocation, rows)
    _summaries_add("WHERE report_id = %s", [report.pk])
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


@dataclass(frozen=True)
class Difference:
    line_id: int
    stored: Mapping[str, Any] | None
    computed: dict[str, Any]


def report_recompute(report: UsageReport) -> list[Difference]:
    """Lines whose stored allocation differs from one computed now (a licence's shares
    edited afterwards, say). Empty when recomputing gives the same result."""
    stored: dict[int, Mapping[str, Any]] = {
        row["line_id"]: row for row in Allocation.objects.filter(report=report).values()
    }
    return [
        Difference(row["line_id"], stored.get(row["line_id"]), row)
        for row in allocations_for(report)
        if {k: stored.get(row["line_id"], {}).get(k) for k in row} != row
    ]
