"""The decision matrix: a party's works filtered by their state, and their cells."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from portal.catalogue.models import Work
from portal.catalogue.selectors import works_search
from portal.consent.facts import side_answers, verdicts_for
from portal.consent.models import AnnouncedPermission, Answer, Decision, Side
from portal.consent.rules import SideAnswer, Verdict
from portal.consent.wording import Names, condition_names, conditions_words, explain
from portal.licensing.models import Product, UseType
from portal.words import until_words


def works_matching(
    *,
    works: QuerySet[Work],
    product: Product,
    side: str,
    use_type_ids: Sequence[int],
    q: str = "",
    state: str = "",
    now: datetime,
) -> QuerySet[Work]:
    """Filter a party's works by title or ISRC and by their state for this product."""
    works = works_search(works, q)
    if state == "waiting":
        answered = (
            Decision.objects.filter(
                product=product, side=side, work=OuterRef("pk"), use_type_id__in=use_type_ids
            )
            .values("work")
            .annotate(n=Count("pk"))
            .values("n")
        )
        works = works.annotate(answered=Coalesce(Subquery(answered), 0)).filter(
            answered__lt=len(use_type_ids)
        )
    elif state in ("permitted", "not_permitted"):
        permitted = (
            AnnouncedPermission.objects.permitted_at(now)
            .filter(product=product, work=OuterRef("pk"), use_type_id__in=use_type_ids)
            .values("work")
            .annotate(n=Count("pk"))
            .values("n")
        )
        works = works.annotate(permitted_uses=Coalesce(Subquery(permitted), 0))
        if state == "permitted":
            works = works.filter(permitted_uses__gt=0)
        else:
            works = works.filter(permitted_uses__lt=len(use_type_ids))
    return works


@dataclass(frozen=True)
class Cell:
    """One decision cell: the viewer's own answer and the effective permission in words."""

    work: Work
    use_type: UseType
    answer: str | None
    verdict: Verdict
    message: str
    # Whether the product has the latest change of this cell: "Delivered to Tunesmith 14:02".
    delivery: str = ""
    # Each side's answer in words ("Yes", "No", "Not yet", "Expired 3 Mar 2026"), for the
    # label's page, where the artist's answer is what a manager decides by.
    artist_said: str = ""
    label_said: str = ""
    # Where the artist delegated this use to the viewing label: its page for this product.
    delegation_url: str = ""
    # The conditions of the viewer's own yes in words: "credit as “Ada Lane”, no advertising".
    conditions: str = ""


def answer_words(answer: SideAnswer | None, now: datetime, names: Names | None = None) -> str:
    """One side's answer as a row shows it, with a yes's conditions (named by `names`);
    an expired yes is no longer a yes."""
    if answer is None:
        return "Not yet"
    if answer.answer == Answer.DENIED:
        return "No"
    if answer.expires_at is not None and answer.expires_at <= now:
        return f"Expired {until_words(answer.expires_at)}"
    words = "Yes"
    if answer.expires_at is not None:
        words += f", until {until_words(answer.expires_at)}"
    if answer.conditions:
        words += " · " + conditions_words(answer.conditions, names or {})
    return words


@dataclass(frozen=True)
class Row:
    work: Work
    cells: list[Cell]
    # A release the work is on, for the product page's "show its works" link.
    release_id: int | None = None
    release_title: str = ""


def matrix_rows(
    *,
    product: Product,
    side: str,
    works: Sequence[Work],
    use_types: Sequence[UseType],
    now: datetime,
    delegated: bool = False,
) -> list[Row]:
    """The decision cells for a page of works: four queries whatever the page size, and
    two more when some yes among them has conditions (what the product honours, and
    what the conditions are called).

    `works` must come with primary_artist and label selected.
    """
    use_ids = [u.pk for u in use_types]
    answers = side_answers(product=product, use_type_ids=use_ids, works=[w.pk for w in works])
    verdicts = verdicts_for(
        product=product,
        works=[(w.pk, w.label_id) for w in works],
        use_type_ids=use_ids,
        now=now,
        answers=answers,
        withdrawn={w.pk for w in works if w.withdrawn_at is not None},
        disputed={w.pk for w in works if w.disputed_at is not None},
    )
    names = condition_names() if any(a.conditions for a in answers.values()) else {}
    rows = []
    for work in works:
        cells = []
        for use_type in use_types:
            verdict = verdicts[(work.pk, use_type.pk)]
            own = answers.get((work.pk, use_type.pk, side))
            cells.append(
                Cell(
                    work=work,
                    use_type=use_type,
                    answer=own.answer if own else None,
                    artist_said=answer_words(
                        answers.get((work.pk, use_type.pk, Side.ARTIST)), now, names
                    ),
                    label_said=answer_words(
                        answers.get((work.pk, use_type.pk, Side.RIGHTS_HOLDER)), now, names
                    ),
                    verdict=verdict,
                    message=explain(
                        verdict,
                        side=side,
                        product=product,
                        work=work,
                        label_name=work.label.name,
                        delegated=delegated,
                        names=names,
                    ),
                    conditions=conditions_words(own.conditions, names) if own else "",
                )
            )
        rows.append(Row(work=work, cells=cells))
    return rows
