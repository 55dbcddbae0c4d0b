"""Each demo artist's catalogue: works and credits generated from the artist's spec and
a work's index alone, so every run (and every scale) yields the same ISRCs and titles."""

from collections.abc import Iterator
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from portal.catalogue.models import Artist, Credit, Work
from portal.consent.services.tallies import work_counts_add
from portal.demo.specs import TRACKS_PER_RELEASE, WORKS_PER_ARTIST, ArtistSpec

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
    assert artist.label_id is not None, "every demo artist is on a label"
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


def _held(artist: Artist) -> dict[int, int]:
    """The artist's works per label."""
    return dict(
        artist.works.order_by()
        .values_list("label_id")
        .annotate(n=Count("pk"))
        .values_list("label_id", "n")
    )


def catalogue_seed(*, spec: ArtistSpec, artist: Artist, scale: int) -> tuple[int, int]:
    """Add the works the artist lacks at this scale, and credits to every work without;
    returns (works, credits) created."""
    wanted = WORKS_PER_ARTIST * scale
    have = {designation(isrc) for isrc in artist.works.values_list("isrc", flat=True)}
    missing = (
        work
        for work in works_for(spec, artist, range(wanted))
        if designation(work.isrc) not in have
    )
    # ignore_conflicts: an ISRC someone else already holds is left alone rather than failing,
    # so what was created is counted before and after.
    held = _held(artist)
    Work.objects.bulk_create(list(missing), batch_size=2000, ignore_conflicts=True)
    grown = {
        (label_id, artist.pk): n - held.get(label_id, 0) for label_id, n in _held(artist).items()
    }
    work_counts_add(grown)
    works_created = sum(grown.values())
    # Every work without credits gets its own; pks come from the database, not bulk_create,
    # which does not return them when conflicts are ignored.
    uncredited = artist.works.filter(credits__isnull=True).values_list("pk", "isrc")
    credits = [
        credit
        for pk, isrc in uncredited.iterator(chunk_size=5000)
        for credit in credits_for(Work(pk=pk), artist, designation(isrc))
    ]
    return works_created, len(Credit.objects.bulk_create(credits, batch_size=3000))


def works_by_index(works: QuerySet[Work], indexes: range) -> QuerySet[Work]:
    """The works whose ISRC designation is one of `indexes` (0-based)."""
    return works.filter(
        Q.create([("isrc__endswith", f"{index + 1:05d}") for index in indexes], connector=Q.OR)
    )


def works_even(works: QuerySet[Work]) -> QuerySet[Work]:
    """About half the works: those whose ISRC ends in an odd digit (0-based index even)."""
    return works.filter(Q.create([("isrc__endswith", d) for d in "13579"], connector=Q.OR))
