"""The demo world behind `manage.py seed_demo`: logins, catalogues, products, licences,
decisions, and twelve months of usage with earnings.

Everything is found or created by a natural key (an email, a name, a slug, an ISRC, a
report's reference), so a second run changes nothing and a larger scale only adds works.
Decisions go through the consent services, so the ledger stays whole, and only where
nobody has answered yet: a choice someone made in the demo is never overwritten by a
re-run. Usage goes through the same parsing and ingest as a product's report.

The history is dated in the past (see `Timeline`): the licences began and the answers
were given before the first month of usage, since usage is checked against the
permission history of its month.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership, Credit, Label, LabelManager, Work
from portal.consent.models import Answer, Decision, PermissionChange, Side
from portal.consent.services import decisions_set, product_set_status
from portal.earnings.formats import DEFAULT_LOCALE, money
from portal.earnings.formats import month as month_name
from portal.earnings.models import Allocation, Compliance, UsageReport
from portal.earnings.selectors import Period, add_months, breakdown
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import usage_report_parse
from portal.licensing.models import Licence, Licensee, Product, ProductUse, UseType
from portal.words import counted

WORKS_PER_ARTIST = 20
TRACKS_PER_RELEASE = 10
# An ISRC's designation has five digits, so one registrant code holds 99,999 works.
MAX_SCALE = 99_999 // WORKS_PER_ARTIST
DEMO_NOTE = "Demo data"

ADJECTIVES = (
    "Midnight", "Paper", "Golden", "Silver", "Northern", "Quiet", "Electric", "Hollow",
    "Velvet", "Broken", "Crimson", "Distant", "Wild", "Slow", "Borrowed", "Winter",
    "Summer", "Neon", "Lonely", "Bright", "Secret", "Falling", "Burning", "Open",
    "Endless", "Gentle", "Restless", "Faded", "Blue", "Little",
)  # fmt: skip
NOUNS = (
    "Moon", "Harbour", "Rivers", "Light", "Highway", "Letters", "Garden", "Satellite",
    "Morning", "Echo", "Lanterns", "Shoreline", "Heart", "Window", "Horses", "Station",
    "Skyline", "Ashes", "Fever", "Tide", "Signal", "Orchard", "Mirror", "Parade",
    "Weather", "Compass", "Streets", "Thunder", "Daydream", "Avenue",
)  # fmt: skip
VERSIONS = (
    "Acoustic", "Live", "Radio Edit", "Demo", "Remastered", "Extended Mix",
    "Instrumental", "Piano Version", "Night Version", "Reprise", "Stripped",
)  # fmt: skip
SONGWRITERS = (
    "Maya Okafor", "Tom Lindqvist", "Rosa Delgado", "Idris Kamara", "Hana Sato",
    "Felix Moreau", "Grace O'Neill", "Luca Bianchi",
)  # fmt: skip
PRODUCERS = ("Jonah Price", "Nadia Haddad", "Owen Fairweather", "Priya Raman")
COMBINATIONS = len(ADJECTIVES) * len(NOUNS)

HISTORY_MONTHS = 12
CURRENCY = "USD"
CENT = Decimal("0.01")
# What the demo products pay per unit of each use (a generation, a training pass...).
RATES = {
    "training": Decimal("0.012"),
    "style_generation": Decimal("0.045"),
    "stems_remix": Decimal("0.030"),
    "lyrics": Decimal("0.010"),
    "voice_likeness": Decimal("0.080"),
}
# Use a product reported without being permitted, so the compliance flags show: Tunesmith
# generating "in the style of" a song Ada Lane said no to, Stemify remixing a song of Bo
# Reed's that nobody was asked about. (product, artist, work index, use, history months)
STRAYS = (
    ("tunesmith", "Ada Lane", 3, "style_generation", (7, 8)),
    ("stemify", "Bo Reed", 0, "stems_remix", (10, 11)),
)


@dataclass(frozen=True)
class Login:
    email: str
    name: str
    staff: bool = False


@dataclass(frozen=True)
class ArtistSpec:
    name: str
    login: Login
    country: str  # ISRC country code
    registrant: str  # ISRC registrant code, unique per demo artist
    iswc_prefix: int  # two digits, so generated ISWCs differ per artist
    offset: int  # where the artist's titles start in the word grid


@dataclass(frozen=True)
class LabelSpec:
    name: str
    code: str
    manager: Login
    artists: tuple[ArtistSpec, ...]


@dataclass(frozen=True)
class ProductSpec:
    slug: str
    name: str
    licensee: str
    website: str
    code: str
    summary: str
    description: str
    uses: tuple[tuple[str, str], ...]  # (use type slug, purpose)
    status: str
    shares: tuple[Decimal, Decimal, Decimal]  # artist, label, platform: percent


STAFF = Login("staff@demo.test", "Demo Operations", staff=True)
NORTHERN = LabelSpec(
    name="Northern Lights Records",
    code="NLR",
    manager=Login("manager@demo.test", "Sam Ortiz"),
    artists=(
        ArtistSpec("Ada Lane", Login("artist@demo.test", "Ada Lane"), "GB", "NLA", 10, 0),
        ArtistSpec("Bo Reed", Login("artist2@demo.test", "Bo Reed"), "GB", "NLB", 11, 311),
    ),
)
SOUTHERN = LabelSpec(
    name="Southern Cross Music",
    code="SCM",
    manager=Login("southern@demo.test", "Kim Tran"),
    artists=(ArtistSpec("Cy Moss", Login("outsider@demo.test", "Cy Moss"), "AU", "SCM", 20, 577),),
)
LABELS = (NORTHERN, SOUTHERN)

PRODUCTS = (
    ProductSpec(
        slug="tunesmith",
        name="Tunesmith",
        licensee="Tunesmith Labs",
        website="https://tunesmith.example",
        code="TSL",
        summary="Writes new instrumental tracks from a short text description.",
        description=(
            "Tunesmith lets people type a few words (\u201ca slow piano piece for a rainy "
            "evening\u201d) and get an original instrumental track back. Its music model "
            "learns from licensed recordings; it never plays your recordings back."
        ),
        uses=(
            (
                "training",
                "Your recordings are part of what Tunesmith's music model learns from: how "
                "songs are arranged, how instruments sound together, how a chorus lifts.",
            ),
            (
                "style_generation",
                "When someone asks for a track \u201cin the style of\u201d you, Tunesmith uses "
                "your recordings as the reference for that style.",
            ),
        ),
        status=Product.Status.ACTIVE,
        shares=(Decimal("50.00"), Decimal("30.00"), Decimal("20.00")),
    ),
    ProductSpec(
        slug="stemify",
        name="Stemify",
        licensee="Stemify Audio Ltd",
        website="https://stemify.example",
        code="STM",
        summary="Splits songs into stems so fans can remix them, and shows the lyrics.",
        description=(
            "Stemify separates a song into its parts (vocals, drums, bass, the rest) so fans "
            "can make their own remixes inside the app. Remixes stay in the app and credit "
            "you."
        ),
        uses=(
            (
                "stems_remix",
                "Stemify splits your recordings into stems that fans can mute, solo and remix "
                "inside the app. Remixes cannot be downloaded.",
            ),
            (
                "lyrics",
                "Stemify shows your lyrics in time with the music and uses them to suggest "
                "singalong edits.",
            ),
        ),
        status=Product.Status.ACTIVE,
        shares=(Decimal("45.00"), Decimal("35.00"), Decimal("20.00")),
    ),
    ProductSpec(
        slug="echovox",
        name="Echovox",
        licensee="Echovox Ltd",
        website="https://echovox.example",
        code="ECX",
        summary="Sings new words and melodies in a licensed artist's voice.",
        description=(
            "Echovox builds a model of a singer's voice so people can hear new lyrics sung "
            "the way that artist would sing them. It is suspended while its labelling of "
            "generated vocals is reviewed."
        ),
        uses=(
            (
                "voice_likeness",
                "Echovox builds a model of your voice from your recordings and uses it to sing "
                "new lyrics and melodies that sound like you.",
            ),
        ),
        status=Product.Status.SUSPENDED,
        shares=(Decimal("60.00"), Decimal("25.00"), Decimal("15.00")),
    ),
)


@dataclass(frozen=True)
class Shown:
    """One login and what it shows after seeding, for the command's closing summary."""

    email: str
    shows: str


