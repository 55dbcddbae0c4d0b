"""What people read: the effective permission in words, from the viewer's side, a
delegation's reach, a label policy's and a yes's conditions."""

from collections.abc import Iterable, Mapping
from datetime import date

from portal.catalogue.models import Work
from portal.consent.conditions import TERRITORIES, Given, country_name
from portal.consent.models import Delegation, LabelPolicy, Side
from portal.consent.rules import Cap, Reason, Verdict
from portal.licensing.models import Condition, Product, UseType
from portal.words import day_words, until_words

# A condition's name by its code, from the vocabulary: what the words call it.
Names = Mapping[str, str]


def condition_names() -> dict[str, str]:
    """The vocabulary's names by code (one query), for `conditions_words`."""
    return dict(Condition.objects.values_list("code", "name"))


def condition_words(given: Given, names: Names) -> str:
    """One condition as people read it: "credit as “Ada Lane”", "non-commercial only",
    "only in Ireland, United Kingdom"."""
    if given.credit:
        return f"credit as “{given.credit}”"
    if given.allow or given.code == TERRITORIES:
        return "only in " + ", ".join(sorted(country_name(code) for code in given.allow))
    name = names.get(given.code, given.code.replace("_", " "))
    return name[:1].lower() + name[1:]


def conditions_words(conditions: Iterable[Given], names: Names) -> str:
    """Conditions as a list people read; empty for none."""
    return ", ".join(condition_words(given, names) for given in conditions)


def unsupported_words(codes: Iterable[str], names: Names, product: Product) -> str:
    """What a product cannot honour: "Stemify cannot honour “Credit” or “Only in some
    countries”"."""
    quoted = [f"“{names.get(code, code)}”" for code in codes]
    return f"{product.name} cannot honour " + " or ".join(quoted)


PRODUCT_OR_LICENCE = {
    Reason.PRODUCT_NOT_LAUNCHED: "{product} has not launched",
    Reason.PRODUCT_SUSPENDED: "{product} is suspended",
    Reason.PRODUCT_RETIRED: "{product} is retired",
    Reason.USE_NOT_REQUESTED: "{product} does not ask for this use",
    Reason.NO_LICENCE: "no licence with {label}",
    Reason.LICENCE_NOT_STARTED: "the licence has not started",
    Reason.LICENCE_ENDED: "the licence has ended",
    Reason.LICENCE_EXCLUDES_USE: "the licence does not cover this use",
}


OWN = {
    "undecided": "Waiting for you",
    "denied": "Not permitted: you said no",
    "expired": "Not permitted: your yes has expired",
}


OWN_DELEGATED = {
    "undecided": "Waiting for an answer",
    "denied": "Not permitted: said no",
    "expired": "Not permitted: the yes has expired",
}


OTHER = {
    "undecided": "Waiting for {other}",
    "denied": "Not permitted: {other} said no",
    "expired": "Not permitted: {other}'s yes has expired",
}


def policy_day(day: date) -> str:
    """A policy's date as people set it: a year when it is the year's first day."""
    if (day.month, day.day) == (1, 1):
        return str(day.year)
    return day_words(day)


def policy_words(cap: Cap, *, undated: bool = False) -> str:
    """What a policy does not allow, after "does not allow": "voice likeness",
    "training for Tunesmith", "any use for works released from 2020". `undated`: said of
    a work without a release date, which a date policy caps too (opt-in: nobody can show
    it is older)."""
    words = cap.use_name.lower() if cap.use_type_id else "any use"
    if cap.product_id:
        words += f" for {cap.product_name}"
    if cap.released_before:
        words += f" for works released from {policy_day(cap.released_before)}"
        if undated:
            words += " or without a release date"
    return words


def policy_cap(policy: LabelPolicy) -> Cap:
    """A policy as the rule reads it (its use type and product fetched already)."""
    return Cap(
        use_type_id=policy.use_type_id,
        product_id=policy.product_id,
        released_before=policy.released_before,
        use_name=policy.use_type.name if policy.use_type else "",
        product_name=policy.product.name if policy.product else "",
    )


def explain(
    verdict: Verdict,
    *,
    side: str,
    product: Product,
    work: Work,
    label_name: str,
    delegated: bool = False,
    names: Names | None = None,
) -> str:
    """The effective permission in words, from the viewer's side. The most useful reason first:
    what overrides everything (product, licence), then what the viewer can do, then the other side.
    `names`: the vocabulary's, where a yes has conditions.
    """
    names = names or {}
    if verdict.permitted:
        words = "Permitted"
        if verdict.lapses_at:
            words += f" until {until_words(verdict.lapses_at)}"
        if verdict.conditions:
            words += ": " + conditions_words(verdict.conditions, names)
        return words
    if Reason.WORK_WITHDRAWN in verdict.reasons:
        # Above everything: no answer can make a withdrawn recording permitted.
        return f"Not permitted: {label_name} withdrew the recording"
    if Reason.WORK_DISPUTED in verdict.reasons:
        # As high: no answer counts while someone says the recording is wrong.
        return "Not permitted: this recording is under dispute"
    if verdict.policy is not None:
        # A standing policy of the label caps every answer, so it comes before them.
        words = policy_words(verdict.policy, undated=work.release_date is None)
        return f"Not permitted: {label_name} does not allow {words}"
    for reason in verdict.reasons:
        if reason in PRODUCT_OR_LICENCE:
            return "Not permitted: " + PRODUCT_OR_LICENCE[Reason(reason)].format(
                product=product.name, label=label_name
            )
    if verdict.unsupported:
        # The product can never permit it, whatever the other side says.
        return "Not permitted: " + unsupported_words(verdict.unsupported, names, product)
    if Reason.RECONSENT_NEEDED in verdict.reasons and not any(
        r.endswith(("_undecided", "_denied", "_expired")) for r in verdict.reasons
    ):
        # Both said yes, one of them for an earlier version only: what to do is keep it.
        return (
            f"Not permitted: {product.name} changed what it does; a yes was for the earlier version"
        )
    if Reason.TERRITORIES_DISJOINT in verdict.reasons:
        return "Not permitted: the artist and the label allow no country in common"
    own, other = ("artist", "rights_holder") if side == Side.ARTIST else ("rights_holder", "artist")
    other_name = label_name if side == Side.ARTIST else work.primary_artist.name
    for prefix, wording in ((own, OWN_DELEGATED if delegated else OWN), (other, OTHER)):
        for reason in verdict.reasons:
            if reason.startswith(prefix + "_"):
                return wording[reason.removeprefix(prefix + "_")].format(other=other_name)
    return "Not permitted"


def delegation_scope(delegation: Delegation) -> str:
    """The delegation's reach in words: "all products and uses", "Tunesmith: training"."""
    products = ", ".join(p.name for p in delegation.products.all()) or "all products"
    uses = ", ".join(u.name.lower() for u in delegation.use_types.all()) or "all uses"
    return f"{products}; {uses}"


def scope_words(products: Iterable[Product], use_types: Iterable[UseType]) -> str:
    """What a delegation about to be given covers, spelt out for its confirmation:
    "every AI product, including those that ask in the future, for training"."""
    named = [p.name for p in products]
    uses = [u.name.lower() for u in use_types]
    which = (
        " and ".join(named) if named else "every AI product, including those that ask in the future"
    )
    what = " and ".join(uses) if uses else "every use, including uses added in the future"
    return f"{which}, for {what}"
