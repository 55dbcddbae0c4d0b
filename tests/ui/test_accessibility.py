"""Every main page, checked by axe-core as the person who uses it sees it, on a desk
(1280 x 900) and on a phone (390 x 844): nothing "serious" or "critical", and on the
phone nothing wider than the screen.

A failure lists each page, the rule and the elements that break it, all at once, so one
run shows everything to fix.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from portal.consent.models import Delegation
from portal.consent.services import policy_add, policy_lift
from tests.a11y import (
    DESKTOP,
    PHONE,
    axe_report,
    axe_serious,
    lived_in,
    page_width,
    sign_in,
    sign_in_as,
)
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World
from tests.mfa import totp_enable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class Screen:
    name: str
    url: str
    then: Callable[[Page], None] | None = None  # to reach a page no address shows (a POST)


def settle(page: Page) -> None:
    """Two frames: layout and the resize observers (static/js/portal.js) have run."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def check(page: Page, base_url: str, screens: list[Screen]) -> list[str]:
    """Each screen at desk and phone size; what is wrong, in words."""
    problems: list[str] = []
    for screen in screens:
        page.set_viewport_size(DESKTOP)
        response = page.goto(f"{base_url}{screen.url}")
        assert response is not None and response.ok, f"{screen.name}: {screen.url} failed"
        if screen.then:
            screen.then(page)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        for size, where in ((DESKTOP, "desk"), (PHONE, "phone")):
            page.set_viewport_size(size)
            settle(page)
            if found := axe_serious(page):
                problems.append(axe_report(f"{screen.name} ({where}, {screen.url})", found))
        if (width := page_width(page)) > PHONE["width"]:
            problems.append(f"{screen.name} ({screen.url}) is {width}px wide on a 390px phone")
    return problems


def test_the_artists_pages_pass_axe_on_a_desk_and_on_a_phone(
    world: World, live_server, page: Page
) -> None:
    lived_in(world)
    artist = world.artist.pk
    matrix = reverse("matrix", args=["artists", artist, "tunesmith"])

    def preview_a_bulk_grant(page: Page) -> None:
        bulk = page.locator("#bulk-form")
        bulk.get_by_label("Use", exact=True).select_option(label="Training")
        bulk.get_by_role("button", name="Grant…").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Grant training")

    sign_in_as(page, world.artist_user, live_server.url)
    problems = check(
        page,
        live_server.url,
        [
            Screen("artist home", reverse("artist_home", args=[artist])),
            Screen("matrix", matrix),
            Screen("bulk preview", matrix, then=preview_a_bulk_grant),
            Screen("work history", reverse("work_history", args=[world.works[0].pk])),
            Screen("activity", reverse("artist_activity", args=[artist])),
            Screen("delegation", reverse("artist_delegation", args=[artist])),
            Screen("team", reverse("team", args=[artist])),
            Screen("stop everything", reverse("stop_everything", args=[artist])),
            Screen(
                "yes with conditions",
                reverse("conditions", args=["artists", artist, "tunesmith", world.works[0].pk])
                + "?use=training",
            ),
            Screen(
                "conditions for every yes",
                reverse("product_conditions", args=["artists", artist, "tunesmith"]),
            ),
            Screen("notifications", reverse("notifications")),
            Screen("earnings", reverse("artist_earnings", args=[artist])),
            Screen("earning lines", reverse("artist_earning_lines", args=[artist])),
            Screen("credits", reverse("artist_credits", args=[artist])),
            Screen("statements", reverse("artist_statements", args=[artist])),
            Screen("statement", reverse("artist_statement", args=[artist, "2026-10"])),
        ],
    )
    assert not problems, "\n\n".join(problems)


def test_the_label_pages_pass_axe_on_a_desk_and_on_a_phone(
    world: World, live_server, page: Page
) -> None:
    lived_in(world)
    label = world.label.pk
    delegation = Delegation.objects.get(artist=world.artist, revoked_at__isnull=True)
    # The policies page with one policy in force and one lifted.
    lifted = policy_add(actor=world.manager, label=world.label, use_type=world.style).policy
    policy_lift(actor=world.manager, policy=lifted)
    policy_add(actor=world.manager, label=world.label, use_type=world.lyrics)

    sign_in_as(page, world.manager, live_server.url)
    problems = check(
        page,
        live_server.url,
        [
            Screen("label home", reverse("label_home", args=[label])),
            Screen("label roster", reverse("label_roster", args=[label])),
            Screen("label matrix", reverse("matrix", args=["labels", label, "tunesmith"])),
            Screen(
                "delegated matrix",
                reverse("matrix", args=["delegations", delegation.pk, "tunesmith"]),
            ),
            Screen("label earnings", reverse("label_earnings", args=[label])),
            Screen("usage flags", reverse("label_usage_flags", args=[label])),
            Screen("label statements", reverse("label_statements", args=[label])),
            Screen("label statement", reverse("label_statement", args=[label, "2026-10"])),
            Screen("label policies", reverse("label_policies", args=[label])),
        ],
    )
    assert not problems, "\n\n".join(problems)


def test_signing_in_and_the_api_guide_pass_axe_on_a_desk_and_on_a_phone(
    world: World, live_server, page: Page
) -> None:
    problems = check(
        page,
        live_server.url,
        [
            Screen("sign in", reverse("account_login")),
            Screen("API guide", reverse("api_index")),
        ],
    )
    # Half-way through signing in: the page that asks for the authenticator's code.
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=world.manager).delete()
    totp_enable(world.manager)
    sign_in(page, live_server.url, world.manager.email)
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/authenticate/")
    problems += check(
        page, live_server.url, [Screen("two-factor sign in", page.url[len(live_server.url) :])]
    )
    assert not problems, "\n\n".join(problems)
