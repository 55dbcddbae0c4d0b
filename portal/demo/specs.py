"""Who and what the demo world holds: its logins, labels and artists, its products and
what they pay, and how big it may grow. Data only; the other modules make it real."""

from dataclasses import dataclass
from decimal import Decimal

from portal.licensing.models import Product

WORKS_PER_ARTIST = 20
TRACKS_PER_RELEASE = 10
# An ISRC's designation has five digits, so one registrant code holds 99,999 works.
MAX_SCALE = 99_999 // WORKS_PER_ARTIST
DEMO_NOTE = "Demo data"

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
# How the products say they used a work: non-commercially, credited, in the UK. Ada Lane
# lets Tunesmith train on two of her songs only so (CONDITIONAL: artist, work indexes,
# conditions), and in one month it reports one of them used commercially (BREACHES), so
# a breach of a condition shows.
CONTEXT = {
    "commercial": False,
    "advertising": False,
    "political": False,
    "credited": True,
    "territory": "GB",
}
CONDITIONAL = ("Ada Lane", range(0, 4, 2), ("credit_required", "non_commercial"))
# (product, artist, work index, use, history months, what its line says otherwise)
BREACHES = (("tunesmith", "Ada Lane", 0, "training", (9,), {"commercial": True}),)


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
    honours: tuple[str, ...] = ()  # the codes of the conditions it can honour


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
        honours=("credit_required", "non_commercial"),
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
        honours=("credit_required", "no_advertising", "no_political", "territories"),
    ),
)
