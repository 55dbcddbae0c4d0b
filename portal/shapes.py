"""JSON from outside, declared as pydantic models and refused in our own words.

A model here is both the parser and the published shape: the OpenAPI document is
generated from the same declarations that validate. Pydantic's own messages never reach
a product: every rule that can fail raises `refusal(...)` with the sentence the product
reads, and `refusals()` turns a `ValidationError` into (where, message) pairs. A field
left out is judged as if it were `null` (`Inbound`), so each field has one voice
whatever is wrong with it.

The JSON is decoded first (`portal.api.http.parse_json`: exact decimals, each number
keeping its literal, nesting bounded) and validated as Python values, so a validator
sees `1.5e0` as it was written.
"""

from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

REFUSED = "refused"
# Said of a value that breaks a declared constraint no validator of ours caught first; the
# validators are written to catch everything, so a product should never read it.
NOT_VALID = "This value is not valid."

Where = tuple[str | int, ...]


def quoted(value: object) -> str:
    """A value quoted back in a message, cut short."""
    text = repr(value)
    return text if len(text) <= 50 else text[:47] + "..."


def refusal(message: str, *, at: str | None = None) -> PydanticCustomError:
    """The error a validator raises: `message` is what the product reads; `at` names a
    field below the one validated (a model's rule about one of its fields)."""
    context: dict[str, Any] = {"message": message}
    if at is not None:
        context["at"] = at
    # The message goes through the context: a template would read its braces.
    return PydanticCustomError(REFUSED, "{message}", context)


class Inbound(BaseModel):
    """An object a product sends. Unknown keys are ignored; absent ones are `null`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    # Said when the value is not an object at all; None judges it as an empty one, so
    # each field says what it lacks.
    not_an_object: ClassVar[str | None] = None

    @model_validator(mode="before")
    @classmethod
    def _absent_is_null(cls, data: object) -> object:
        if not isinstance(data, dict):
            if cls.not_an_object is not None:
                raise refusal(cls.not_an_object)
            data = {}
        return dict.fromkeys(cls.model_fields) | data


def refusals(error: ValidationError) -> Iterator[tuple[Where, str]]:
    """Each failure as (where, message), in the order pydantic met them: fields in
    their declared order, list items in order."""
    for failure in error.errors(include_url=False, include_input=False):
        where: Where = tuple(failure["loc"])
        if failure["type"] != REFUSED:
            yield where, NOT_VALID
            continue
        context = failure.get("ctx") or {}
        if (at := context.get("at")) is not None:
            where = (*where, at)
        yield where, str(context["message"])
