"""What each demo login shows once the world is seeded, for the command's closing
summary. Reads only."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, QuerySet
from django.urls import reverse

from portal.accounts.models import User
from portal.catalogue.models import Artist, Label, Work
from portal.consent.models import Answer, Decision, Side
from portal.demo.specs import CURRENCY, LABELS
from portal.earnings.formats import DEFAULT_LOCALE, money
from portal.earnings.formats import month as month_name
from portal.earnings.models import Allocation, Compliance, UsageReport
from portal.earnings.selectors import Period, breakdown
from portal.fans.models import FanPage, MisuseReport
from portal.licensing.models import Licence, Product
from portal.words import counted


@dataclass(frozen=True)
class Shown:
    """One login and what it shows after seeding, for the command's closing summary."""

    email: str
    shows: str


def _answers(works: QuerySet[Work], side: str, products: list[Product]) -> str:
    asked = works.count() * sum(len(p.uses.all()) for p in products)
    counts = dict(
        Decision.objects.filter(work__in=works, side=side, product__in=products)
        .values("answer")
        .annotate(n=Count("pk"))
        .values_list("answer", "n")
    )
    granted, denied = counts.get(Answer.GRANTED, 0), counts.get(Answer.DENIED, 0)
    waiting = asked - granted - denied
    if not granted and not denied:
        return f"nothing decided yet ({waiting:,} answers waiting)"
    return f"{granted:,} yes, {denied:,} no, {waiting:,} waiting"


def _wanted_by(works: QuerySet[Work], products: dict[str, Product]) -> list[Product]:
    """Shown products (not drafts) whose licensee holds a licence with a label of `works`."""
    label_ids = set(works.values_list("label_id", flat=True).distinct())
    return [
        product
        for product in Product.objects.filter(pk__in=[p.pk for p in products.values()])
        .exclude(status=Product.Status.DRAFT)
        .filter(licensee__licences__label_id__in=label_ids)
        .distinct()
        .prefetch_related("uses")
        .order_by("name")
    ]


def _product_names(products: list[Product]) -> str:
    return ", ".join(
        f"{p.name} (suspended)" if p.status == Product.Status.SUSPENDED else p.name
        for p in products
    )


def _money(amount: Decimal) -> str:
    return money(amount, CURRENCY, DEFAULT_LOCALE)


def _earned(artist: Artist, month: date) -> str:
    """The artist's share of the month's permitted use, and what flagged use holds back."""
    row = breakdown({"artist_id": artist.pk}, Period(month, month), CURRENCY, [])[0]
    earned = f"earned {_money(row['artist_paid'])} in {month_name(month, DEFAULT_LOCALE)}"
    if not row["flagged_lines"]:
        return earned
    flagged = counted(row["flagged_lines"], "flagged line")
    return f"{earned} ({_money(row['artist_held'])} held for {flagged})"


def _public_page(artist: Artist) -> str:
    page = FanPage.objects.filter(artist=artist, published=True).first()
    if page is None:
        return ""
    reports = MisuseReport.objects.filter(artist=artist, status=MisuseReport.Status.NEW).count()
    url = settings.PORTAL_BASE_URL + reverse("fan_page", kwargs={"slug": page.slug})
    return f"; public page {url} ({counted(reports, 'new misuse report')})"


def logins_shown(
    *,
    staff: User,
    managers: dict[str, User],
    artists: dict[str, Artist],
    products: dict[str, Product],
    last_month: date,
) -> list[Shown]:
    """Each login, staff first, then each label's manager and its artists, and what it
    shows: counts of works, products, answers and last month's earnings."""
    flagged = Allocation.objects.exclude(compliance=Compliance.PERMITTED).count()
    shown = [
        Shown(
            staff.email,
            f"staff: Django admin at /admin/ ({Work.objects.count():,} works, "
            f"{len(products)} demo products, {Licence.objects.count()} licences, "
            f"{counted(UsageReport.objects.count(), 'usage report')} with "
            f"{counted(flagged, 'flagged line')})",
        )
    ]
    for label_spec in LABELS:
        label = Label.objects.get(name=label_spec.name)
        works = label.works.all()
        wanted = _wanted_by(works, products)
        shown.append(
            Shown(
                label_spec.manager.email,
                f"{label.name} roster: {counted(label.roster.count(), 'artist')}, "
                f"{counted(works.count(), 'work')}; {counted(len(wanted), 'product')} want "
                f"them ({_product_names(wanted)}); label side "
                f"{_answers(works, Side.RIGHTS_HOLDER, wanted)}",
            )
        )
        for spec in label_spec.artists:
            artist = artists[spec.name]
            works = artist.works.all()
            wanted = _wanted_by(works, products)
            shown.append(
                Shown(
                    spec.login.email,
                    f"{artist.name}'s catalogue: {counted(works.count(), 'work')} on "
                    f"{label.name}; {counted(len(wanted), 'product')} want it "
                    f"({_product_names(wanted)}); artist side "
                    f"{_answers(works, Side.ARTIST, wanted)}; {_earned(artist, last_month)}"
                    f"{_public_page(artist)}",
                )
            )
    return shown
