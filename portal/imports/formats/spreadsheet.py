"""The catalogue CSV, for labels without DDEX tooling (docs/imports.md, "Formats").

    isrc,title,artist,artist_isni,release,release_date,iswc,duration,contributors

The header names the columns, in any order and any case (`Artist ISNI` is
`artist_isni`); columns it does not know are ignored; `isrc`, `title` and `artist` are
required. Commas separate the cells, or semicolons or tabs when the header uses those
(as spreadsheets set to some locales save). UTF-8 or UTF-16, with a byte order mark or
not.

One row per recording. `contributors` holds entries separated by `|`, each
`role:name` or `role:name [ISNI]`. Rows naming the same `release` and `release_date`
one after the other form one release, its tracks numbered in row order; the release is
yielded after its last row. Rows are numbered as a spreadsheet shows them: the header
is row 1.
"""

import csv
import re
from collections.abc import Iterator
from typing import IO

from portal.imports.formats import assemble
from portal.imports.formats.assemble import RawPerson, RawRecording, RawRelease
from portal.imports.formats.roles import roles_of
from portal.imports.records import Item, Recording, Role, Track, Unreadable

COLUMNS = (
    "isrc",
    "title",
    "artist",
    "artist_isni",
    "release",
    "release_date",
    "iswc",
    "duration",
    "contributors",
)
REQUIRED = ("isrc", "title", "artist")
_CONTRIBUTOR = re.compile(r"(?P<role>[^:]+):(?P<name>[^\[]*)(?:\[(?P<isni>[^\]]*)\])?")
_OWN_ROLES = {role.value: role for role in Role}
# What surrogateescape makes of a byte the encoding does not allow.
_NOT_DECODED = re.compile("[\udc80-\udcff]")


def _column(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").strip().lower())


def header(first_line: str) -> tuple[dict[str, int], str]:
    """The columns' positions and the delimiter, or Unreadable saying what is missing."""
    delimiter = max(",;\t", key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    names = next(csv.reader([first_line], delimiter=delimiter), [])
    positions: dict[str, int] = {}
    for position, name in enumerate(names):
        positions.setdefault(_column(name), position)
    if not set(positions) & set(COLUMNS):
        raise Unreadable(
            "The file is neither a DDEX ERN message nor the catalogue CSV: a CSV's first "
            "line is its header, such as isrc,title,artist,artist_isni,release,..."
        )
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        raise Unreadable(
            f"The CSV's header has no {', '.join(missing)} column"
            f"{'s' if len(missing) > 1 else ''}: isrc, title and artist are required.",
            where="row 1",
        )
    return positions, delimiter


class _Group:
    """The rows of one release, one after the other."""

    def __init__(self, key: tuple[str, str], first_row: int, numbered_from: int) -> None:
        self.key = key
        self.rows = (first_row, first_row)
        self.tracks: list[Track] = []
        self.numbered_from = numbered_from

    def add(self, row: int, isrc: str) -> None:
        self.rows = (self.rows[0], row)
        number = self.numbered_from + len(self.tracks) + 1
        self.tracks.append(Track(isrc=isrc, number=number))

    def release(self) -> Iterator[Item]:
        if not self.tracks:
            return  # every row was rejected, and each says why
        first, last = self.rows
        where = f"row {first}" if first == last else f"rows {first}-{last}"
        title, day = self.key
        raw = RawRelease(where=where, title=title, release_date=day, tracks=tuple(self.tracks))
        yield from assemble.release(raw)


def read(stream: IO[str]) -> Iterator[Item]:
    """Rows from a text stream decoded with errors="surrogateescape": a byte that is not
    UTF-8 (or UTF-16) stands out in its row, so the refusal can name the row."""
    first_line = stream.readline()
    if _NOT_DECODED.search(first_line):
        raise _not_text(1)
    positions, delimiter = header(first_line.rstrip("\r\n"))
    group: _Group | None = None
    # Releases already closed, and how many tracks they had: a release whose rows are
    # split is read as the same release again, numbered on (and the split is reported).
    closed: dict[tuple[str, str], int] = {}
    row = 1
    try:
        for cells in csv.reader(stream, delimiter=delimiter):
            row += 1
            if not any(cell.strip() for cell in cells):
                continue
            if any(_NOT_DECODED.search(cell) for cell in cells):
                raise _not_text(row)
            values = {
                name: cells[position].strip() if position < len(cells) else ""
                for name, position in positions.items()
            }
            key = (values.get("release", ""), values.get("release_date", ""))
            if group is not None and group.key != key:
                closed[group.key] = group.numbered_from + len(group.tracks)
                yield from group.release()
                group = None
            if group is None and key[0]:
                if key in closed:
                    yield assemble.warning(
                        f"row {row}",
                        "release_split",
                        f"The rows of release {key[0][:60]!r} are not together; these are "
                        "read as more of its tracks. Keep a release's rows together.",
                    )
                group = _Group(key, row, closed.get(key, 0))
            for item in assemble.recording(_recording(f"row {row}", values)):
                if isinstance(item, Recording) and group is not None:
                    group.add(row, item.isrc)
                yield item
    except csv.Error as exc:
        raise Unreadable(f"The CSV cannot be read ({exc}).", where=f"row {row + 1}") from exc
    if group is not None:
        yield from group.release()


def _not_text(row: int) -> Unreadable:
    return Unreadable(
        'The CSV is not UTF-8 or UTF-16 text (save it as "CSV UTF-8").', where=f"row {row}"
    )


def _recording(where: str, values: dict[str, str]) -> RawRecording:
    raw = RawRecording(
        where=where,
        isrc=values["isrc"],
        title=values["title"],
        iswc=values.get("iswc", ""),
        duration=values.get("duration", ""),
    )
    if values["artist"]:
        raw.artists.append(RawPerson(values["artist"], values.get("artist_isni", "")))
    for entry in values.get("contributors", "").split("|"):
        if not entry.strip():
            continue
        found = _CONTRIBUTOR.fullmatch(entry.strip())
        roles = _roles(found["role"]) if found and found["name"].strip() else ()
        if not found or not roles:
            raw.warnings.append(
                assemble.warning(
                    where,
                    "invalid_contributor",
                    f"The contributor {entry.strip()[:80]!r} is not role:name or "
                    "role:name [ISNI] with a known role; it was left out.",
                )
            )
            continue
        for role in roles:
            raw.contributors.append(RawPerson(found["name"], found["isni"] or "", role))
    return raw


def _roles(name: str) -> tuple[Role, ...]:
    key = name.strip().lower()
    return (_OWN_ROLES[key],) if key in _OWN_ROLES else roles_of(name)
