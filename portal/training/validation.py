"""Validating a manifest, or more of its items, whole: every mistake named by where it is,
or nothing taken. Two queries: the works and the use types named."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from typing_extensions import TypedDict  # pydantic reads a TypedDict of 3.12 and on

from portal.catalogue.identifiers import isrc_parsed
from portal.catalogue.selectors import work_ids_by_isrc
from portal.licensing.models import UseType
from portal.shapes import refusals
from portal.training import schemas

MAX_DETAILS = 100


class Mistake(TypedDict):
    """One mistake, as a usage report's are named: the item (from 0; null for the
    manifest as a whole), the field and what to do about it."""

    line: int | None
    field: str
    message: str


class ManifestInvalid(Exception):
    """Mistakes, the first 100 of `total`."""

    def __init__(self, details: list[Mistake], total: int) -> None:
        super().__init__(f"{total} mistake(s)")
        self.details, self.total = details, total


@dataclass(frozen=True)
class ParsedItems:
    """(work id, use type id) pairs, duplicates dropped, in the order sent."""

    pairs: list[tuple[int, int]]


@dataclass(frozen=True)
class ParsedManifest:
    model: str
    version: str
    trained_at: datetime
    complete: bool
    items: ParsedItems


def _context(data: Any) -> dict[str, Any]:
    items = data.get("items") if isinstance(data, dict) else None
    items = items if isinstance(items, list) else []
    named = [item for item in items if isinstance(item, dict)]
    isrcs = {isrc for item in named if (isrc := isrc_parsed(item.get("isrc"))) is not None}
    slugs = {item["use"] for item in named if isinstance(item.get("use"), str)}
    return {
        "works": work_ids_by_isrc(isrcs),
        "uses": dict(UseType.objects.filter(slug__in=slugs).values_list("slug", "pk")),
    }


def _mistake(where: tuple[int | str, ...], message: str) -> Mistake:
    if len(where) >= 2 and where[0] == "items" and isinstance(where[1], int):
        return Mistake(line=where[1], field=".".join(map(str, where[2:])), message=message)
    return Mistake(line=None, field=".".join(map(str, where)), message=message)


def _validate(model: type[schemas.Inbound], data: Any) -> tuple[Any, dict[str, Any]]:
    context = _context(data)
    try:
        return model.model_validate(data, context=context), context
    except ValidationError as exc:
        details = [_mistake(where, message) for where, message in refusals(exc)]
        raise ManifestInvalid(details[:MAX_DETAILS], exc.error_count()) from exc


def _pairs(items: list[schemas.ManifestItem], context: dict[str, Any]) -> ParsedItems:
    works, uses = context["works"], context["uses"]
    return ParsedItems(list(dict.fromkeys((works[i.isrc], uses[i.use]) for i in items)))


def manifest_parse(data: Any) -> ParsedManifest:
    valid, context = _validate(schemas.TrainingManifest, data)
    return ParsedManifest(
        valid.model, valid.version, valid.trained_at, valid.complete, _pairs(valid.items, context)
    )


def items_parse(data: Any) -> ParsedItems:
    valid, context = _validate(schemas.ManifestItems, data)
    return _pairs(valid.items, context)
