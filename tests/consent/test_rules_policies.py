"""The rule's label policies: a policy in force caps every answer for the (work, product,
use) it matches, and only those. The oracle states each condition on its own."""

import itertools
from datetime import UTC, date, datetime

import pytest

from portal.consent.rules import Cap, Reason, SideAnswer, Term, Verdict, evaluate
from portal.licensing.models import Product

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
USE, OTHER_USE = 1, 2
PRODUCT, OTHER_PRODUCT = 10, 11
CUTOFF = date(2020, 1, 1)
YES = SideAnswer("granted", None)


def judge(
    policies: list[Cap],
    *,
    use: int = USE,
    product: int = PRODUCT,
    released: date | None = None,
    **kw: object,
) -> Verdict:
    args: dict[str, object] = {
        "product_status": Product.Status.ACTIVE,
        "requested": True,
        "terms": [Term(date(2025, 1, 1), None, frozenset({USE, OTHER_USE}))],
        "artist": YES,
        "rights_holder": YES,
        **kw,
    }
    return evaluate(
        use_type_id=use,
        now=NOW,
        policies=policies,
        product_id=product,
        release_date=released,
        **args,  # type: ignore[arg-type]
    )


USES = [None, USE, OTHER_USE]
PRODUCTS = [None, PRODUCT, OTHER_PRODUCT]
DATES = [None, CUTOFF]
RELEASED = [date(2019, 12, 31), CUTOFF, date(2024, 5, 1), None]


def applies(cap: Cap, use: int, product: int, released: date | None) -> bool:
    """The brief's words: never for that use, never for that product, only for works
    released before the date (a work without a date is not shown to be older)."""
    use_matches = cap.use_type_id in (None, use)
    product_matches = cap.product_id in (None, product)
    if cap.released_before is None or released is None:
        date_matches = True
    else:
        date_matches = released >= cap.released_before
    return use_matches and product_matches and date_matches


CAPS = [
    Cap(u, p, d)
    for u, p, d in itertools.product(USES, PRODUCTS, DATES)
    if (u, p, d) != (None, None, None)
]


@pytest.mark.parametrize("cap", CAPS, ids=str)
def test_a_policy_caps_exactly_what_it_matches(cap: Cap) -> None:
    for use, product, released in itertools.product(
        [USE, OTHER_USE], [PRODUCT, OTHER_PRODUCT], RELEASED
    ):
        verdict = judge([cap], use=use, product=product, released=released)
        where = f"use {use} / product {product} / released {released}"
        if applies(cap, use, product, released):
            assert not verdict.permitted, where
            assert verdict.reasons == (Reason.LABEL_POLICY,), where
            assert verdict.policy == cap, where
        else:
            assert verdict.permitted, where
            assert verdict.policy is None, where


def test_no_policy_changes_nothing() -> None:
    assert judge([]).permitted


def test_a_policy_is_named_beside_the_other_failures_after_a_withdrawal() -> None:
    verdict = judge(
        [Cap(use_type_id=USE)],
        product_status=Product.Status.SUSPENDED,
        live=False,
        artist=None,
    )

    assert verdict.reasons == (
        Reason.PRODUCT_SUSPENDED,
        Reason.WORK_WITHDRAWN,
        Reason.LABEL_POLICY,
        Reason.ARTIST_UNDECIDED,
    )


def test_the_first_policy_that_applies_is_the_one_named_and_the_reason_is_said_once() -> None:
    first, second = Cap(product_id=PRODUCT), Cap(use_type_id=USE)

    verdict = judge([Cap(use_type_id=OTHER_USE), first, second])

    assert verdict.reasons == (Reason.LABEL_POLICY,)
    assert verdict.policy == first


def test_the_reason_value_is_public() -> None:
    assert Reason.LABEL_POLICY.value == "label_policy"
    assert Reason.LABEL_POLICY.label == "the label does not allow this use"