@dataclass
class DemoReport:
    works_created: int = 0
    credits_created: int = 0
    decisions_changed: int = 0
    reports_created: int = 0
    lines_created: int = 0
    logins: list[Shown] = field(default_factory=list)


@dataclass(frozen=True)
class Timeline:
    """When the demo's history happened. The months of usage are the twelve complete
    months ending with last month; the licences began three months before the first,
    the products launched two months before it and the answers were given the month
    before it, so usage is permitted from its first day. Echovox was suspended in the
    fourth month and Ada Lane said yes to "in the style of" for a few songs in the sixth,
    so the use reported in those months is flagged as permitted for part of the month.
    """

    months: tuple[date, ...]

    @classmethod
    def ending_last_month(cls) -> "Timeline":
        this_month = timezone.now().date().replace(day=1)
        return cls(tuple(add_months(this_month, n) for n in range(-HISTORY_MONTHS, 0)))

    def moment(self, months: int, day: int, hour: int) -> datetime:
        """`hour` o'clock UTC on `day` of the month `months` after the first month."""
        return datetime.combine(
            add_months(self.months[0], months).replace(day=day), time(hour), tzinfo=UTC
        )

    @property
    def licences_start(self) -> date:
        return add_months(self.months[0], -3)

    @property
    def launched(self) -> datetime:
        return self.moment(-2, 1, 9)

    @property
    def consents(self) -> datetime:
        return self.moment(-1, 10, 10)

    @property
    def suspension(self) -> datetime:
        return self.moment(3, 14, 16)

    @property
    def style_granted(self) -> datetime:
        return self.moment(5, 10, 14)


