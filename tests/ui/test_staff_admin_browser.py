"""Platform staff, in a real browser, in the operations admin: sign in with a code, add an
AI product and the licence it needs (with a use's own revenue shares), issue an API key
(shown once) and see it work, suspend the product and see the API say no at once, and
replay a webhook delivery."""

import re
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Locator, Page, expect

from portal.consent.models import Answer, Side
from portal.delivery.models import Delivery
from portal.delivery.services import deliveries_send_due, endpoint_create
from portal.licensing.models import Licence, LicenceShare, Product
from portal.notifications.models import Notification
from tests.conftest import World, say
from tests.mfa import totp_code, totp_enable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def autocomplete(page: Page, field: str, text: str) -> None:
    """Choose `text` in an admin autocomplete (select2) field: open it, type, pick."""
    page.locator(f"#id_{field} + .select2").click()
    page.locator(".select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).click()


def messages(page: Page) -> Locator:
    return page.locator("ul.messagelist")


def run_action(page: Page, link: str, action: str) -> None:
    """Tick the change list's row whose link says `link` and run an action on it."""
    row = page.locator("#result_list tbody tr").filter(
        has=page.get_by_role("link", name=link, exact=True)
    )
    row.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label=action)
    page.get_by_role("button", name="Go").click()


def test_staff_add_a_product_and_its_licence_issue_a_key_suspend_and_replay(
    world: World, live_server, page: Page
) -> None:
    base = live_server.url
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    licensee = world.product.licensee
    licensee.name = "Tunesmith Labs"
    licensee.save()
    night_0 = world.works[0]
    # A delivery to replay: Tunesmith's endpoint is down when a permission flips.
    endpoint_create(product=world.product, url="http://127.0.0.1:9/consent-hook")
    say(world, Side.ARTIST, Answer.GRANTED, work=night_0)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=night_0)
    deliveries_send_due(product_id=world.product.pk)
    failed = Delivery.objects.get()
    Authenticator.objects.filter(user=world.staff).delete()
    secret = totp_enable(world.staff)

    # Admin sends staff through the portal's sign-in, with its second factor.
    page.goto(f"{base}/admin/")
    page.get_by_label("Email").fill("ops@example.test")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill(totp_code(secret, valid_for=4))
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{base}/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    # A new product, asking for lyrics.
    page.goto(f"{base}/admin/licensing/product/add/")
    autocomplete(page, "licensee", "Tunesmith Labs")
    page.get_by_label("Name:").press_sequentially("Lyricly")
    expect(page.get_by_label("Slug:")).to_have_value("lyricly")  # filled in from the name
    page.get_by_label("Summary:").fill("Suggests lyrics in the style of licensed songs.")
    page.get_by_label("Status:").select_option(label="Active")
    page.get_by_role("button", name=re.compile("Add another Product use")).click()
    page.locator("#id_uses-0-use_type").select_option(label="Lyrics")
    page.locator("#id_uses-0-purpose").fill("Learns how lyrics are written.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(messages(page)).to_contain_text("Lyricly")
    expect(messages(page)).to_contain_text("was added successfully")
    lyricly = Product.objects.get(slug="lyricly")
    assert (lyricly.status, [u.use_type.slug for u in lyricly.uses.all()]) == (
        Product.Status.ACTIVE,
        ["lyrics"],
    )

    # The licence that lets it ask Northern Lights' artists, with lyrics' own shares.
    page.goto(f"{base}/admin/licensing/licence/add/")
    autocomplete(page, "licensee", "Tunesmith Labs")
    autocomplete(page, "label", "Northern Lights Records")
    page.get_by_label("Reference:").fill("NL-LYR-2026")
    page.get_by_label("Starts on:").fill("2026-01-01")
    page.locator("#id_use_types_from").select_option(label="Lyrics")
    page.locator("#id_use_types_add").click()
    page.get_by_label("Artist share:").fill("50")
    page.get_by_label("Label share:").fill("30")
    page.get_by_label("Platform share:").fill("20")
    page.get_by_role(
        "button", name=re.compile("Add another revenue shares for one use", re.I)
    ).click()
    page.locator("#id_shares-0-use_type").select_option(label="Lyrics")
    page.locator("#id_shares-0-artist_share").fill("60")
    page.locator("#id_shares-0-label_share").fill("25")
    page.locator("#id_shares-0-platform_share").fill("15")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(messages(page)).to_contain_text("was added successfully")
    licence = Licence.objects.get(reference="NL-LYR-2026")
    assert [u.slug for u in licence.use_types.all()] == ["lyrics"]
    share = LicenceShare.objects.get(licence=licence)
    assert (share.use_type.slug, share.artist_share, share.label_share, share.platform_share) == (
        "lyrics",
        Decimal(60),
        Decimal(25),
        Decimal(15),
    )
    # The roster's artists are told that Lyricly now asks for their catalogue.
    assert Notification.objects.filter(user=world.artist_user, message__contains="Lyricly")

    # An API key for Tunesmith: shown once, and it works.
    page.goto(f"{base}/admin/api/apikey/add/")
    page.get_by_label("Product:").select_option(label="Tunesmith")
    page.get_by_label("Name:").fill("production")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Copy it now: it is shown only this once.")).to_be_visible()
    key = page.get_by_label("API key").input_value()
    assert key.startswith("cp_")
    check = f"{base}/api/v1/permissions/check?isrc={night_0.isrc}&use=training"
    auth = {"Authorization": f"Bearer {key}"}
    answer = page.request.get(check, headers=auth).json()
    assert (answer["permitted"], answer["reasons"]) == (True, [])

    # Suspend Tunesmith: the API says no at once, and why.
    page.goto(f"{base}/admin/licensing/product/")
    run_action(page, "Tunesmith", "Suspend selected products")
    expect(messages(page)).to_contain_text("Suspended 1 product; 1 permission flipped")
    answer = page.request.get(check, headers=auth).json()
    assert (answer["permitted"], answer["reasons"]) == (False, ["product_suspended"])

    # Replay the delivery that failed: its changes go out again as a new delivery.
    page.goto(f"{base}/admin/delivery/delivery/")
    run_action(
        page, failed.webhook_id, "Replay selected deliveries (send their changes again, new ids)"
    )
    expect(messages(page)).to_contain_text("Queued 1 new delivery.")
    replayed = Delivery.objects.get(requested_by=world.staff)
    assert (replayed.first_seq, replayed.last_seq) == (failed.first_seq, failed.last_seq)
    assert replayed.webhook_id != failed.webhook_id
    assert errors == []  # the admin's scripts run under the portal's CSP
