"""Numbers from JSON as they were written.

A JSON number's value does not say how it was written: `1.5e0`, `150e-2` and `1.5` are
the same Decimal, and `-0` the same int as `0`. Where a contract accepts only numbers
written a certain way (amounts: `^[0-9]{1,12}(\\.[0-9]{1,2})?$`), the check must see the
literal. `json.loads(..., parse_float=written_decimal, parse_int=written_int)` keeps it,
and `written()` gives it back.
"""

from decimal import Decimal


class WrittenDecimal(Decimal):
    """A JSON number with a fraction or an exponent, exact, remembering its literal."""

    literal: str


class WrittenInt(int):
    """A JSON whole number, remembering its literal."""

    literal: str


def written_decimal(literal: str) -> WrittenDecimal:
    number = WrittenDecimal(literal)
    number.literal = literal
    return number


def written_int(literal: str) -> WrittenInt:
    number = WrittenInt(literal)
    number.literal = literal
    return number


def written(value: str | int | Decimal) -> str:
    """How `value` was written: a JSON number's literal, else its text."""
    return getattr(value, "literal", None) or str(value)