# ------------------------------------------------------------------------------
# Deterministic catalogue data
# ------------------------------------------------------------------------------
def isrc_for(spec: ArtistSpec, index: int, release_date: date) -> str:
    """Country, the artist's registrant, the release year, then the work's number (1-based).

    The designation alone is unique per registrant, so the year may follow the release."""
    return f"{spec.country}{spec.registrant}{release_date.year % 100:02d}{index + 1:05d}"


def iswc_for(spec: ArtistSpec, index: int) -> str:
    digits = f"{spec.iswc_prefix:02d}{index:07d}"
    weighted = 1 + sum(position * int(d) for position, d in enumerate(digits, start=1))
    return f"T{digits}{(10 - weighted % 10) % 10}"


def title_for(spec: ArtistSpec, index: int) -> str:
    # 7 is coprime with the grid's size, so the first COMBINATIONS works never repeat a title.
    cell = (index * 7 + spec.offset) % COMBINATIONS
    title = f"{ADJECTIVES[cell // len(NOUNS)]} {NOUNS[cell % len(NOUNS)]}"
    version = index // COMBINATIONS
    if version == 0:
        return title
    if version <= len(VERSIONS):
        return f"{title} ({VERSIONS[version - 1]})"
    return f"{title} (Take {version - len(VERSIONS) + 1})"


def release_for(spec: ArtistSpec, index: int) -> tuple[str, date]:
    release = index // TRACKS_PER_RELEASE
    first = NOUNS[(release * 13 + spec.offset) % len(NOUNS)]
    title = f"{first} and {NOUNS[(release * 17 + spec.offset + 1) % len(NOUNS)]}"
    # Spread releases over 2010-2025, a little over a year apart for small catalogues.
    released = date(2010, 1, 15) + timedelta(days=(release * 389 + spec.offset) % (365 * 16))
    return title, released


