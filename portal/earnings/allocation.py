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

from portal.consent.conditions import breach_of, conditions_of
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


def _conditions_in_period(
    report: UsageReport, pairs: set[tuple[int, int]], start: datetime, end: datetime
) -> dict[tuple[int, int], list[list[dict[str, Any]]]]:
    """The conditions of each permitted change inside the period, for these (work, use)
    pairs (one query; none for no pairs)."""
    found: dict[tuple[int, int], list[list[dict[str, Any]]]] = {}
    if not pairs:
        return found
    for work_id, use_id, conditions in PermissionChange.objects.filter(
        product_id=report.product_id,
        work_id__in={w for w, _ in pairs},
        permitted=True,
        at__gte=start,
        at__lt=end,
    ).values_list("work_id", "use_type_id", "conditions"):
        if (work_id, use_id) in pairs:
            found.setdefault((work_id, use_id), []).append(conditions)
    return found


def _breach(
    compliance: str, context: dict[str, Any], in_force: list[list[dict[str, Any]]]
) -> dict[str, Any] | None:
    """How a permitted use broke a condition in force during its period, if it did."""
    if compliance == Compliance.UNPERMITTED:
        return None
    for conditions in in_force:
        if (breach := breach_of(conditions_of(conditions), context)) is not None:
            return {**breach.given.as_json(), "did": breach.did, "allowed": breach.allowed}
    return None


def allocations_for(report: UsageReport) -> list[dict[str, Any]]:
    """The allocation of every line of the report, computed afresh (three queries, and
    one more when conditions were set on a use during the period): the same report,
    licences and permission history always give the same rows.

    A line permitted (for all or part of the period) under conditions its `context`
    breaks, or does not show it kept, is flagged as `breached` and its money held."""
    start = datetime.combine(report.period_start, time.min, tzinfo=UTC)
    end = datetime.combine(report.period_end + timedelta(days=1), time.min, tzinfo=UTC)
    history = PermissionChange.objects.filter(
        product_id=report.product_id,
        work_id=OuterRef("work_id"),
        use_type_id=OuterRef("use_type_id"),
    )
    in_period = history.filter(at__gte=start, at__lt=end)
    query = (
        UsageLine.objects.filter(report=report)
        .annotate(
            at_start=Subquery(
                history.filter(at__lt=start).order_by("-at", "-seq").values("permitted")[:1]
            ),
            lost=Exists(in_period.filter(permitted=False)),
            gained=Exists(in_period.filter(permitted=True)),
            conditions_at_start=Subquery(
                history.filter(at__lt=start).order_by("-at", "-seq").values("conditions")[:1]
            ),
            conditioned_later=Exists(in_period.filter(permitted=True).exclude(conditions=[])),
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
            "context",
            "conditions_at_start",
            "conditioned_later",
        )
    )
    terms = _licence_terms(report)
    places = MINOR_UNITS[report.currency]
    month = month_of(report)
    lines = list(query)
    later = _conditions_in_period(
        report, {(line[1], line[2]) for line in lines if line[-1]}, start, end
    )
    rows = []
    for line in lines:
        line_id, work_id, use_id, units, gross, artist_id, label_id = line[:7]
        at_start, lost, gained, context, conditions_at_start, _ = line[7:]
        history_flags = (at_start, lost, gained)
        licence_id = None
        amounts: tuple[Decimal | None, Decimal | None, Decimal | None] = (None, None, None)
        if (found := terms.get((label_id, use_id))) is not None:
            licence_id, shares = found
            parts = split(gross, shares, places)
            amounts = (parts.artist, parts.label, parts.platform)
        # Without a licence nothing was permitted, whatever the history says (a work
        # moved to a label the product has no licence with, say).
        compliance = _compliance(*history_flags) if licence_id else Compliance.UNPERMITTED
        in_force = [conditions_at_start] if at_start and conditions_at_start else []
        breach = _breach(compliance, context or {}, in_force + later.get((work_id, use_id), []))
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
                "compliance": compliance if breach is None else Compliance.BREACHED,
                "breach": breach,
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
