"""The values a catalogue file carries, checked and put in their stored form: release
identifiers (GRid, ICPN), durations, dates and years. ISRC, ISWC and ISNI are
`portal.catalogue.identifiers`' to check; this module only wraps them for readers.

Each function returns the normalised value or raises `Invalid` with a message for a
person; the readers turn that into a `records.Problem`.
"""

import functools
import operator
import re
from collections.abc import Callable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from stdnum import ean, grid
from stdnum import isrc as stdnum_isrc
from stdnum.exceptions import ValidationError as StdnumError

from portal.catalogue.identifiers import isni_normalise, isrc_normalise, iswc_normalise
from portal.text import code_point, control_in, name_control_in

# No recording is older than the phonograph; a release may be announced ahead of its
# date, but not by more than a few years.
FIRST_YEAR = 1877
YEARS_AHEAD = 5
LONGEST = timedelta(hours=24)
NAME_LENGTH = 200  # catalogue.Artist.name and Credit.name
TITLE_LENGTH = 300  # catalogue.Work.title and Release.title
ID_LENGTH = 100  # catalogue.ReleaseIdentifier.value and namespace


class Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _catalogue(normalise: Callable[[str], str], value: str) -> str:
    try:
        return normalise(value)
    except ValidationError as exc:
        raise Invalid(exc.code or "invalid", exc.messages[0]) from exc


# An ISRC as most files write it, which `isrc_normalise` would return as it is.
_COMPACT_ISRC = re.compile(r"[A-Z]{2}[A-Z0-9]{3}[0-9]{7}")


def isrc(value: str) -> str:
    if _COMPACT_ISRC.fullmatch(value) and _isrc_country(value[:2]):
        return value  # one per recording: the general check costs more than the rest
    return _catalogue(isrc_normalise, value)


@functools.cache  # two capital letters: 676 at most
def _isrc_country(code: str) -> bool:
    return stdnum_isrc.is_valid(f"{code}AAA0000000")


# An ISWC as most files write it, which `iswc_normalise` would return as it is if its
# check digit is right (ISO 15707, as there: 1 + each of the nine digits times its
# position, mod 10, from 10).
_COMPACT_ISWC = re.compile(r"T[0-9]{10}")
_POSITIONS = range(1, 10)


def iswc(value: str) -> str:
    if _COMPACT_ISWC.fullmatch(value):
        weighted = 1 + sum(map(operator.mul, _POSITIONS, map(int, value[1:10])))
        if (10 - weighted % 10) % 10 == int(value[10]):
            return value  # one per recording, like the ISRC
    return _catalogue(iswc_normalise, value)


# A catalogue names the same people on recording after recording.
@functools.lru_cache(maxsize=65_536)
def isni(value: str) -> str:
    if control_in(value) is not None:
        raise Invalid("invalid_isni", f"{value!r} is not a valid ISNI.")
    return _catalogue(isni_normalise, value)


def grid_normalise(value: str) -> str:
    """`A1-2425G-ABC1234002-M` or `GRid:A12425GABC1234002M` -> `A12425GABC1234002M`."""
    try:
        if control_in(value) is None:
            return str(grid.validate(value)).upper()
    except StdnumError:
        pass
    raise Invalid("invalid_grid", f"{value} is not a valid GRid (18 characters, check last).")


def icpn_normalise(value: str) -> str:
    """An EAN-13 or UPC-12 (or EAN-8); a UPC is stored as the EAN-13 it also is (a leading
    0), so a later message naming the release by either finds it."""
    compact = re.sub(r"[\s-]", "", value)
    try:
        if re.fullmatch(r"[0-9]{8}|[0-9]{12,14}", compact):
            checked = str(ean.validate(compact))
            return "0" + checked if len(checked) == 12 else checked
    except StdnumError:
        pass
    raise Invalid("invalid_icpn", f"{value} is not a valid ICPN (a UPC or EAN barcode number).")


def proprietary(value: str, namespace: str) -> tuple[str, str]:
    """A sender's own id and its namespace (their DPID, say), kept as they wrote them."""
    for part in (value, namespace):
        if (char := name_control_in(part)) is not None:
            raise Invalid(
                "invalid_proprietary_id",
                f"A proprietary id holds a control character ({code_point(char)}).",
            )
        if len(part) > ID_LENGTH:
            raise Invalid(
                "invalid_proprietary_id", f"A proprietary id is over {ID_LENGTH} characters."
            )
    return value, namespace


_ISO_DURATION = re.compile(
    r"P(?:(?P<days>[0-9]+)D)?"
    r"(?:T(?:(?P<hours>[0-9]+)H)?(?:(?P<minutes>[0-9]+)M)?(?:(?P<seconds>[0-9]+(?:\.[0-9]+)?)S)?)?"
)
_CLOCK = re.compile(r"(?:(?P<hours>[0-9]+):)?(?P<minutes>[0-9]{1,2}):(?P<seconds>[0-9]{2})")


# Recordings' lengths are mostly whole seconds of a few minutes: they repeat.
@functools.lru_cache(maxsize=4096)
def duration(value: str) -> timedelta:
    """ISO 8601 (`PT3M25S`, `PT0H3M25.5S`) or a clock (`3:25`, `1:03:25`); none at all
    or over 24 hours is refused as a mistake."""
    text = value.strip().upper()
    found = (_ISO_DURATION if text.startswith("P") else _CLOCK).fullmatch(text)
    parts = {k: float(v) for k, v in found.groupdict().items() if v} if found else {}
    clock_out_of_range = (
        found is not None
        and not text.startswith("P")
        and (parts["seconds"] > 59 or (found["hours"] is not None and parts["minutes"] > 59))
    )
    if not parts or clock_out_of_range:
        raise Invalid("invalid_duration", f"{value} is not a duration (such as PT3M25S or 3:25).")
    length = timedelta(
        days=parts.get("days", 0),
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )
    if not timedelta(0) < length <= LONGEST:
        raise Invalid("invalid_duration", f"{value} is not a plausible length for a recording.")
    return length


def release_date(value: str, *, today: date | None = None) -> date:
    """A full ISO date (`2019-05-03`), from the phonograph's year to a few years ahead."""
    today = today or date.today()
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
            raise ValueError(value)
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise Invalid("invalid_date", f"{value} is not a date (YYYY-MM-DD).") from exc
    if not FIRST_YEAR <= day.year <= today.year + YEARS_AHEAD:
        raise Invalid("invalid_date", f"{value} is not a plausible release date.")
    return day


def year(value: str, *, today: date | None = None) -> int:
    """A ℗ year: four digits, from the phonograph's year to next year."""
    found = _year(value.strip(), last=(today or date.today()).year + 1)
    if found is None:
        raise Invalid("invalid_year", f"{value} is not a plausible ℗ year.")
    return found


@functools.lru_cache(maxsize=1024)
def _year(text: str, *, last: int) -> int | None:
    return (
        int(text) if re.fullmatch(r"[0-9]{4}", text) and FIRST_YEAR <= int(text) <= last else None
    )


def name(value: str, *, what: str, limit: int = NAME_LENGTH) -> str:
    """A name or title as the portal stores it: one line, no control characters or
    text-direction marks, within its column's length. Spaces around it are trimmed."""
    text = value.strip()
    if (char := name_control_in(text)) is not None:
        raise Invalid(
            "control_character",
            f"The {what} holds a control character or text-direction mark ({code_point(char)}).",
        )
    if len(text) > limit:
        raise Invalid("too_long", f"The {what} is over {limit} characters.")
    return text