def works_for(spec: ArtistSpec, artist: Artist, indexes: range) -> Iterator[Work]:
    for index in indexes:
        release_title, released = release_for(spec, index)
        yield Work(
            isrc=isrc_for(spec, index, released),
            title=title_for(spec, index),
            primary_artist=artist,
            label_id=artist.label_id,
            iswc=iswc_for(spec, index) if index % 5 else "",
            release_title=release_title,
            release_date=released,
            duration=timedelta(seconds=150 + (index * 37) % 181),
        )


def credits_for(work: Work, artist: Artist, index: int) -> list[Credit]:
    return [
        Credit(work=work, name=artist.name, role=Credit.Role.PERFORMER, position=0),
        Credit(
            work=work,
            name=SONGWRITERS[index % len(SONGWRITERS)],
            role=Credit.Role.COMPOSER,
            position=1,
        ),
        Credit(
            work=work, name=PRODUCERS[index % len(PRODUCERS)], role=Credit.Role.PRODUCER, position=2
        ),
    ]


def designation(work_isrc: str) -> int:
    return int(work_isrc[-5:]) - 1


# ------------------------------------------------------------------------------
# Find or create
# ------------------------------------------------------------------------------
# Staff and label managers must use two-factor authentication, in the demo too. A fixed,
# published secret lets anyone add the demo logins to an authenticator app.
DEMO_TOTP_SECRET = "CONSENTPORTALDEMOTOTPSECRET23456"  # noqa: S105 (published on purpose)


def _second_factor(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)


def _user(login: Login, password: str) -> User:
    user, _ = User.objects.get_or_create(
        email=login.email,
        defaults={"name": login.name, "is_staff": login.staff, "is_superuser": login.staff},
    )
    if login.staff and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    # The password is reset on every run, so the printed one always works.
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    # Verified and primary, so the login works at once without a confirmation email.
    other_primary = EmailAddress.objects.filter(user=user, primary=True).exclude(email=login.email)
    address, _ = EmailAddress.objects.get_or_create(
        user=user,
        email=login.email,
        defaults={"verified": True, "primary": not other_primary.exists()},
    )
    if not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    return user


def _catalogue(spec: ArtistSpec, artist: Artist, scale: int, report: DemoReport) -> None:
    wanted = WORKS_PER_ARTIST * scale
    have = {designation(isrc) for isrc in artist.works.values_list("isrc", flat=True)}
    missing = (
        work
        for work in works_for(spec, artist, range(wanted))
        if designation(work.isrc) not in have
    )
    # ignore_conflicts: an ISRC someone else already holds is left alone rather than failing.
    report.works_created += len(
        Work.objects.bulk_create(list(missing), batch_size=2000, ignore_conflicts=True)
    )
    # Every work without credits gets its own; pks come from the database, not bulk_create,
    # which does not return them when conflicts are ignored.
    uncredited = artist.works.filter(credits__isnull=True).values_list("pk", "isrc")
    credits = [
        credit
        for pk, isrc in uncredited.iterator(chunk_size=5000)
        for credit in credits_for(Work(pk=pk), artist, designation(isrc))
    ]
    report.credits_created += len(Credit.objects.bulk_create(credits, batch_size=3000))


def _product(
    spec: ProductSpec, use_types: dict[str, UseType], launched: datetime
) -> tuple[Product, bool]:
    """The product, and whether it was created now. A new product starts active, as it
    launched; the status of its spec (suspended) comes later in the history."""
    licensee, _ = Licensee.objects.get_or_create(
        name=spec.licensee, defaults={"website": spec.website}
    )
    product, created = Product.objects.get_or_create(
        slug=spec.slug,
        defaults={
            "licensee": licensee,
            "name": spec.name,
            "summary": spec.summary,
            "description": spec.description,
            "status": Product.Status.ACTIVE,
            "status_changed_at": launched,
        },
    )
    for slug, purpose in spec.uses:
        ProductUse.objects.get_or_create(
            product=product, use_type=use_types[slug], defaults={"purpose": purpose}
        )
    return product, created


