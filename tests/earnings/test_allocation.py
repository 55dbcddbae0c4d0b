"""The split of a reported amount: exact to the cent, fair to a cent, always the same."""

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from portal.earnings.allocation import Shares, split

CENT = Decimal("0.01")


@st.composite
def shares(draw: st.DrawFn) -> Shares:
    """Three percentages with two decimals that add up to 100."""
    a = draw(st.integers(0, 10_000))
    b = draw(st.integers(0, 10_000 - a))
    return Shares(Decimal(a) / 100, Decimal(b) / 100, Decimal(10_000 - a - b) / 100)


amounts = st.integers(0, 10**14 - 1).map(lambda cents: Decimal(cents) / 100)


@given(gross=amounts, terms=shares())
@example(gross=Decimal("0.01"), terms=Shares(Decimal("33.33"), Decimal("33.33"), Decimal("33.34")))
@example(gross=Decimal("0.02"), terms=Shares(Decimal(50), Decimal(50), Decimal(0)))
@example(
    gross=Decimal("999999999999.99"), terms=Shares(Decimal("0.01"), Decimal(0), Decimal("99.99"))
)
def test_the_parts_add_up_to_the_gross_and_each_is_within_a_cent_of_its_share(gross, terms):
    parts = split(gross, terms)
    assert parts.artist + parts.label + parts.platform == gross
    for part, percent in zip(
        (parts.artist, parts.label, parts.platform), terms.as_tuple(), strict=True
    ):
        assert part == part.quantize(CENT)
        assert part >= 0
        assert abs(part - gross * percent / 100) < CENT


@given(gross=amounts, terms=shares())
def test_splitting_again_gives_the_same_parts(gross, terms):
    assert split(gross, terms) == split(Decimal(str(gross)), terms)


@given(gross=amounts, terms=shares())
def test_a_party_with_a_larger_share_never_gets_less(gross, terms):
    parts = split(gross, terms)
    pairs = list(zip(terms.as_tuple(), (parts.artist, parts.label, parts.platform), strict=True))
    for share_a, part_a in pairs:
        for share_b, part_b in pairs:
            if share_a > share_b:
                assert part_a >= part_b


@given(units=st.integers(0, 10**12), terms=shares())
def test_currencies_without_minor_units_split_in_whole_units(units, terms):
    parts = split(Decimal(units), terms, places=0)
    assert parts.artist + parts.label + parts.platform == units
    assert all(
        part == part.to_integral_value() for part in (parts.artist, parts.label, parts.platform)
    )


def test_a_cent_left_over_goes_to_the_largest_loss_and_ties_to_the_artist():
    # 0.01 at 50/50/0: both lose half a cent; the artist comes first.
    assert split(Decimal("0.01"), Shares(Decimal(50), Decimal(50), Decimal(0))).artist == CENT
    # 0.10 at 33.33/33.33/33.34: exact 0.033333, 0.033333, 0.033334; floors 0.03 each;
    # one cent left, to the platform's larger loss.
    parts = split(Decimal("0.10"), Shares(Decimal("33.33"), Decimal("33.33"), Decimal("33.34")))
    assert (parts.artist, parts.label, parts.platform) == (
        Decimal("0.03"),
        Decimal("0.03"),
        Decimal("0.04"),
    )


@pytest.mark.parametrize(
    ("gross", "terms"),
    [
        (Decimal("1.005"), Shares(Decimal(50), Decimal(30), Decimal(20))),
        (Decimal("-1.00"), Shares(Decimal(50), Decimal(30), Decimal(20))),
    ],
)
def test_amounts_that_are_not_whole_cents_are_refused(gross, terms):
    with pytest.raises(ValueError, match="not a non-negative amount"):
        split(gross, terms)


def test_shares_that_do_not_add_up_to_100_are_refused():
    with pytest.raises(ValueError, match="add up to 100"):
        Shares(Decimal(50), Decimal(30), Decimal(30))
