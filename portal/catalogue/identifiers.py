"""Validation of music identifiers: one place, one message per mistake.

ISRC and ISNI by python-stdnum; it has no ISWC, so that check digit is computed here.
"""

import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from stdnum import isni, isrc
from stdnum.exceptions import ValidationError as StdnumError

from portal.text import control_in


def isrc_normalise(value: str) -> str:
    """Return the ISRC in its stored form (`USRC17607839`) or raise ValidationError.
    Spaces around it are trimmed, but a control character makes it a wrong ISRC, not
    one to clean up."""
    if control_in(value) is None:
        try:
            return isrc.validate(value)
        except StdnumError:
            pass
    raise ValidationError(
        "%(value)s is not a valid ISRC (12 characters such as USRC17607839).",
        code="invalid_isrc",
        params={"value": value},
    )


# No ISRC, however hyphenated and spaced, is longer; nor is anything longer worth reading.
ISRC_INPUT_MAX = 32


def isrc_parsed(value: object) -> str | None:
    """The normalised ISRC `value` stands for, or None: for machine input (the API, usage
    reports, training manifests), which names each mistake itself."""
    if not isinstance(value, str) or len(value) > ISRC_INPUT_MAX:
        return None
    return _isrc_or_none(value)


@lru_cache(maxsize=20_000)
def _isrc_or_none(value: str) -> str | None:
    # Products send the same recordings again and again; validation is pure.
    try:
        return isrc_normalise(value)
    except ValidationError:
        return None


def isni_normalise(value: str) -> str:
    try:
        return isni.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            "%(value)s is not a valid ISNI (16 characters, check digit last).",
            code="invalid_isni",
            params={"value": value},
        ) from exc


def _iswc_valid(compact: str) -> bool:
    # ASCII digits: \d would take ٠٣٤ and store them.
    if not re.fullmatch(r"T[0-9]{10}", compact):
        return False
    digits = [int(c) for c in compact[1:]]
    # ISO 15707: 1 + the sum of each of the nine digits times its position, mod 10.
    weighted = 1 + sum(position * digit for position, digit in enumerate(digits[:9], start=1))
    return (10 - weighted % 10) % 10 == digits[9]


def iswc_normalise(value: str) -> str:
    """Return the ISWC compact (`T0345246801`) or raise ValidationError."""
    compact = re.sub(r"[\s.\-]", "", value).upper()
    if not _iswc_valid(compact):
        raise ValidationError(
            "%(value)s is not a valid ISWC (such as T-034.524.680-1).",
            code="invalid_iswc",
            params={"value": value},
        )
    return compact