def _licence(
    spec: ProductSpec, product: Product, label: Label, label_code: str, starts_on: date
) -> Licence:
    today = timezone.now().date()
    artist_share, label_share, platform_share = spec.shares
    licence, created = Licence.objects.get_or_create(
        licensee=product.licensee,
        label=label,
        reference=f"{spec.code}-{label_code}-001",
        defaults={
            "starts_on": starts_on,
            "ends_on": date(max(2027, today.year + 1), 12, 31),
            "artist_share": artist_share,
            "label_share": label_share,
            "platform_share": platform_share,
        },
    )
    if created:
        licence.use_types.set(product.use_types.all())
    return licence


def _decide(
    *,
    actor: User,
    product: Product,
    use_type: UseType,
    side: str,
    answer: str,
    works: QuerySet[Work],
    at: datetime,
) -> int:
    """Answer, as of `at`, for the works this side has not answered yet; returns answers
    written."""
    answered = Decision.objects.filter(product=product, use_type=use_type, side=side)
    outcome = decisions_set(
        actor=actor,
        product=product,
        use_type=use_type,
        side=side,
        answer=answer,
        works=works.exclude(pk__in=answered.values("work_id")),
        note=DEMO_NOTE,
        now=at,
    )
    return outcome.changed


def _by_index(works: QuerySet[Work], indexes: range) -> QuerySet[Work]:
    """The works whose ISRC designation is one of `indexes` (0-based)."""
    return works.filter(
        Q.create([("isrc__endswith", f"{index + 1:05d}") for index in indexes], connector=Q.OR)
    )


def _even(works: QuerySet[Work]) -> QuerySet[Work]:
    """About half the works: those whose ISRC ends in an odd digit (0-based index even)."""
    return works.filter(Q.create([("isrc__endswith", d) for d in "13579"], connector=Q.OR))


