"""The effective-permission rule: the one place that says whether a use is permitted.

Pure functions over facts loaded by `portal.consent.facts`; no database access here,
so the whole truth table is tested directly.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import models

from portal.consent.conditions import Conditions, combined
from portal.consent.models import Answer, Side
from portal.licensing.models import Product


class Reason(models.TextChoices):
    """Why something is not permitted. The values are part of the public API.
    `label_policy`: a standing policy of the work's label (a use, a product, or works
    released from a date) does not allow it, whatever the answers. `work_disputed`: the
    artist's team or the label disputes the recording (not theirs, wrong artist, label or
    credits), and every use stops until staff resolve it."""

    PRODUCT_NOT_LAUNCHED = "product_not_launched", "the product has not launched"
    PRODUCT_SUSPENDED = "product_suspended", "the product is suspended"
    PRODUCT_RETIRED = "product_retired", "the product is retired"
    USE_NOT_REQUESTED = "use_not_requested", "the product does not ask for this use"
    NO_LICENCE = "no_licence", "there is no licence with the label"
    LICENCE_NOT_STARTED = "licence_not_started", "the licence has not started"
    LICENCE_ENDED = "licence_ended", "the licence has ended"
    LICENCE_EXCLUDES_USE = "licence_excludes_use", "the licence does not cover this use"
    ARTIST_UNDECIDED = "artist_undecided", "waiting for the artist"
    ARTIST_DENIED = "artist_denied", "the artist said no"
    ARTIST_EXPIRED = "artist_expired", "the artist's yes has expired"
    RIGHTS_HOLDER_UNDECIDED = "rights_holder_undecided", "waiting for the label"
    RIGHTS_HOLDER_DENIED = "rights_holder_denied", "the label said no"
    RIGHTS_HOLDER_EXPIRED = "rights_holder_expired", "the label's yes has expired"
    WORK_WITHDRAWN = "work_withdrawn", "the recording was withdrawn by the label"
    WORK_DISPUTED = "work_disputed", "this recording is under dispute"
    LABEL_POLICY = "label_policy", "the label does not allow this use"
    CONDITION_NOT_SUPPORTED = (
        "condition_not_supported",
        "the product cannot honour a condition of the yes",
    )
    TERRITORIES_DISJOINT = (
        "territories_disjoint",
        "the artist and the label allow no country in common",
    )
    RECONSENT_NEEDED = (
        "reconsent_needed",
        "a yes was for an earlier version of the product, which has changed what it does",
    )


PRODUCT_REASONS = {
    Product.Status.DRAFT: Reason.PRODUCT_NOT_LAUNCHED,
    Product.Status.SUSPENDED: Reason.PRODUCT_SUSPENDED,
    Product.Status.RETIRED: Reason.PRODUCT_RETIRED,
}
SIDE_REASONS = {
    Side.ARTIST: (Reason.ARTIST_UNDECIDED, Reason.ARTIST_DENIED, Reason.ARTIST_EXPIRED),
    Side.RIGHTS_HOLDER: (
        Reason.RIGHTS_HOLDER_UNDECIDED,
        Reason.RIGHTS_HOLDER_DENIED,
        Reason.RIGHTS_HOLDER_EXPIRED,
    ),
}


@dataclass(frozen=True, slots=True)
class Term:
    """A licence's term and the use types it covers (ids)."""

    starts_on: date
    ends_on: date | None
    use_type_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class Cap:
    """A label policy in force, as the rule reads it: it applies to a (work, product, use)
    that matches every condition set. The names are for the words people read."""

    use_type_id: int | None = None
    product_id: int | None = None
    released_before: date | None = None
    use_name: str = ""
    product_name: str = ""

    def applies(self, *, product_id: int, use_type_id: int, release_date: date | None) -> bool:
        if self.use_type_id is not None and self.use_type_id != use_type_id:
            return False
        if self.product_id is not None and self.product_id != product_id:
            return False
        # Opt-in: a work whose release date nobody knows is not shown to be older.
        return self.released_before is None or (
            release_date is None or release_date >= self.released_before
        )


@dataclass(frozen=True, slots=True)
class SideAnswer:
    answer: str
    expires_at: datetime | None
    conditions: Conditions = ()
    # The product's material version it was given for; whether it covers later ones.
    for_version: int = 1
    later_versions: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    permitted: bool
    reasons: tuple[str, ...]
    lapses_at: datetime | None = None
    # The first label policy that applies, when one does: what the words name.
    policy: Cap | None = None
    # A permitted use's conditions: both sides' together.
    conditions: Conditions = ()
    # The codes of the conditions of a yes that the product cannot honour.
    unsupported: tuple[str, ...] = ()


