"""Catalogue files at scale, for the import benchmark: one made-up label's catalogue of N
recordings written as DDEX ERN 4.3 messages and as one catalogue CSV, both saying the
same thing.

The catalogue: albums of 10 to 20 tracks (15 on average), one main artist each from a
roster of one artist per ten albums, every seventh track featuring another roster
artist, one composer per album (a lyricist too on every third album) and a producer.
Identifiers are valid (ISRC, ISNI, ISWC, GRid, EAN-13) and derived from the recording's
or album's number, so the same N always gives the same bytes, and two runs with a
different `registrant` give catalogues whose ISRCs do not meet.

An ERN file holds `albums_per_file` albums (1,000 by default, about 15,000 recordings
and 23 MiB): a realistic catalogue delivery, with a PartyList, one SoundRecording per
track, the album's Release with its ResourceGroup, and a TrackRelease per track, as ERN
4.3 asks. Writing a million recordings takes about a minute.

    python -m benchmarks.catalogue_files 100000 DIR   # writes to DIR, then reads back
"""

import csv
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from stdnum import ean
from stdnum.iso7064 import mod_11_2, mod_37_36

from benchmarks.measure import peak_rss_mib


def _words(text: str) -> list[str]:
    return text.split()


TRACKS_MIN, TRACKS_SPREAD = 10, 11  # 10 to 20 tracks per album
ALBUMS_PER_ARTIST = 10
FEATURE_EVERY = 7
ALBUMS_PER_FILE = 1000
COLUMNS = _words("isrc title artist artist_isni release release_date iswc duration contributors")

_FIRST = _words("Ada Bea Cal Dee Eli Fay Gus Hal Ida Jo Kit Lou Max Nia Oz Pia Quin Rae Sol Tam")
_LAST = _words("Moss Reed Vale Hart Lowe Frost Wren Lake Stone Marsh Finch Hale Dunn Rook Sage")
_WORDS = _words(
    "Blue Night River Glass Paper Summer Static Silver Northern Quiet Hollow Golden "
    "Electric Lost Wild Velvet Broken Open Distant Bright"
)
_THINGS = _words("Lights Road Heart Tide Garden Signal Season Dream Letter Engine Echo Coast")


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    isni: str
    ref: str


@dataclass(frozen=True, slots=True)
class Recording:
    isrc: str
    title: str
    seconds: int
    iswc: str
    featured: Person | None


@dataclass(frozen=True, slots=True)
class Album:
    number: int
    title: str
    artist: Person
    composer: Person
    lyricist: Person | None
    producer: Person
    release_date: str
    grid: str
    icpn: str
    tracks: tuple[Recording, ...]


def _isni(n: int) -> str:
    body = f"0000000{n:08d}"
    return body + mod_11_2.calc_check_digit(body)


def _iswc(n: int) -> str:
    digits = f"{n % 10**9:09d}"
    weighted = 1 + sum(position * int(d) for position, d in enumerate(digits, start=1))
    return f"T{digits}{(10 - weighted % 10) % 10}"


def _grid(n: int) -> str:
    body = f"A1BNCHM{n:010d}"
    return body + mod_37_36.calc_check_digit(body)


def _icpn(n: int) -> str:
    body = f"50{n:010d}"
    return body + ean.calc_check_digit(body)


def _artist(n: int) -> Person:
    name = f"{_FIRST[n % len(_FIRST)]} {_LAST[n // len(_FIRST) % len(_LAST)]} {n // 300 or ''}"
    return Person(name.strip(), _isni(n + 1), f"PA{n}")


def _writer(n: int) -> Person:
    name = f"{_FIRST[(n * 7) % len(_FIRST)]} {_LAST[(n * 3) % len(_LAST)]}-Writer {n}"
    return Person(name, _isni(5_000_000 + n), f"PW{n}")


