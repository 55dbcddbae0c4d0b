"""Use without permission, where people look: when a report arrives with flagged lines,
each artist's team and each label's managers are told once (in the portal, and by email
as each prefers), and the artist's home shows it until someone of the team has seen it.
The work's history lists it too (`flagged_for_work`)."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Max, Min, Q, Sum, Window
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import LabelManager, Work
from portal.earnings.formats import DEFAULT_LOCALE, money
from portal.earnings.models import (
    Allocation,
    Compliance,
    FlaggedUse,
    UsageReport,
    WorkMonthEarning,
)
from portal.earnings.selectors import PERMITTED, ZERO, Period
from portal.licensing.models import Product
from portal.notifications.models import Notification
from portal.notifications.services import notify

# How many of an artist's unseen flags the home's banner names; the rest are counted.
BANNER_FLAGS = 3
# How many flagged uses the earnings page lists; past them it links to the report lines.
FLAGGED_SHOWN = 20


@dataclass
class _Sum:
    units: int = 0
    breached: int = 0
    held: Decimal = Decimal(0)
    works: set[int] = field(default_factory=set)


def _summed(rows: Iterable[Mapping[str, Any]], key: str, amount: str) -> dict[int, _Sum]:
    sums: dict[int, _Sum] = defaultdict(_Sum)
    for row in rows:
        if row["compliance"] == Compliance.PERMITTED:
            continue
        found = sums[row[key]]
        found.units += row["units"]
        if row["compliance"] == Compliance.BREACHED:
            found.breached += row["units"]
        found.held += row[amount] or 0
        found.works.add(row["work_id"])
    return sums


def _how(found: _Sum, whose: str = "your") -> str:
    if found.breached == found.units:
        return f"against {whose} conditions"
    if found.breached:
        return f"without permission or against {whose} conditions"
    return "without permission"


def _uses(units: int) -> str:
    return f"{units:,} use{'' if units == 1 else 's'}"


def flags_record(*, report: UsageReport, rows: list[dict[str, Any]]) -> int:
    """Record and announce the flagged use among a freshly allocated report's `rows`:
    one `FlaggedUse` per artist, one notification per member of each artist's team and
    per manager of each label concerned. Call it in the report's transaction. Returns how
    many artists had flagged use."""
    by_artist = _summed(rows, "artist_id", "artist_amount")
    if not by_artist:
        return 0
    by_label = _summed(rows, "label_id", "label_amount")
    product = Product.objects.only("name", "slug").get(pk=report.product_id)
    first_works = {pk: min(found.works) for pk, found in by_artist.items()}
    titles = dict(Work.objects.filter(pk__in=first_works.values()).values_list("pk", "title"))
    FlaggedUse.objects.bulk_create(
        FlaggedUse(
            report=report,
            artist_id=artist_id,
            product_id=report.product_id,
            work_id=first_works[artist_id],
            works=len(found.works),
            units=found.units,
            breached_units=found.breached,
            currency=report.currency,
            artist_held=found.held,
        )
        for artist_id, found in by_artist.items()
    )
    period = {"from": f"{report.period_start:%Y-%m}", "to": f"{report.period_end:%Y-%m}"}
    members: dict[int, list[User]] = defaultdict(list)
    for artist_id, user_id in User.objects.filter(
        artistmembership__artist_id__in=list(by_artist)
    ).values_list("artistmembership__artist_id", "pk"):
        members[artist_id].append(User(pk=user_id))
    for artist_id, users in sorted(members.items()):
        found = by_artist[artist_id]
        what = (
            titles[first_works[artist_id]]
            if len(found.works) == 1
            else f"{len(found.works):,} of your works"
        )
        lines = reverse("artist_earning_lines", kwargs={"artist_id": artist_id})
        query = urlencode({**period, "product": product.slug, "compliance": "flagged"})
        notify(
            users=users,
            kind=Notification.Kind.UNPERMITTED_USE,
            message=f"{product.name} reported {_uses(found.units)} of {what} {_how(found)}; "
            f"{money(found.held, report.currency, DEFAULT_LOCALE)} of your share is held.",
            url=f"{lines}?{query}",
        )
    managers: dict[int, list[User]] = defaultdict(list)
    for label_id, user_id in LabelManager.objects.filter(label_id__in=list(by_label)).values_list(
        "label_id", "user_id"
    ):
        managers[label_id].append(User(pk=user_id))
    for label_id, users in sorted(managers.items()):
        found = by_label[label_id]
        flags = reverse("label_usage_flags", kwargs={"label_id": label_id})
        notify(
            users=users,
            kind=Notification.Kind.UNPERMITTED_USE,
            message=f"{product.name} reported {_uses(found.units)} of "
            f"{len(found.works):,} work{'' if len(found.works) == 1 else 's'} on your "
            f"roster {_how(found, 'the')}; "
            f"{money(found.held, report.currency, DEFAULT_LOCALE)} of your share is held.",
            url=f"{flags}?{urlencode({'product': product.slug})}",
        )
    return len(by_artist)


# --- where people look --------------------------------------------------------------------


@dataclass(frozen=True)
class Unseen:
    """The artist's flags no one has seen, the latest first: a few to name, and how many."""

    flags: Sequence[FlaggedUse]
    count: int
    last_id: int

    @property
    def more(self) -> int:
        """Those counted but not named."""
        return self.count - len(self.flags)


