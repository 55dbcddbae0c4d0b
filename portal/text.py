"""What text from outside may hold, defined once.

Refused in any text: the C0 controls other than TAB, LF and CR; DEL; the C1 controls;
lone surrogates (a JSON escape such as "\\ud800" that stands for no character).
NUL is among them (PostgreSQL text cannot hold it), and none of them has a place in
anything a person or a product sends. A single line (a name, a reference, a search)
refuses TAB, LF and CR as well. A name also refuses the bidirectional controls
(U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C): one of them in a name turns
the text after it around on every page and in every CSV that shows it.

Applied at the edges: the API's JSON and query parameters (portal.api, the usage
report's validation), HTML query strings and form fields (portal.ops.inputs), and the
name fields staff and imports fill (`validate_name`, on the models).
"""

import re

from django.core.exceptions import ValidationError

# Lone UTF-16 surrogates come only from JSON escapes such as "\ud800": no text holds
# them, and no database driver can encode them.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
_LINE_BREAKS = "\t\n\r"
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"

_IN_TEXT = re.compile(f"[{_CONTROLS}]")
_IN_LINE = re.compile(f"[{_CONTROLS}{_LINE_BREAKS}]")
_IN_NAME = re.compile(f"[{_CONTROLS}{_LINE_BREAKS}{_BIDI}]")


def code_point(char: str) -> str:
    """ "U+202E": how a refused character is named in a message (it cannot be shown)."""
    return f"U+{ord(char):04X}"


def control_in(text: str, *, multiline: bool = False) -> str | None:
    """The first character `text` may not hold, or None. `multiline` lets TAB, LF and
    CR through (free text such as a note, or a password)."""
    found = (_IN_TEXT if multiline else _IN_LINE).search(text)
    return found.group() if found else None


def name_control_in(text: str) -> str | None:
    """The first character a name may not hold (a control or a bidi control), or None."""
    found = _IN_NAME.search(text)
    return found.group() if found else None


def validate_line(value: str) -> None:
    """A form field validator for one line of text, such as a search."""
    if (char := control_in(value)) is not None:
        raise ValidationError(
            "This cannot hold line breaks or control characters (%(char)s).",
            code="control_character",
            params={"char": code_point(char)},
        )


def validate_name(value: str) -> None:
    """A model field validator for names and titles: the admin form shows the error,
    and so does `full_clean` on any other path."""
    if (char := name_control_in(value)) is not None:
        raise ValidationError(
            "Names cannot hold control characters or text-direction marks (%(char)s).",
            code="control_character",
            params={"char": code_point(char)},
        )
