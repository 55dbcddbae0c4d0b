"""The label's CSV export: one row per work, product and use."""

from collections.abc import Iterator, Sequence
from datetime import datetime

from portal.consent.access import Party
from portal.consent.facts import side_answers, verdicts_for
from portal.consent.models import Side
from portal.consent.selectors.matrix import works_matching
from portal.consent.selectors.products import use_types_of
from portal.licensing.models import Product, UseType

EXPORT_COLUMNS = [
    "isrc",
    "title",
    "artist",
    "product",
    "use",
    "artist_answer",
    "label_answer",
    "permitted",
    "reasons",
]


EXPORT_CHUNK = 2000


def export_rows(
    *,
    party: Party,
    products: Sequence[Product],
    use_type: UseType | None,
    q: str,
    state: str,
    now: datetime,
) -> Iterator[list[str]]:
    """One row per work, product and use, read in chunks so memory stays flat."""
    for product in products:
        use_types = [u for u in use_types_of(product=product) if use_type in (None, u)]
        use_ids = [u.pk for u in use_types]
        works = works_matching(
            works=party.works(),
            product=product,
            side=party.side,
            use_type_ids=use_ids,
            q=q,
            state=state,
            now=now,
        ).order_by("pk")
        last = 0
        while chunk := list(
            works.filter(pk__gt=last).values_list(
                "pk",
                "isrc",
                "title",
                "primary_artist__name",
                "label_id",
                "withdrawn_at",
                "disputed_at",
            )[:EXPORT_CHUNK]
        ):
            last = chunk[-1][0]
            answers = side_answers(
                product=product, use_type_ids=use_ids, works=[c[0] for c in chunk]
            )
            verdicts = verdicts_for(
                product=product,
                works=[(c[0], c[4]) for c in chunk],
                use_type_ids=use_ids,
                now=now,
                answers=answers,
                withdrawn={c[0] for c in chunk if c[5] is not None},
                disputed={c[0] for c in chunk if c[6] is not None},
            )
            for work_id, isrc, title, artist_name, *_ in chunk:
                for use in use_types:
                    artist = answers.get((work_id, use.pk, Side.ARTIST))
                    label = answers.get((work_id, use.pk, Side.RIGHTS_HOLDER))
                    verdict = verdicts[(work_id, use.pk)]
                    yield [
                        isrc,
                        title,
                        artist_name,
                        product.slug,
                        use.slug,
                        artist.answer if artist else "",
                        label.answer if label else "",
                        "yes" if verdict.permitted else "no",
                        " ".join(verdict.reasons),
                    ]
