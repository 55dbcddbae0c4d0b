"""Conditions on a yes ("yes, if it credits me"): their one canonical form, how the two
sides' conditions make the effective ones, and how a usage context breaches them.

Pure, like the rule. The vocabulary (names, explanations, which products honour which)
is data in `licensing.Condition`; what code knows of a condition is only its
parameter (`PARAMETERS`) and, in `BREACHES`, how a reported use breaks it. A new
condition is a row in admin plus, if usage can break it, one function here.

Machines read conditions as JSON, sorted by code: `[{"code": "credit_required",
"credit": "Ada Lane"}, {"code": "territories", "allow": ["GB", "IE"]}]`.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pycountry

# The parameter each code takes, if any (`licensing.Condition.Parameter`'s values).
CREDIT = "credit"
TERRITORIES = "territories"


@dataclass(frozen=True, slots=True, order=True)
class Given:
    """One condition as given with a yes: its code and its parameter, if it has one."""

    code: str
    credit: str = ""
    allow: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {"code": self.code}
        if self.credit:
            value["credit"] = self.credit
        if self.allow:
            value["allow"] = list(self.allow)
        return value


Conditions = tuple[Given, ...]


def conditions_of(value: Iterable[Mapping[str, Any]] | None) -> Conditions:
    """Stored JSON (already checked when it was given) as conditions, in canonical order."""
    if not value:
        return ()
    return tuple(
        sorted(
            Given(item["code"], item.get("credit", ""), tuple(sorted(item.get("allow", ()))))
            for item in value
        )
    )


def conditions_json(conditions: Iterable[Given]) -> list[dict[str, Any]]:
    return [given.as_json() for given in sorted(conditions)]


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def countries() -> list[tuple[str, str]]:
    """Every ISO 3166-1 country as (code, name), by name."""
    return sorted(
        ((country.alpha_2, country_name(country.alpha_2)) for country in pycountry.countries),
        key=lambda pair: pair[1],
    )


def is_country(code: str) -> bool:
    """An ISO 3166-1 alpha-2 code, upper case."""
    return len(code) == 2 and code.isupper() and pycountry.countries.get(alpha_2=code) is not None


# --- both sides together -------------------------------------------------------------------


def combined(artist: Conditions, label: Conditions) -> Conditions | None:
    """The conditions of a use both sides allowed: every condition either side set. Where
    both set the same one, the artist's credit line is the one shown and only the
    territories both allow remain. None when the two sides leave no territory at all."""
    by_code = {given.code: given for given in label}
    for given in artist:
        theirs = by_code.get(given.code)
        if theirs is not None and given.allow and theirs.allow:
            allow = tuple(sorted(set(given.allow) & set(theirs.allow)))
            if not allow:
                return None
            given = Given(given.code, given.credit or theirs.credit, allow)
        elif theirs is not None:
            given = Given(given.code, given.credit or theirs.credit, given.allow or theirs.allow)
        by_code[given.code] = given
    return tuple(sorted(by_code.values()))


# --- what a reported use did ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Breach:
    """How a reported use broke a condition, in words that finish "<product> reported N
    uses of <work> …; you allowed …"."""

    given: Given
    did: str
    allowed: str


# A usage line's context: {"commercial": bool, "advertising": bool, "political": bool,
# "territory": "GB", "credited": bool}; any of them may be missing.
Context = Mapping[str, Any]
Check = Callable[[Given, Context], tuple[str, str] | None]


def _flag(key: str, did: str, unsaid: str, allowed: str) -> Check:
    """A condition a use breaks when its context says `key` is true, or does not say."""

    def check(given: Given, context: Context) -> tuple[str, str] | None:
        value = context.get(key)
        if value is None:
            return unsaid, allowed
        return (did, allowed) if value else None

    return check


def _credited(given: Given, context: Context) -> tuple[str, str] | None:
    allowed = f"use only with the credit “{given.credit}”" if given.credit else "credited use only"
    credited = context.get("credited")
    if credited is None:
        return "without saying whether it credited you", allowed
    return None if credited else ("without credit", allowed)


def _territory(given: Given, context: Context) -> tuple[str, str] | None:
    allowed = "use only in " + ", ".join(sorted(country_name(code) for code in given.allow))
    territory = context.get("territory")
    if territory is None:
        return "without saying where", allowed
    return None if territory in given.allow else (f"in {country_name(territory)}", allowed)


BREACHES: dict[str, Check] = {
    "credit_required": _credited,
    "non_commercial": _flag(
        "commercial",
        "in commercial use",
        "without saying whether the use was commercial",
        "non-commercial use only",
    ),
    "no_advertising": _flag(
        "advertising",
        "in advertising",
        "without saying whether it was advertising",
        "no use in advertising",
    ),
    "no_political": _flag(
        "political",
        "in political content",
        "without saying whether it was political",
        "no political use",
    ),
    "territories": _territory,
}


def breach_of(conditions: Iterable[Given], context: Context | None) -> Breach | None:
    """The first condition (by code) that a use with this context breaks, or lacks the
    context to show it kept; None when it kept them all. A condition with no check
    here is one usage cannot break."""
    for given in sorted(conditions):
        check = BREACHES.get(given.code)
        if check is not None and (words := check(given, context or {})) is not None:
            return Breach(given, *words)
    return None
