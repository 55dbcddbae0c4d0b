"""When the demo's history happened, and the decisions given along the way: through the
consent services, dated in the past, and only where nobody has answered yet."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Artist, Label, Work
from portal.consent.conditions import Given
from portal.consent.models import Answer, Decision, Side
from portal.consent.services import decisions_set, product_set_status
from portal.demo.catalogue import works_by_index, works_even
from portal.demo.specs import (
    CONDITIONAL,
    DEMO_NOTE,
    HISTORY_MONTHS,
    NORTHERN,
    PRODUCTS,
    SOUTHERN,
    TRACKS_PER_RELEASE,
)
from portal.earnings.selectors import add_months
from portal.licensing.models import Product, UseType


@dataclass(frozen=True)
class Timeline:
    """When the demo's history happened. The months of usage are the twelve complete
    months ending with last month; the licences began three months before the first,
    the products launched two months before it and the answers were given the month
    before it, so usage is permitted from its first day. Echovox was suspended in the
    fourth month and Ada Lane said yes to "in the style of" for a few songs in the sixth,
    so the use reported in those months is flagged as permitted for part of the month.
    """

    months: tuple[date, ...]

    @classmethod
    def ending_last_month(cls) -> "Timeline":
        this_month = timezone.now().date().replace(day=1)
        return cls(tuple(add_months(this_month, n) for n in range(-HISTORY_MONTHS, 0)))

    def moment(self, months: int, day: int, hour: int) -> datetime:
        """`hour` o'clock UTC on `day` of the month `months` after the first month."""
        return datetime.combine(
            add_months(self.months[0], months).replace(day=day), time(hour), tzinfo=UTC
        )

    @property
    def licences_start(self) -> date:
        return add_months(self.months[0], -3)

    @property
    def launched(self) -> datetime:
        return self.moment(-2, 1, 9)

    @property
    def consents(self) -> datetime:
        return self.moment(-1, 10, 10)

    @property
    def suspension(self) -> datetime:
        return self.moment(3, 14, 16)

    @property
    def style_granted(self) -> datetime:
        return self.moment(5, 10, 14)


def decide(
    *,
    actor: User,
    product: Product,
    use_type: UseType,
    side: str,
    answer: str,
    works: QuerySet[Work],
    at: datetime,
) -> int:
    """Answer, as of `at`, for the works this side has not answered yet; returns answers
    written."""
    answered = Decision.objects.filter(product=product, use_type=use_type, side=side)
    outcome = decisions_set(
        actor=actor,
        product=product,
        use_type=use_type,
        side=side,
        answer=answer,
        works=works.exclude(pk__in=answered.values("work_id")),
        note=DEMO_NOTE,
        now=at,
    )
    return outcome.changed


def decisions_seed(
    *,
    timeline: Timeline,
    use_types: dict[str, UseType],
    labels: dict[str, Label],
    managers: dict[str, User],
    artists: dict[str, Artist],
    members: dict[str, User],
    products: dict[str, Product],
    created: set[str],
) -> int:
    """The demo's answers as they were given through the year, and the suspension of the
    products created in this run whose spec says so; returns answers written."""
    tunesmith, stemify, echovox = (products[slug] for slug in ("tunesmith", "stemify", "echovox"))
    training, style = use_types["training"], use_types["style_generation"]
    stems, voice = use_types["stems_remix"], use_types["voice_likeness"]
    northern, southern = labels[NORTHERN.name], labels[SOUTHERN.name]
    ada, cy = artists["Ada Lane"], artists["Cy Moss"]
    label_manager, ada_user = managers[NORTHERN.name], members["Ada Lane"]
    changed = 0
    steps = [
        # The label says yes to Tunesmith for its whole roster.
        (label_manager, tunesmith, training, Side.RIGHTS_HOLDER, Answer.GRANTED,
         northern.works.all()),
        (label_manager, tunesmith, style, Side.RIGHTS_HOLDER, Answer.GRANTED,
         northern.works.all()),
        # Ada trains on about half, keeps a few songs out of "in the style of", and says
        # yes to remixes of her first release; the label has answered half of those.
        (ada_user, tunesmith, training, Side.ARTIST, Answer.GRANTED, works_even(ada.works.all())),
        (ada_user, tunesmith, style, Side.ARTIST, Answer.DENIED,
         works_by_index(ada.works.all(), range(3, 20, 7))),
        (ada_user, stemify, stems, Side.ARTIST, Answer.GRANTED,
         works_by_index(ada.works.all(), range(TRACKS_PER_RELEASE))),
        (label_manager, stemify, stems, Side.RIGHTS_HOLDER, Answer.GRANTED,
         works_by_index(ada.works.all(), range(TRACKS_PER_RELEASE // 2))),
        # Both sides let Echovox model Ada's voice on three songs, before its suspension.
        (ada_user, echovox, voice, Side.ARTIST, Answer.GRANTED,
         works_by_index(ada.works.all(), range(3))),
        (label_manager, echovox, voice, Side.RIGHTS_HOLDER, Answer.GRANTED,
         works_by_index(ada.works.all(), range(3))),
        # Bo Reed has not decided anything. Across the way, Southern Cross trains too.
        (managers[SOUTHERN.name], tunesmith, training, Side.RIGHTS_HOLDER, Answer.GRANTED,
         southern.works.all()),
        (members["Cy Moss"], tunesmith, training, Side.ARTIST, Answer.GRANTED,
         works_by_index(cy.works.all(), range(5))),
    ]  # fmt: skip
    for hour, (actor, product, use_type, side, answer, works) in enumerate(steps):
        changed += decide(
            actor=actor,
            product=product,
            use_type=use_type,
            side=side,
            answer=answer,
            works=works,
            at=timeline.consents + timedelta(hours=hour),
        )
    # Only a product created in this run: one that exists has the status someone gave it.
    for spec in PRODUCTS:
        if spec.slug in created and spec.status != Product.Status.ACTIVE:
            product_set_status(
                product=products[spec.slug], status=spec.status, now=timeline.suspension
            )
    # Half-way through the year Ada says yes to "in the style of" for four more songs.
    changed += decide(
        actor=ada_user,
        product=tunesmith,
        use_type=style,
        side=Side.ARTIST,
        answer=Answer.GRANTED,
        works=works_by_index(ada.works.all(), range(1, 20, 6)),
        at=timeline.style_granted,
    )
    # Then she lets Tunesmith train on two songs only if it credits her and only for
    # non-commercial use: a change of conditions, not of whether it is permitted. Only
    # the demo's own yes answers (a rerun, or a person's answer since, is left alone).
    name, indexes, codes = CONDITIONAL
    conditions = tuple(Given(code, name if code == "credit_required" else "") for code in codes)
    seeded = Decision.objects.filter(
        product=tunesmith,
        use_type=training,
        side=Side.ARTIST,
        answer=Answer.GRANTED,
        decided_at__lte=timeline.style_granted,
    ).values("work_id")
    works = works_by_index(artists[name].works.all(), indexes).filter(pk__in=seeded)
    if works.exists():
        changed += decisions_set(
            actor=members[name],
            product=tunesmith,
            use_type=training,
            side=Side.ARTIST,
            answer=Answer.GRANTED,
            works=works,
            note=DEMO_NOTE,
            now=timeline.style_granted + timedelta(hours=1),
            conditions=conditions,
        ).changed
    return changed