def start_of(day: date) -> datetime:
    """The instant a licence starting on `day` is in force (whole UTC days)."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def end_of(day: date) -> datetime:
    """The instant an inclusive end date is over (licence terms are whole UTC days)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _coverage_end(in_force: list[Term], for_use: list[Term]) -> datetime | None:
    """When cover for the use runs out, following licences that continue one another
    without a gap (a renewal starting the day after the old term ends)."""
    if any(t.ends_on is None for t in in_force):
        return None
    last = max(t.ends_on for t in in_force if t.ends_on)
    while True:
        following = [
            t
            for t in for_use
            if t.starts_on <= last + timedelta(days=1) and (t.ends_on is None or t.ends_on > last)
        ]
        if not following:
            return end_of(last)
        if any(t.ends_on is None for t in following):
            return None
        last = max(t.ends_on for t in following if t.ends_on)


def _licence(
    terms: Iterable[Term], use_type_id: int, now: datetime
) -> tuple[str | None, datetime | None]:
    today = now.astimezone(UTC).date()
    terms = list(terms)
    if not terms:
        return Reason.NO_LICENCE, None
    for_use = [t for t in terms if use_type_id in t.use_type_ids]
    in_force = [
        t for t in for_use if t.starts_on <= today and (t.ends_on is None or today <= t.ends_on)
    ]
    if in_force:
        return None, _coverage_end(in_force, for_use)
    if not for_use:
        return Reason.LICENCE_EXCLUDES_USE, None
    if any(t.starts_on > today for t in for_use):
        return Reason.LICENCE_NOT_STARTED, None
    return Reason.LICENCE_ENDED, None


def licence_covers(terms: Iterable[Term], use_type_id: int, now: datetime) -> bool:
    """Whether some licence in force today covers the use."""
    return _licence(terms, use_type_id, now)[0] is None


def _side(
    side: str, answer: SideAnswer | None, now: datetime
) -> tuple[str | None, datetime | None]:
    undecided, denied, expired = SIDE_REASONS[Side(side)]
    if answer is None:
        return undecided, None
    if answer.answer != Answer.GRANTED:
        return denied, None
    if answer.expires_at is not None and answer.expires_at <= now:
        return expired, None
    return None, answer.expires_at


def evaluate(
    *,
    product_status: str,
    requested: bool,
    terms: Iterable[Term],
    use_type_id: int,
    artist: SideAnswer | None,
    rights_holder: SideAnswer | None,
    now: datetime,
    live: bool = True,
    disputed: bool = False,
    policies: Iterable[Cap] = (),
    product_id: int = 0,
    release_date: date | None = None,
    honoured: frozenset[str] = frozenset(),
    material_version: int = 1,
) -> Verdict:
    """Permitted iff both sides granted (unexpired), a licence covers the use today, the
    product is active and requests the use, the work is live (not withdrawn by its
    label, not `disputed`), none of the label's `policies` in force applies to it, the product can
    honour (`honoured`, codes) every condition either side's yes carries, and each yes
    covers the product's `material_version` (given for it, or for later versions too).
    Every failed requirement is named; a permitted use carries both sides' conditions."""
    reasons: list[str] = []
    lapses: list[datetime] = []
    if product_status != Product.Status.ACTIVE:
        reasons.append(PRODUCT_REASONS[Product.Status(product_status)])
    if not requested:
        reasons.append(Reason.USE_NOT_REQUESTED)
    if not live:
        reasons.append(Reason.WORK_WITHDRAWN)
    if disputed:
        reasons.append(Reason.WORK_DISPUTED)
    policy = next(
        (
            cap
            for cap in policies
            if cap.applies(
                product_id=product_id, use_type_id=use_type_id, release_date=release_date
            )
        ),
        None,
    )
    if policy is not None:
        reasons.append(Reason.LABEL_POLICY)
    for reason, lapse in (
        _licence(terms, use_type_id, now),
        _side(Side.ARTIST, artist, now),
        _side(Side.RIGHTS_HOLDER, rights_holder, now),
    ):
        if reason:
            reasons.append(reason)
        if lapse:
            lapses.append(lapse)
    given = [a.conditions for a in (artist, rights_holder) if a and a.answer == Answer.GRANTED]
    unsupported = tuple(sorted({c.code for conditions in given for c in conditions} - honoured))
    if unsupported:
        reasons.append(Reason.CONDITION_NOT_SUPPORTED)
    together = combined(
        artist.conditions if artist else (), rights_holder.conditions if rights_holder else ()
    )
    if together is None:
        reasons.append(Reason.TERRITORIES_DISJOINT)
    if any(
        not a.later_versions and a.for_version < material_version
        for a in (artist, rights_holder)
        if a is not None
        and a.answer == Answer.GRANTED
        and (a.expires_at is None or a.expires_at > now)
    ):
        reasons.append(Reason.RECONSENT_NEEDED)
    if reasons:
        return Verdict(
            False, tuple(str(r) for r in reasons), policy=policy, unsupported=unsupported
        )
    return Verdict(True, (), min(lapses) if lapses else None, conditions=together or ())
