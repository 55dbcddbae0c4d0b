"""A label manager, in a real browser: sign in with a code from an authenticator app, or
be sent to set one up before the label's pages open."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.conftest import World
from tests.mfa import totp_code, totp_enable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_csp(page: Page) -> list[str]:
    """Collects Content-Security-Policy violations: allauth's pages must work without
    inline code, like ours."""
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    return violations


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign In").click()


def test_a_manager_signs_in_with_an_authenticator_code(
    world: World, live_server, page: Page
) -> None:
    Authenticator.objects.filter(user=world.manager).delete()
    secret = totp_enable(world.manager)
    violations = watch_csp(page)

    sign_in(page, f"{live_server.url}/", world.manager.email)

    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    page.get_by_label("Code").fill(totp_code(secret, valid_for=4))
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(f"{live_server.url}/labels/{world.label.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Northern Lights Records")
    assert violations == []


def test_a_wrong_code_keeps_the_manager_out(world: World, live_server, page: Page) -> None:
    Authenticator.objects.filter(user=world.manager).delete()
    secret = totp_enable(world.manager)
    wrong = f"{(int(totp_code(secret, valid_for=4)) + 1) % 1_000_000:06d}"

    sign_in(page, f"{live_server.url}/", world.manager.email)
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    # Still half-way through signing in: the label page sends them back for the code.
    page.goto(f"{live_server.url}/labels/{world.label.pk}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/authenticate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")


def test_a_manager_without_mfa_is_sent_to_set_it_up_and_then_reaches_the_label(
    world: World, live_server, page: Page
) -> None:
    Authenticator.objects.filter(user=world.manager).delete()
    violations = watch_csp(page)
    label_url = f"{live_server.url}/labels/{world.label.pk}/"

    sign_in(page, label_url, world.manager.email)

    # The label page sends them to set-up, saying why; allauth first asks for the
    # password again, as it does before any change to two-factor authentication.
    expect(
        page.get_by_role("status").filter(has_text="Label managers and staff must turn on")
    ).to_contain_text("two-factor authentication before they can continue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Access")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Activate Authenticator App")
    expect(page.get_by_role("img", name=re.compile(r"^[A-Z2-7]{32}$"))).to_be_visible()
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret, valid_for=4))
    page.get_by_role("button", name="Activate").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery Codes")
    codes = page.get_by_label("Unused codes").input_value().split()
    assert len(codes) == 10
    assert Authenticator.objects.filter(user=world.manager).count() == 2

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Northern Lights Records"
    ).click()
    expect(page).to_have_url(label_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Northern Lights Records")
    assert violations == []


@pytest.mark.skipif(
    "webauthn" not in settings.MFA_SUPPORTED_TYPES,
    reason="security keys are off: add 'webauthn' to MFA_SUPPORTED_TYPES",
)
def test_a_manager_adds_a_security_key_and_signs_in_with_it(
    world: World, live_server, page: Page
) -> None:
    Authenticator.objects.filter(user=world.manager).delete()
    violations = watch_csp(page)
    # Chromium's virtual authenticator stands in for a security key or a phone's passkey.
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    # WebAuthn needs a secure context: http://localhost is one, http://127.0.0.1 is not.
    base = live_server.url.replace("127.0.0.1", "localhost")
    sign_in(page, f"{base}/accounts/2fa/webauthn/add/", world.manager.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name").fill("Desk key")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery Codes")

    page.context.clear_cookies()
    sign_in(page, f"{base}/labels/{world.label.pk}/", world.manager.email)
    page.get_by_role("button", name="Use a security key").click()

    expect(page).to_have_url(f"{base}/labels/{world.label.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Northern Lights Records")
    assert violations == []
