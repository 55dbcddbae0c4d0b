"""The rule's new dimension: the conditions each side's yes carries and those the product
can honour. The oracle below is the issue's definition, written out on its own."""

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from portal.consent.conditions import Given, breach_of, combined
from portal.consent.rules import Reason, SideAnswer, Term, evaluate
from portal.licensing.models import Product

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
USE = 1
CODES = ["credit_required", "no_advertising", "non_commercial", "territories"]
COUNTRIES = ["FR", "GB", "IE"]


def judge(
    artist: SideAnswer | None, label: SideAnswer | None, honoured: frozenset[str]
) -> tuple[bool, tuple[str, ...], tuple[Given, ...]]:
    verdict = evaluate(
        product_status=Product.Status.ACTIVE,
        requested=True,
        terms=[Term(date(2026, 1, 1), None, frozenset({USE}))],
        use_type_id=USE,
        artist=artist,
        rights_holder=label,
        now=NOW,
        honoured=honoured,
    )
    return verdict.permitted, verdict.reasons, verdict.conditions


def yes(*conditions: Given) -> SideAnswer:
    return SideAnswer("granted", None, tuple(sorted(conditions)))


CREDIT = Given("credit_required", "Ada Lane")
ALL = frozenset(CODES)


def test_a_bare_yes_on_both_sides_is_permitted_without_conditions() -> None:
    assert judge(yes(), yes(), frozenset()) == (True, (), ())


def test_a_credit_the_product_honours_is_carried_with_the_permission() -> None:
    assert judge(yes(CREDIT), yes(), frozenset({"credit_required"})) == (True, (), (CREDIT,))


def test_a_condition_the_product_cannot_honour_permits_nothing_and_is_named() -> None:
    permitted, reasons, conditions = judge(yes(CREDIT), yes(), frozenset({"non_commercial"}))
    assert (permitted, reasons, conditions) == (False, (Reason.CONDITION_NOT_SUPPORTED,), ())


def test_an_unsupported_condition_is_named_beside_the_other_sides_no() -> None:
    no = SideAnswer("denied", None)
    assert judge(yes(CREDIT), no, frozenset())[1] == (
        Reason.RIGHTS_HOLDER_DENIED,
        Reason.CONDITION_NOT_SUPPORTED,
    )


def test_both_sides_territories_leave_those_both_allow() -> None:
    artist = yes(Given("territories", allow=("GB", "IE")))
    label = yes(Given("territories", allow=("FR", "IE")))
    assert judge(artist, label, ALL) == (True, (), (Given("territories", allow=("IE",)),))


def test_territories_with_no_country_in_common_permit_nothing() -> None:
    artist = yes(Given("territories", allow=("GB",)))
    label = yes(Given("territories", allow=("FR",)))
    assert judge(artist, label, ALL)[:2] == (False, (Reason.TERRITORIES_DISJOINT,))


def test_the_artists_credit_line_is_the_one_shown_when_both_ask_for_credit() -> None:
    label = yes(Given("credit_required", "Northern Lights"))
    assert judge(yes(CREDIT), label, ALL)[2] == (CREDIT,)


conditions = st.lists(st.sampled_from(CODES), unique=True, max_size=len(CODES)).flatmap(
    lambda codes: st.tuples(
        *[
            st.just(Given(code, "Ada Lane"))
            if code == "credit_required"
            else st.lists(st.sampled_from(COUNTRIES), min_size=1, unique=True).map(
                lambda allow: Given("territories", allow=tuple(sorted(allow)))
            )
            if code == "territories"
            else st.just(Given(code))
            for code in codes
        ]
    )
)
answers = st.one_of(
    st.none(),
    st.just(SideAnswer("denied", None)),
    conditions.map(lambda given: yes(*given)),
)


@given(answers, answers, st.frozensets(st.sampled_from(CODES)))
def test_the_rule_agrees_with_the_definition_for_any_conditions(
    artist: SideAnswer | None, label: SideAnswer | None, honoured: frozenset[str]
) -> None:
    permitted, reasons, effective = judge(artist, label, honoured)
    said_yes = [a for a in (artist, label) if a is not None and a.answer == "granted"]
    codes = {g.code for a in said_yes for g in a.conditions}
    assert (Reason.CONDITION_NOT_SUPPORTED in reasons) == bool(codes - honoured)
    both_yes = len(said_yes) == 2
    territories = [set(g.allow) for a in said_yes for g in a.conditions if g.allow]
    disjoint = len(territories) == 2 and not territories[0] & territories[1]
    assert permitted == (both_yes and not codes - honoured and not disjoint)
    if not permitted:
        assert effective == ()
        return
    assert {g.code for g in effective} == codes
    for given_ in effective:
        if given_.allow:
            assert set(given_.allow) == set.intersection(*territories)


def test_combined_is_none_only_for_disjoint_territories() -> None:
    assert combined((CREDIT,), ()) == (CREDIT,)
    assert (
        combined((Given("territories", allow=("GB",)),), (Given("territories", allow=("FR",)),))
        is None
    )


def test_a_use_in_advertising_breaches_no_advertising() -> None:
    breach = breach_of([Given("no_advertising")], {"advertising": True})
    assert breach is not None
    assert (breach.given.code, breach.did, breach.allowed) == (
        "no_advertising",
        "in advertising",
        "no use in advertising",
    )


def test_a_use_that_does_not_say_whether_it_was_commercial_breaches_non_commercial() -> None:
    breach = breach_of([Given("non_commercial")], {"advertising": False})
    assert breach is not None and breach.did == "without saying whether the use was commercial"


def test_a_use_that_kept_every_condition_breaches_none() -> None:
    given = [CREDIT, Given("non_commercial"), Given("territories", allow=("GB", "IE"))]
    context = {"credited": True, "commercial": False, "territory": "IE"}
    assert breach_of(given, context) is None


def test_a_use_outside_the_territories_names_the_country_and_those_allowed() -> None:
    breach = breach_of([Given("territories", allow=("GB", "IE"))], {"territory": "FR"})
    assert breach is not None
    assert (breach.did, breach.allowed) == ("in France", "use only in Ireland, United Kingdom")


def test_a_condition_without_a_check_is_never_breached_by_usage() -> None:
    assert breach_of([Given("a_later_condition")], {}) is None
