"""What a catalogue file says, once read: the items every format's reader yields and the
writer (`services/`) stores. Readers validate and normalise identifiers; the writer
never sees a raw one.

A reader (`formats.read`) yields, in file order:

- `Recording` for each sound recording it could read (ISRC valid and normalised),
- `Release` for each release, naming its tracks by ISRC (after every recording it
  carries: ERN lists resources before releases; CSV yields a row's release after the row's
  recording),
- `Takedown` for each release the sender takes down (ERN 4 `PurgeReleaseMessage`,
  ERN 3.8 a deal with `TakeDown`),
- `Problem` for what it had to reject or drop (a recording with a bad ISRC is rejected;
  a bad ISWC or ISNI is dropped from the recording with a warning),

and raises `Unreadable` when the file cannot be imported at all (broken or hostile XML,
wrong root, not ERN, not the documented CSV, truncated): the writer then keeps nothing
of that file.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from portal.catalogue.models import Credit


class Unreadable(Exception):
    """The file as a whole cannot be imported; the message says why, for a person."""

    def __init__(self, message: str, *, where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where


# Contributor roles are the credits' own; the readers map DDEX roles onto them.
Role = Credit.Role


@dataclass(frozen=True, slots=True)
class Person:
    """A party the file names: a display artist or a contributor."""

    name: str
    isni: str = ""  # normalised (16 characters) or empty
    role: Role = Role.PERFORMER


@dataclass(frozen=True, slots=True)
class Recording:
    where: str  # element path (`/NewReleaseMessage/ResourceList/SoundRecording[3]`) or `row 17`
    isrc: str  # normalised: USRC17607839
    title: str
    # Display artists in the file's order; the first is the work's primary artist.
    # Featured artists are not owners: they are in `contributors` with Role.FEATURED.
    artists: tuple[Person, ...]
    contributors: tuple[Person, ...] = ()
    iswc: str = ""  # normalised: T0345246801, or empty
    duration: timedelta | None = None
    p_line_year: int | None = None


class IdKind(StrEnum):
    GRID = "grid"
    ICPN = "icpn"
    PROPRIETARY = "proprietary"


@dataclass(frozen=True, slots=True)
class ReleaseId:
    kind: IdKind
    value: str  # normalised (GRid and ICPN compact, upper case)
    namespace: str = ""  # a proprietary id's namespace (the sender's DPID, say)


@dataclass(frozen=True, slots=True)
class Track:
    isrc: str
    disc: int = 1
    number: int | None = None


@dataclass(frozen=True, slots=True)
class Release:
    where: str
    title: str
    ids: tuple[ReleaseId, ...] = ()
    release_date: date | None = None
    tracks: tuple[Track, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Takedown:
    where: str
    ids: tuple[ReleaseId, ...]


class Severity(StrEnum):
    REJECTED = "rejected"  # the recording (or release) is not imported
    WARNING = "warning"  # imported, without what the message names


@dataclass(frozen=True, slots=True)
class Problem:
    where: str
    severity: Severity
    code: str  # invalid_isrc, invalid_iswc, invalid_isni, missing_title, ...
    message: str  # for a person: "USRC1760783 is not a valid ISRC (12 characters ...)"
    isrc: str = ""  # as the file wrote it, when there was one


Item = Recording | Release | Takedown | Problem
