"""From what a file says of a recording or a release, in its own words, to the records
the writer stores: every format's reader collects the raw values and leaves the checks
to this module, so the rules are the same whatever the format.

A recording is rejected (a `Problem` of severity REJECTED, and no `Recording`) when its
ISRC is missing or invalid, or its title or any artist's or contributor's name is
missing, too long, or holds a control character or text-direction mark. What is
optional and wrong (an ISWC, an ISNI, a duration, a ℗ year) is dropped with a warning:
the recording is imported without it. A recording's warnings follow it.

A release is rejected when it has no title (or a refused one) or no recording that
could be read; a wrong GRid, ICPN, proprietary id or date is dropped with a warning.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from portal.imports.formats import identifiers as check
from portal.imports.formats.identifiers import Invalid
from portal.imports.records import (
    IdKind,
    Person,
    Problem,
    Recording,
    Release,
    ReleaseId,
    Role,
    Severity,
    Takedown,
    Track,
)

T = TypeVar("T")


@dataclass
class RawPerson:
    name: str
    isni: str = ""
    role: Role = Role.PERFORMER


@dataclass
class RawRecording:
    where: str
    isrc: str
    title: str
    artists: list[RawPerson] = field(default_factory=list)
    contributors: list[RawPerson] = field(default_factory=list)
    iswc: str = ""
    duration: str = ""
    p_line_year: str = ""
    # Found while collecting (a party the message does not define, say).
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class RawRelease:
    where: str
    title: str
    ids: list[tuple[IdKind, str, str]] = field(default_factory=list)  # kind, value, namespace
    release_date: str = ""
    tracks: tuple[Track, ...] = ()


def warning(where: str, code: str, message: str, isrc: str = "") -> Problem:
    return Problem(where, Severity.WARNING, code, message, isrc)


def rejected(where: str, code: str, message: str, isrc: str = "") -> Problem:
    return Problem(where, Severity.REJECTED, code, message, isrc)


def recording(raw: RawRecording) -> Iterator[Recording | Problem]:
    where = raw.where
    if not raw.isrc.strip():
        yield rejected(where, "missing_isrc", "The recording has no ISRC.")
        return
    try:
        isrc = check.isrc(raw.isrc)
        title = check.name(raw.title, what="title", limit=check.TITLE_LENGTH)
        if not title:
            raise Invalid("missing_title", "The recording has no title.")
        named_artists = _people(raw.artists, what="artist's name")
        named_contributors = _people(raw.contributors, what="contributor's name")
        if not named_artists:
            raise Invalid("missing_artist", "The recording names no display artist.")
    except Invalid as exc:
        yield rejected(where, exc.code, exc.message, raw.isrc.strip())
        return

    warnings = list(raw.warnings)
    artists = _with_isnis(named_artists, where, isrc, warnings)
    contributors = _with_isnis(named_contributors, where, isrc, warnings)
    iswc = _optional(check.iswc, raw.iswc, where, isrc, warnings)
    duration = _optional(check.duration, raw.duration, where, isrc, warnings)
    year = _optional(check.year, raw.p_line_year, where, isrc, warnings)
    yield Recording(
        where=where,
        isrc=isrc,
        title=title,
        artists=tuple(dict.fromkeys(artists)),
        contributors=tuple(dict.fromkeys(contributors)),
        iswc=iswc or "",
        duration=duration,
        p_line_year=year,
    )
    for problem in warnings:
        yield Problem(problem.where, problem.severity, problem.code, problem.message, isrc)


def _people(people: list[RawPerson], *, what: str) -> list[RawPerson]:
    named = []
    for person in people:
        name = check.name(person.name, what=what)
        if name:
            named.append(RawPerson(name, person.isni.strip(), person.role))
    return named


def _with_isnis(
    people: list[RawPerson], where: str, isrc: str, warnings: list[Problem]
) -> list[Person]:
    checked = []
    for person in people:
        isni = _optional(check.isni, person.isni, where, isrc, warnings) or ""
        checked.append(Person(person.name, isni, person.role))
    return checked


def _optional(
    normalise: Callable[[str], T], value: str, where: str, isrc: str, warnings: list[Problem]
) -> T | None:
    """The value checked, or None (with a warning) when it is wrong; None when absent."""
    if not value.strip():
        return None
    try:
        return normalise(value)
    except Invalid as exc:
        warnings.append(warning(where, exc.code, f"{exc.message} It was left out.", isrc))
        return None


def release(raw: RawRelease) -> Iterator[Release | Problem]:
    where = raw.where
    try:
        title = check.name(raw.title, what="release title", limit=check.TITLE_LENGTH)
        if not title:
            raise Invalid("missing_title", "The release has no title.")
    except Invalid as exc:
        yield rejected(where, exc.code, exc.message)
        return
    if not raw.tracks:
        yield rejected(
            where, "empty_release", f"The release {title!r} carries no recording that was read."
        )
        return
    warnings: list[Problem] = []
    ids = release_ids(raw.ids, where, warnings)
    day = _optional(check.release_date, raw.release_date, where, "", warnings)
    yield Release(where=where, title=title, ids=ids, release_date=day, tracks=raw.tracks)
    yield from warnings


def takedown(where: str, raw_ids: list[tuple[IdKind, str, str]]) -> Iterator[Takedown | Problem]:
    warnings: list[Problem] = []
    ids = release_ids(raw_ids, where, warnings)
    yield from warnings
    if ids:
        yield Takedown(where=where, ids=ids)
    else:
        yield rejected(
            where, "missing_release_id", "The take-down names no release by a GRid, ICPN or id."
        )


def release_ids(
    raw_ids: list[tuple[IdKind, str, str]], where: str, warnings: list[Problem]
) -> tuple[ReleaseId, ...]:
    ids: dict[ReleaseId, None] = {}
    for kind, value, namespace in raw_ids:
        if not value.strip():
            continue
        try:
            if kind == IdKind.GRID:
                ids[ReleaseId(kind, check.grid_normalise(value))] = None
            elif kind == IdKind.ICPN:
                ids[ReleaseId(kind, check.icpn_normalise(value))] = None
            else:
                value, namespace = check.proprietary(value.strip(), namespace.strip())
                ids[ReleaseId(kind, value, namespace)] = None
        except Invalid as exc:
            warnings.append(warning(where, exc.code, f"{exc.message} It was left out."))
    return tuple(ids)