# ------------------------------------------------------------------------------
# The whole world
# ------------------------------------------------------------------------------
@transaction.atomic
def demo_seed(*, password: str, scale: int = 1) -> DemoReport:
    """Create or top up the demo world; idempotent. `scale` multiplies the works per artist.

    All or nothing: a failure leaves the database as it was.
    """
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 1 and {MAX_SCALE}")
    report = DemoReport()
    use_types = {u.slug: u for u in UseType.objects.all()}
    staff = _user(STAFF, password)
    _second_factor(staff)
    labels: dict[str, Label] = {}
    managers: dict[str, User] = {}
    artists: dict[str, Artist] = {}
    members: dict[str, User] = {}
    for label_spec in LABELS:
        label, _ = Label.objects.get_or_create(name=label_spec.name)
        labels[label_spec.name] = label
        managers[label_spec.name] = manager = _user(label_spec.manager, password)
        _second_factor(manager)
        LabelManager.objects.get_or_create(label=label, user=manager)
        for spec in label_spec.artists:
            artist = Artist.objects.filter(name=spec.name, label=label).order_by("pk").first()
            if artist is None:
                artist = Artist.objects.create(name=spec.name, label=label)
            artists[spec.name] = artist
            members[spec.name] = user = _user(spec.login, password)
            ArtistMembership.objects.get_or_create(
                artist=artist, user=user, defaults={"role": ArtistMembership.Role.ADMIN}
            )
            _catalogue(spec, artist, scale, report)

    timeline = Timeline.ending_last_month()
    products: dict[str, Product] = {}
    created: set[str] = set()
    for spec in PRODUCTS:
        products[spec.slug], new = _product(spec, use_types, timeline.launched)
        if new:
            created.add(spec.slug)
        for label_spec in LABELS:
            _licence(
                spec,
                products[spec.slug],
                labels[label_spec.name],
                label_spec.code,
                timeline.licences_start,
            )

    tunesmith, stemify, echovox = (products[slug] for slug in ("tunesmith", "stemify", "echovox"))
    training, style = use_types["training"], use_types["style_generation"]
    stems, voice = use_types["stems_remix"], use_types["voice_likeness"]
    northern, southern = labels[NORTHERN.name], labels[SOUTHERN.name]
    ada, cy = artists["Ada Lane"], artists["Cy Moss"]
    label_manager, ada_user = managers[NORTHERN.name], members["Ada Lane"]
    steps = [
        # The label says yes to Tunesmith for its whole roster.
        (label_manager, tunesmith, training, Side.RIGHTS_HOLDER, Answer.GRANTED,
         northern.works.all()),
        (label_manager, tunesmith, style, Side.RIGHTS_HOLDER, Answer.GRANTED,
         northern.works.all()),
        # Ada trains on about half, keeps a few songs out of "in the style of", and says
        # yes to remixes of her first release; the label has answered half of those.
        (ada_user, tunesmith, training, Side.ARTIST, Answer.GRANTED, _even(ada.works.all())),
        (ada_user, tunesmith, style, Side.ARTIST, Answer.DENIED,
         _by_index(ada.works.all(), range(3, 20, 7))),
        (ada_user, stemify, stems, Side.ARTIST, Answer.GRANTED,
         _by_index(ada.works.all(), range(TRACKS_PER_RELEASE))),
        (label_manager, stemify, stems, Side.RIGHTS_HOLDER, Answer.GRANTED,
         _by_index(ada.works.all(), range(TRACKS_PER_RELEASE // 2))),
        # Both sides let Echovox model Ada's voice on three songs, before its suspension.
        (ada_user, echovox, voice, Side.ARTIST, Answer.GRANTED,
         _by_index(ada.works.all(), range(3))),
        (label_manager, echovox, voice, Side.RIGHTS_HOLDER, Answer.GRANTED,
         _by_index(ada.works.all(), range(3))),
        # Bo Reed has not decided anything. Across the way, Southern Cross trains too.
        (managers[SOUTHERN.name], tunesmith, training, Side.RIGHTS_HOLDER, Answer.GRANTED,
         southern.works.all()),
        (members["Cy Moss"], tunesmith, training, Side.ARTIST, Answer.GRANTED,
         _by_index(cy.works.all(), range(5))),
    ]  # fmt: skip
    for hour, (actor, product, use_type, side, answer, works) in enumerate(steps):
        report.decisions_changed += _decide(
            actor=actor,
            product=product,
            use_type=use_type,
            side=side,
            answer=answer,
            works=works,
            at=timeline.consents + timedelta(hours=hour),
        )
    # Only a product created in this run: one that exists has the status someone gave it.
    for spec in PRODUCTS:
        if spec.slug in created and spec.status != Product.Status.ACTIVE:
            product_set_status(
                product=products[spec.slug], status=spec.status, now=timeline.suspension
            )
    # Half-way through the year Ada says yes to "in the style of" for four more songs.
    report.decisions_changed += _decide(
        actor=ada_user,
        product=tunesmith,
        use_type=style,
        side=Side.ARTIST,
        answer=Answer.GRANTED,
        works=_by_index(ada.works.all(), range(1, 20, 6)),
        at=timeline.style_granted,
    )

    for spec in PRODUCTS:
        _usage(products[spec.slug], artists, timeline, report)

    report.logins = _shown(
        staff=staff,
        managers=managers,
        artists=artists,
        products=products,
        last_month=timeline.months[-1],
    )
    return report


# ------------------------------------------------------------------------------
# Usage
# ------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class Used:
    """A work and a use, as a usage line names them and credits them."""

    isrc: str
    use: str
    title: str
    artist: str


Span = tuple[datetime, datetime | None]


def _permitted_spans(product: Product) -> dict[Used, list[Span]]:
    """When each (work, use) was permitted, read from the product's permission history:
    the changes feed a product follows to know what it may use."""
    spans: dict[Used, list[Span]] = {}
    history = (
        PermissionChange.objects.filter(product=product)
        .order_by("seq")
        .values_list(
            "permitted",
            "at",
            "work__isrc",
            "use_type__slug",
            "work__title",
            "work__primary_artist__name",
        )
    )
    for permitted, at, *names in history.iterator(chunk_size=5000):
        periods = spans.setdefault(Used(*names), [])
        if permitted:
            periods.append((at, None))
        elif periods and periods[-1][1] is None:
            periods[-1] = (periods[-1][0], at)
    return spans


def _strays(product: Product, artists: dict[str, Artist]) -> dict[int, list[Used]]:
    """The product's unpermitted use (STRAYS), by month of the history."""
    strays: dict[int, list[Used]] = {}
    for slug, artist_name, index, use, months in STRAYS:
        if slug != product.slug:
            continue
        artist = artists[artist_name]
        for isrc, title in _by_index(artist.works.all(), range(index, index + 1)).values_list(
            "isrc", "title"
        ):
            for month in months:
                strays.setdefault(month, []).append(Used(isrc, use, title, artist.name))
    return strays


def _line(used: Used, month: int) -> dict[str, object]:
    """One usage line, the same on every run: units vary by work and grow through the
    year; training is not credited per use, the other uses are."""
    units = (400 + (designation(used.isrc) * 7919 + month * 104_729) % 2600) * (20 + month) // 20
    return {
        "isrc": used.isrc,
        "use": used.use,
        "units": units,
        "gross": str((units * RATES[used.use]).quantize(CENT)),
        "credit": "" if used.use == "training" else f"{used.artist} \u2014 {used.title}",
    }


def _usage(
    product: Product, artists: dict[str, Artist], timeline: Timeline, report: DemoReport
) -> None:
    """A monthly usage report from the product for each month of the history not reported
    yet: everything it was permitted to use at some time in the month, and its strays.
    A month it had no use in (Echovox while suspended) has no report."""
    done = set(UsageReport.objects.filter(product=product).values_list("reference", flat=True))
    months = [
        (index, month)
        for index, month in enumerate(timeline.months)
        if f"demo-{month:%Y-%m}" not in done
    ]
    if not months:
        return
    spans, strays = _permitted_spans(product), _strays(product, artists)
    for index, month in months:
        start = datetime.combine(month, time.min, tzinfo=UTC)
        end = datetime.combine(add_months(month, 1), time.min, tzinfo=UTC)
        used = {
            used
            for used, periods in spans.items()
            if any(begin < end and (stop is None or stop > start) for begin, stop in periods)
        }
        used.update(strays.get(index, []))
        if not used:
            continue
        parsed = usage_report_parse(
            {
                "reference": f"demo-{month:%Y-%m}",
                "period": {
                    "start": month.isoformat(),
                    "end": (add_months(month, 1) - timedelta(days=1)).isoformat(),
                },
                "currency": CURRENCY,
                "lines": [_line(one, index) for one in sorted(used)],
            }
        )
        submitted = usage_report_submit(product=product, parsed=parsed)
        report.reports_created += 1
        report.lines_created += submitted.lines


# ------------------------------------------------------------------------------
# What each login shows
# ------------------------------------------------------------------------------
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


def _shown(
    *,
    staff: User,
    managers: dict[str, User],
    artists: dict[str, Artist],
    products: dict[str, Product],
    last_month: date,
) -> list[Shown]:
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
                    f"{_answers(works, Side.ARTIST, wanted)}; {_earned(artist, last_month)}",
                )
            )
    return shown