def flags_unseen(*, artist_id: int) -> Unseen:
    """For the artist home's banner: one query, whatever the number of flags."""
    flags = list(
        FlaggedUse.objects.filter(artist_id=artist_id, seen_at__isnull=True)
        .select_related("product", "work", "report")
        # The count of them all, beside each of the few named: computed before the limit.
        .annotate(unseen=Window(Count("pk")))
        .order_by("-pk")[:BANNER_FLAGS]
    )
    if not flags:
        return Unseen([], 0, 0)
    return Unseen(flags, flags[0].unseen, flags[0].pk)


def flags_seen(*, actor: User, artist_id: int, up_to: int) -> int:
    """Mark the artist's flags up to id `up_to` (those the reader was shown) as seen by
    `actor`: flags that arrived since stay on the home. Returns how many."""
    return FlaggedUse.objects.filter(
        artist_id=artist_id, seen_at__isnull=True, pk__lte=up_to
    ).update(seen_at=timezone.now(), seen_by=actor)


def flagged_use(*, artist_id: int, period: Period, currency: str) -> list[dict[str, Any]]:
    """For the earnings page: use reported without permission (or with it for only part of
    the period, or against a condition) per product, use, work and compliance, of the
    FLAGGED_SHOWN + 1 works with the most of the artist's share held, the most held first,
    each work's use the most held first; at most FLAGGED_SHOWN + 1 rows, so the caller can
    tell there are more.

    One query: the works are picked from WorkMonthEarning summed per work (its
    `work_month_by_work` index, in work order), and only their allocations are read.
    Summing every flagged line per product, use and work to pick the most held read all
    of them: 130,000 lines took the page to 0.6-1 s.
    """
    in_period = {
        "artist_id": artist_id,
        "currency": currency,
        "month__range": (period.first, period.last),
    }
    most_held = (
        WorkMonthEarning.objects.filter(**in_period, flagged_lines__gt=0)
        .values("work_id")
        .annotate(work_held=Sum("artist_held"), work_lines=Sum("flagged_lines"))
        .order_by("-work_held", "-work_lines", "work_id")
        .values("work_id")[: FLAGGED_SHOWN + 1]
    )
    rows = list(
        Allocation.objects.filter(**in_period, work_id__in=most_held)
        .exclude(PERMITTED)
        .values(
            "product__slug",
            "product__name",
            "use_type__slug",
            "use_type__name",
            "work_id",
            "work__title",
            "compliance",
            "breach",
        )
        .annotate(
            lines=Count("pk"),
            uses=Sum("units"),
            held=Sum("artist_amount", default=ZERO),
            unlicensed=Count("pk", filter=Q(licence__isnull=True)),
            unlicensed_gross=Sum("gross", filter=Q(licence__isnull=True), default=ZERO),
            first=Min("month"),
            last=Max("month"),
        )
        .order_by("-held", "-uses", "product__name", "use_type__name")
    )
    # The works in the order they were picked by (what each holds, then its flagged lines);
    # within one, the database's order (the sort is stable).
    works: dict[int, tuple[Decimal, int]] = {}
    for row in rows:
        held, lines = works.get(row["work_id"], (ZERO, 0))
        works[row["work_id"]] = (held + row["held"], lines + row["lines"])

    def picked(row: dict[str, Any]) -> tuple[Decimal, int, int]:
        held, lines = works[row["work_id"]]
        return -held, -lines, row["work_id"]

    rows.sort(key=picked)
    return rows[: FLAGGED_SHOWN + 1]


def flagged_for_work(*, work_id: int) -> list[dict[str, Any]]:
    """The work's flagged use by product, use and month, the latest first (one query)."""
    return list(
        Allocation.objects.filter(work_id=work_id)
        .exclude(compliance=Compliance.PERMITTED)
        .values("product__name", "use_type__name", "month", "currency")
        .annotate(
            units=Sum("units"),
            gross=Sum("gross"),
            breached=Count("pk", filter=Q(compliance=Compliance.BREACHED)),
        )
        .order_by("-month", "product__name", "use_type__name")[:24]
    )
