"""`demo_seed`: the whole demo world, in one transaction, safe to run again."""

from dataclasses import dataclass, field

from django.db import transaction

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership, Label, LabelManager
from portal.demo.catalogue import catalogue_seed
from portal.demo.fans import fan_page_seed
from portal.demo.history import Timeline, decisions_seed
from portal.demo.people import login_seed, second_factor_seed
from portal.demo.products import licence_seed, product_seed
from portal.demo.shown import Shown, logins_shown
from portal.demo.specs import LABELS, MAX_SCALE, PRODUCTS, STAFF
from portal.demo.usage import usage_seed
from portal.licensing.models import Product, UseType


@dataclass
class DemoReport:
    works_created: int = 0
    credits_created: int = 0
    decisions_changed: int = 0
    reports_created: int = 0
    lines_created: int = 0
    logins: list[Shown] = field(default_factory=list)


@transaction.atomic
def demo_seed(*, password: str, scale: int = 1) -> DemoReport:
    """Create or top up the demo world; idempotent. `scale` multiplies the works per artist.

    All or nothing: a failure leaves the database as it was.
    """
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 1 and {MAX_SCALE}")
    report = DemoReport()
    use_types = {u.slug: u for u in UseType.objects.all()}
    staff = login_seed(login=STAFF, password=password)
    second_factor_seed(user=staff)
    labels: dict[str, Label] = {}
    managers: dict[str, User] = {}
    artists: dict[str, Artist] = {}
    members: dict[str, User] = {}
    for label_spec in LABELS:
        label, _ = Label.objects.get_or_create(name=label_spec.name)
        labels[label_spec.name] = label
        managers[label_spec.name] = manager = login_seed(
            login=label_spec.manager, password=password
        )
        second_factor_seed(user=manager)
        LabelManager.objects.get_or_create(label=label, user=manager)
        for artist_spec in label_spec.artists:
            name = artist_spec.name
            artist = Artist.objects.filter(name=name, label=label).order_by("pk").first()
            if artist is None:
                artist = Artist.objects.create(name=name, label=label)
            artists[name] = artist
            members[name] = user = login_seed(login=artist_spec.login, password=password)
            ArtistMembership.objects.get_or_create(
                artist=artist, user=user, defaults={"role": ArtistMembership.Role.ADMIN}
            )
            works, credits = catalogue_seed(spec=artist_spec, artist=artist, scale=scale)
            report.works_created += works
            report.credits_created += credits

    timeline = Timeline.ending_last_month()
    products: dict[str, Product] = {}
    created: set[str] = set()
    for spec in PRODUCTS:
        products[spec.slug], new = product_seed(
            spec=spec, use_types=use_types, launched=timeline.launched
        )
        if new:
            created.add(spec.slug)
        for label_spec in LABELS:
            licence_seed(
                spec=spec,
                product=products[spec.slug],
                label=labels[label_spec.name],
                label_code=label_spec.code,
                starts_on=timeline.licences_start,
            )

    report.decisions_changed += decisions_seed(
        timeline=timeline,
        use_types=use_types,
        labels=labels,
        managers=managers,
        artists=artists,
        members=members,
        products=products,
        created=created,
    )

    for spec in PRODUCTS:
        reports, lines = usage_seed(product=products[spec.slug], artists=artists, timeline=timeline)
        report.reports_created += reports
        report.lines_created += lines

    # The first artist's public page, as fans see it, with a report in the team's inbox.
    first = LABELS[0].artists[0].name
    fan_page_seed(artist=artists[first], admin=members[first])

    report.logins = logins_shown(
        staff=staff,
        managers=managers,
        artists=artists,
        products=products,
        last_month=timeline.months[-1],
    )
    return report
