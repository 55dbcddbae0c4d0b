"""Helpers for the browser journeys and the accessibility checks.

- signing in: through the form, as a person does (`sign_in`), or with a session cookie
  where signing in is not what the test is about (`sign_in_as`);
- keyboard: `tab_to` presses Tab until a control has the focus, as someone without a
  mouse does;
- axe-core: `axe_serious` runs it on the page as it is now and keeps what blocks people
  (impact "serious" or "critical"); `axe_report` says it in words;
- `lived_in`: a catalogue with a history, so every page has something on it to check
  (an empty page passes an accessibility check trivially).
"""

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import time_machine
from axe_playwright_python.base import AXE_SCRIPT
from django.test import Client
from playwright.sync_api import Locator, Page

from portal.accounts.models import User
from portal.catalogue.models import ArtistMembership, Credit, Work
from portal.consent.models import Answer, Side
from portal.consent.services import delegation_grant, product_requests_notify
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import usage_report_parse
from portal.licensing.models import Licence, Product
from portal.teams.services import invitation_create
from tests import factories as f
from tests.conftest import World, say
from tests.mfa import totp_code

PASSWORD = "correct horse battery"  # every factory-made user's
SERIOUS = ("serious", "critical")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


# --- signing in ---------------------------------------------------------------------------
def sign_in(page: Page, base_url: str, email: str, secret: str | None = None) -> None:
    """Through the sign-in form; with `secret`, the authenticator code too."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if secret is not None:
        page.get_by_label("Code").fill(totp_code(secret, valid_for=4))
        page.get_by_role("button", name="Sign In").click()


def sign_in_as(page: Page, user: User, base_url: str) -> None:
    """A session cookie for `user` (managers and staff must have two-factor set up)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


# --- keyboard -----------------------------------------------------------------------------
def has_focus(target: Locator) -> bool:
    return bool(target.evaluate("element => element === document.activeElement"))


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 60) -> int:
    """Press Tab (Shift+Tab) until `target` has the focus; the number of presses.

    Fails after `limit` presses: a control that Tab never reaches is out of reach for
    anyone without a mouse.
    """
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if has_focus(target):
            return presses
    raise AssertionError(f"{limit} presses of {key} never reached {target}")


# --- axe-core -----------------------------------------------------------------------------
def axe_serious(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now, those that block people.

    axe is injected once per document (the page's CSP does not stop a script the
    browser's automation adds) and run with its default rules: WCAG 2.x A and AA and
    best practices.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in SERIOUS]


def axe_report(where: str, violations: list[dict[str, Any]]) -> str:
    """The violations in words: the rule, what it asks, and each element that broke it."""
    lines = []
    for violation in violations:
        lines.append(
            f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:5]:
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            why = "; ".join(check["message"] for check in checks[:2])
            lines.append(f"    {' '.join(map(str, node['target']))}: {why}")
            lines.append(f"        {node['html'][:160]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


def page_width(page: Page) -> int:
    """How wide the page is: more than the viewport means it scrolls sideways."""
    return int(page.evaluate("document.documentElement.scrollWidth"))


NARROW = {"width": 360, "height": 740}


def checked(page: Page, name: str) -> list[str]:
    """What axe finds serious on the page at 360 px and on a desk, and whether it scrolls
    sideways on the phone; a screenshot of each when the screenshots folder exists."""
    problems = []
    for size in (NARROW, DESKTOP):
        page.set_viewport_size(size)
        if found := axe_serious(page):
            problems.append(axe_report(f"{name} at {size['width']} px", found))
        if SCREENSHOTS.exists():
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{size['width']}.png"), full_page=True)
    page.set_viewport_size(NARROW)
    if (width := page_width(page)) > NARROW["width"]:
        problems.append(f"{name} is {width}px wide on a 360px phone")
    return problems


# --- a catalogue with a history -----------------------------------------------------------
def _report(product: Product, reference: str, month: str, lines: list[dict[str, Any]]) -> None:
    last = {"09": "30", "10": "31"}[month]
    parsed = usage_report_parse(
        {
            "reference": reference,
            "period": {"start": f"2026-{month}-01", "end": f"2026-{month}-{last}"},
            "currency": "EUR",
            "lines": lines,
        }
    )
    usage_report_submit(product=product, parsed=parsed)


def _line(work: Work, use: str, units: int, gross: str, credit: str = "") -> dict[str, Any]:
    return {"isrc": work.isrc, "use": use, "units": units, "gross": gross, "credit": credit}


def stemify(world: World) -> Product:
    """A second product, asking for stems and remix under a licence with the same label."""
    stems = f.UseTypeFactory(slug="stems_remix", name="Stems and remix")
    product = f.ProductFactory(
        slug="stemify",
        name="Stemify",
        licensee__name="Stemify Audio",
        summary="Splits songs into stems so fans can remix them.",
    )
    f.ProductUseFactory(product=product, use_type=stems, purpose="Lets fans remix the stems.")
    f.LicenceFactory(
        licensee=product.licensee, label=world.label, use_types=[stems], starts_on=date(2025, 1, 1)
    )
    return product


def lived_in(world: World, *, delegated: bool = True) -> World:
    """Ada Lane's catalogue after a while: answers on both sides (so the matrix shows
    every state), a second product that has just started asking, September and October
    2026 reported by both products with credits (Stemify's use was never permitted, so
    its money is held), a team with an editor and an invitation, notifications, and
    (with `delegated`) a delegation to the label in force."""
    Licence.objects.update(starts_on=date(2025, 1, 1))
    world.product.licensee.name = "Tunesmith Labs"
    world.product.licensee.save()
    night_0, night_1, night_2 = world.works
    # Answered in January, so the use reported for the autumn was permitted throughout.
    with time_machine.travel(datetime(2026, 1, 5, 12, tzinfo=UTC)):
        for work in (night_0, night_1):
            say(world, Side.ARTIST, Answer.GRANTED, work=work)
            say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work)
        say(world, Side.ARTIST, Answer.DENIED, work=night_2, use=world.style)
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=night_0, use=world.style)
    f.CreditFactory(work=night_0, name="Ada Lane", role=Credit.Role.PERFORMER, position=0)
    f.CreditFactory(work=night_0, name="Jo Writer", role=Credit.Role.COMPOSER, position=1)
    stems = stemify(world)
    product_requests_notify(product=stems)
    _report(
        world.product,
        "TS-2026-09",
        "09",
        [_line(night_0, "training", 1000, "100.00", "Ada Lane")],
    )
    _report(
        world.product,
        "TS-2026-10",
        "10",
        [
            _line(night_0, "training", 1234, "246.90", "Ada Lane — Night Drive 0"),
            _line(night_1, "training", 200, "20.00", ""),
        ],
    )
    _report(stems, "ST-2026-10", "10", [_line(night_1, "stems_remix", 1200, "30.00", "Remix")])
    f.ArtistMembershipFactory(
        artist=world.artist,
        role=ArtistMembership.Role.EDITOR,
        user__email="ed@example.test",
        user__name="Ed Ito",
    )
    invitation_create(
        inviter=world.artist_user,
        artist=world.artist,
        email="rae@example.test",
        role="reader",
        sent_as="team_admin",
    )
    if delegated:
        delegation_grant(actor=world.artist_user, artist=world.artist)
    return world