def albums(recordings: int, *, registrant: str = "BNH") -> Iterator[Album]:
    """The catalogue's albums in order, holding `recordings` tracks in all."""
    number, made, artists = 0, 0, max(1, recordings // (15 * ALBUMS_PER_ARTIST))
    while made < recordings:
        size = min(TRACKS_MIN + (number * 7) % TRACKS_SPREAD, recordings - made)
        artist = _artist(number % artists)
        tracks = []
        for position in range(size):
            n = made + position
            featured = _artist((n // FEATURE_EVERY) % artists) if n % FEATURE_EVERY == 3 else None
            tracks.append(
                Recording(
                    isrc=f"GB{registrant}{10 + n // 100_000:02d}{n % 100_000:05d}",
                    title=f"{_WORDS[n % len(_WORDS)]} {_THINGS[n // 20 % len(_THINGS)]} {n}",
                    seconds=150 + (n * 37) % 240,
                    iswc=_iswc(n + 1),
                    featured=featured if featured != artist else None,
                )
            )
        yield Album(
            number=number,
            title=f"{_WORDS[number % len(_WORDS)]} {_THINGS[number % len(_THINGS)]} {number}",
            artist=artist,
            composer=_writer(number),
            lyricist=_writer(number + 1_000_000) if number % 3 == 0 else None,
            producer=_writer(number + 2_000_000),
            release_date=f"{1990 + number % 35}-{1 + number % 12:02d}-{1 + number % 28:02d}",
            grid=_grid(number),
            icpn=_icpn(number),
            tracks=tuple(tracks),
        )
        made += size
        number += 1


def _party(person: Person) -> str:
    return (
        f"<Party><PartyReference>{person.ref}</PartyReference>"
        f"<PartyId><ISNI>{person.isni}</ISNI></PartyId>"
        f"<PartyName><FullName>{escape(person.name)}</FullName></PartyName></Party>\n"
    )


def _sound_recording(album: Album, index: int, track: Recording) -> str:
    artists = (
        f'<DisplayArtist SequenceNumber="1"><ArtistPartyReference>{album.artist.ref}'
        "</ArtistPartyReference><DisplayArtistRole>MainArtist</DisplayArtistRole></DisplayArtist>"
    )
    name = album.artist.name
    if track.featured:
        artists += (
            f'<DisplayArtist SequenceNumber="2"><ArtistPartyReference>{track.featured.ref}'
            "</ArtistPartyReference><DisplayArtistRole>FeaturedArtist</DisplayArtistRole>"
            "</DisplayArtist>"
        )
        name += f" feat. {track.featured.name}"
    contributors = (
        f'<Contributor SequenceNumber="1"><ContributorPartyReference>{album.composer.ref}'
        "</ContributorPartyReference><Role>Composer</Role></Contributor>"
        f'<Contributor SequenceNumber="2"><ContributorPartyReference>{album.producer.ref}'
        "</ContributorPartyReference><Role>Producer</Role></Contributor>"
    )
    if album.lyricist:
        contributors += (
            f'<Contributor SequenceNumber="3"><ContributorPartyReference>{album.lyricist.ref}'
            "</ContributorPartyReference><Role>Lyricist</Role></Contributor>"
        )
    year = album.release_date[:4]
    return (
        f"<SoundRecording><ResourceReference>A{album.number}-{index}</ResourceReference>"
        "<Type>MusicalWorkSoundRecording</Type>"
        f"<SoundRecordingEdition><ResourceId><ISRC>{track.isrc}</ISRC></ResourceId>"
        f"<PLine><Year>{year}</Year><PLineText>(P) {year} Benchmark Records</PLineText></PLine>"
        "</SoundRecordingEdition>"
        f"<WorkId><ISWC>{track.iswc}</ISWC></WorkId>"
        f"<DisplayTitleText>{escape(track.title)}</DisplayTitleText>"
        f"<DisplayTitle><TitleText>{escape(track.title)}</TitleText></DisplayTitle>"
        f"<DisplayArtistName>{escape(name)}</DisplayArtistName>{artists}{contributors}"
        f"<Duration>PT{track.seconds // 60}M{track.seconds % 60}S</Duration>"
        "<ParentalWarningType>NotExplicit</ParentalWarningType></SoundRecording>\n"
    )


def _release(album: Album) -> str:
    items = "".join(
        f"<ResourceGroupContentItem><SequenceNumber>{index}</SequenceNumber>"
        f"<ReleaseResourceReference>A{album.number}-{index}</ReleaseResourceReference>"
        "</ResourceGroupContentItem>"
        for index in range(1, len(album.tracks) + 1)
    )
    track_releases = "".join(
        f"<TrackRelease><ReleaseReference>R{album.number}-{index}</ReleaseReference>"
        f"<ReleaseId><ISRC>{track.isrc}</ISRC></ReleaseId>"
        f"<ReleaseResourceReference>A{album.number}-{index}</ReleaseResourceReference>"
        "<ReleaseLabelReference>PL</ReleaseLabelReference>"
        "<Genre><GenreText>Pop</GenreText></Genre></TrackRelease>\n"
        for index, track in enumerate(album.tracks, start=1)
    )
    return (
        f"<Release><ReleaseReference>R{album.number}</ReleaseReference>"
        "<ReleaseType>Album</ReleaseType>"
        f"<ReleaseId><GRid>{album.grid}</GRid><ICPN>{album.icpn}</ICPN>"
        f'<ProprietaryId Namespace="DPID:PADPIDA2099010101B">BNCH-{album.number}</ProprietaryId>'
        "</ReleaseId>"
        f"<DisplayTitleText>{escape(album.title)}</DisplayTitleText>"
        f"<DisplayTitle><TitleText>{escape(album.title)}</TitleText></DisplayTitle>"
        f"<DisplayArtistName>{escape(album.artist.name)}</DisplayArtistName>"
        f'<DisplayArtist SequenceNumber="1"><ArtistPartyReference>{album.artist.ref}'
        "</ArtistPartyReference><DisplayArtistRole>MainArtist</DisplayArtistRole></DisplayArtist>"
        "<ReleaseLabelReference>PL</ReleaseLabelReference>"
        "<Genre><GenreText>Pop</GenreText></Genre>"
        f"<ReleaseDate>{album.release_date}</ReleaseDate>"
        "<ParentalWarningType>NotExplicit</ParentalWarningType>"
        f"<ResourceGroup><ResourceGroup><SequenceNumber>1</SequenceNumber>{items}"
        "</ResourceGroup></ResourceGroup></Release>\n" + track_releases
    )


def write_ern(path: Path, chunk: list[Album], *, message_id: str = "BENCH-1") -> Path:
    """One ERN 4.3 NewReleaseMessage carrying the albums of `chunk`."""
    parties: dict[str, Person] = {}
    for album in chunk:
        for person in (album.artist, album.composer, album.producer, album.lyricist):
            if person:
                parties.setdefault(person.ref, person)
        for track in album.tracks:
            if track.featured:
                parties.setdefault(track.featured.ref, track.featured)
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43" '
            'AvsVersionId="4" LanguageAndScriptCode="en">\n'
            f"<MessageHeader><MessageId>{message_id}</MessageId>"
            "<MessageSender><PartyId>PADPIDA2099010101B</PartyId>"
            "<PartyName><FullName>Benchmark Records</FullName></PartyName></MessageSender>"
            "<MessageCreatedDateTime>2025-01-01T00:00:00Z</MessageCreatedDateTime>"
            "</MessageHeader>\n<PartyList>\n"
            "<Party><PartyReference>PL</PartyReference><PartyName><FullName>Benchmark Records"
            "</FullName></PartyName></Party>\n"
        )
        out.writelines(_party(person) for person in parties.values())
        out.write("</PartyList>\n<ResourceList>\n")
        for album in chunk:
            out.writelines(
                _sound_recording(album, index, track)
                for index, track in enumerate(album.tracks, start=1)
            )
        out.write("</ResourceList>\n<ReleaseList>\n")
        out.writelines(_release(album) for album in chunk)
        out.write("</ReleaseList>\n</ern:NewReleaseMessage>\n")
    return path


def ern_files(
    directory: Path,
    recordings: int,
    *,
    albums_per_file: int = ALBUMS_PER_FILE,
    registrant: str = "BNH",
) -> list[Path]:
    """The catalogue as ERN 4.3 messages in `directory`: catalogue-0001.xml, ..."""
    directory.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    chunk: list[Album] = []
    for album in albums(recordings, registrant=registrant):
        chunk.append(album)
        if len(chunk) == albums_per_file:
            paths.append(_write_chunk(directory, chunk, len(paths) + 1))
            chunk = []
    if chunk:
        paths.append(_write_chunk(directory, chunk, len(paths) + 1))
    return paths


def _write_chunk(directory: Path, chunk: list[Album], number: int) -> Path:
    path = directory / f"catalogue-{number:04d}.xml"
    return write_ern(path, chunk, message_id=f"BENCH-{number}")


def csv_file(path: Path, recordings: int, *, registrant: str = "BNH") -> Path:
    """The catalogue as one CSV in the documented columns."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for album in albums(recordings, registrant=registrant):
            credits = [f"composer:{album.composer.name} [{album.composer.isni}]"]
            if album.lyricist:
                credits.append(f"lyricist:{album.lyricist.name} [{album.lyricist.isni}]")
            credits.append(f"producer:{album.producer.name}")
            for track in album.tracks:
                featured = [f"featured:{track.featured.name}"] if track.featured else []
                writer.writerow(
                    [
                        track.isrc,
                        track.title,
                        album.artist.name,
                        album.artist.isni,
                        album.title,
                        album.release_date,
                        track.iswc,
                        f"{track.seconds // 60}:{track.seconds % 60:02d}",
                        "|".join(featured + credits),
                    ]
                )
    return path


def read_back(path: Path) -> tuple[int, float]:
    """Read a file through the portal's reader: (items, seconds)."""
    from portal.imports.formats import read

    started = time.perf_counter()
    with path.open("rb") as stream:
        items = sum(1 for _ in read(stream, name=path.name))
    return items, time.perf_counter() - started


def main(argv: list[str]) -> int:
    import django

    django.setup()
    recordings = int(argv[0]) if argv else 100_000
    directory = Path(argv[1] if len(argv) > 1 else "catalogue-files")
    started = time.perf_counter()
    paths = ern_files(directory / "ern", recordings)
    table = csv_file(directory / "catalogue.csv", recordings)
    written = time.perf_counter() - started
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {recordings:,} recordings: {len(paths)} ERN files ({size / 2**20:,.0f} MiB)")
    print(f"  and one CSV ({table.stat().st_size / 2**20:,.0f} MiB) in {written:.1f}s")
    for path in (paths[0], table):
        items, seconds = read_back(path)
        print(
            f"read {path.name}: {items:,} items in {seconds:.1f}s ({items / seconds:,.0f}/s), "
            f"peak RSS so far {peak_rss_mib():,.0f} MiB"
        )
    return 0


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.exit(main(sys.argv[1:]))
