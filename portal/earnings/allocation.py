"""Splitting a reported amount between the artist, the label and the platform.

The rule (largest remainder, in the currency's minor unit):

1. Each party's exact share is `gross * percent / 100`.
2. Each party first gets its exact share rounded down to the minor unit (the cent).
3. The cents left over (at most two) go one each to the parties whose shares lost the
   most in step 2; equal losses go to the artist first, then the label, then the
   platform.

So the three amounts always add up to the gross exactly, no party is ever more than one
cent from its exact share, and the same line always splits the same way.

Below the rule, a report's allocation as read from the database (`allocations_for`):
what `earnings.services` stores when the report arrives, and what `report_recompute`
compares the stored allocation with. Both only read.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery

from portal.consent.models import PermissionChange
from portal.earnings.currencies import MINOR_UNITS
from portal.earnings.models import Allocation, Compliance, UsageLine, UsageReport
from portal.licensing.models import Licence

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Shares:
    """Percentages of gross that add up to 100."""

    artist: Decimal
    label: Decimal
    platform: Decimal

    def __post_init__(self) -> None:
        if self.artist + self.label + self.platform != HUNDRED or min(self.as_tuple()) < 0:
            raise ValueError(f"Shares must be 0 or more and add up to 100: {self}")

    def as_tuple(self) -> tuple[Decimal, Decimal, Decimal]:
        return (self.artist, self.label, self.platform)


@dataclass(frozen=True)
class Split:
    artist: Decimal
    label: Decimal
    platform: Decimal


def split(gross: Decimal, shares: Shares, places: int = 2) -> Split:
    """`gross` split by `shares` to `places` decimal places; the parts sum to `gross`."""
    unit = Decimal(1).scaleb(-places)
    if gross < 0 or gross != gross.quantize(unit):
        raise ValueError(f"{gross} is not a non-negative amount in units of {unit}")
    exact = [gross * percent / HUNDRED for percent in shares.as_tuple()]
    floors = [amount.quantize(unit, rounding=ROUND_FLOOR) for amount in exact]
    left = int((gross - sum(floors)) / unit)
    # Largest loss first; on a tie, the party's position (artist, label, platform).
    order = sorted(range(3), key=lambda i: (floors[i] - exact[i], i))
    for i in order[:left]:
        floors[i] += unit
    return Split(*floors)


# --- a report's allocation ----------------------------------------------------------------


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
