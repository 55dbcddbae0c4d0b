"""Reads: an artist's published page, what the artist takes part in, the team's inbox.

What the page says the artist takes part in is read from the effective permissions as
last announced (`AnnouncedPermission`), the rows the consent API answers from, never
worked out again here: the page and the API cannot disagree.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, QuerySet

from portal.catalogue.models import Artist
from portal.consent.conditions import conditions_of
from portal.consent.models import AnnouncedPermission
from portal.consent.wording import condition_names, conditions_words
from portal.fans.crypto import contact_decrypt
from portal.fans.models import FanPage, MisuseReport
from portal.licensing.models import Product, ProductUse, UseType


def fan_pages_published() -> QuerySet[FanPage]:
    """Pages anyone may read, with their artists."""
    return FanPage.objects.filter(published=True).select_related("artist")


def fan_page_of(*, artist: Artist) -> FanPage | None:
    """The artist's page, published or not; None if the team never made one."""
    return FanPage.objects.filter(artist=artist).first()


@dataclass(frozen=True)
class Terms:
    """Works of one use under the same conditions: `words` empty for none."""

    words: str
    works: int


@dataclass(frozen=True)
class UseOffer:
    use_type: UseType
    purpose: str
    works: int
    terms: list[Terms]


@dataclass(frozen=True)
class Offer:
    """One official AI product the artist takes part in: the uses of their works it is
    permitted now, under what conditions, and how many of their works take part."""

    product: Product
    works: int
    uses: list[UseOffer]


def offers_for(*, artist: Artist, now: datetime) -> list[Offer]:
    """Each product for which at least one of the artist's works is permitted now, by
    name. A constant number of queries whatever the catalogue: the permitted rows are
    counted in the database, grouped by product, use and conditions."""
    permitted = AnnouncedPermission.objects.permitted_at(now).filter(work__primary_artist=artist)
    groups = list(
        permitted.values("product_id", "use_type_id", "conditions")
        .annotate(works=Count("work_id"))
        .order_by()
    )
    if not groups:
        return []
    works_per_product = dict(
        permitted.values("product_id")
        .annotate(works=Count("work_id", distinct=True))
        .order_by()
        .values_list("product_id", "works")
    )
    products = (
        Product.objects.filter(pk__in=works_per_product)
        .select_related("licensee")
        .prefetch_related(Prefetch("uses", ProductUse.objects.select_related("use_type")))
        .order_by("name", "pk")
    )
    names = condition_names()
    terms: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for group in groups:
        words = conditions_words(conditions_of(group["conditions"]), names)
        terms[(group["product_id"], group["use_type_id"])][words] += group["works"]
    offers = []
    for product in products:
        uses = [
            UseOffer(
                use_type=product_use.use_type,
                purpose=product_use.purpose,
                works=sum(by_words.values()),
                terms=[
                    Terms(w, n) for w, n in sorted(by_words.items(), key=lambda t: (-t[1], t[0]))
                ],
            )
            for product_use in product.uses.all()
            if (by_words := terms.get((product.pk, product_use.use_type_id)))
        ]
        if uses:
            offers.append(Offer(product=product, works=works_per_product[product.pk], uses=uses))
    return offers


@dataclass(frozen=True)
class ReportShown:
    """A report as the team reads it: the report, and the fan's address decrypted."""

    report: MisuseReport
    contact: str


def misuse_reports_for(*, artist: Artist) -> QuerySet[MisuseReport]:
    """The artist's misuse reports, newest first."""
    return MisuseReport.objects.filter(artist=artist).select_related("handled_by")


def reports_shown(reports: list[MisuseReport]) -> list[ReportShown]:
    """One page of reports, each with its contact in the clear (no query)."""
    return [ReportShown(report, contact_decrypt(report.contact_encrypted)) for report in reports]
