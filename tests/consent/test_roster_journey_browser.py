"""A label manager, in a real browser, from the label's home to the roster, finds an
artist by name, reads where their works stand, and follows a figure to the product's
works filtered to it; on a phone the roster is a stack of cards, and the keyboard
reaches every figure."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from playwright.sync_api import Page, expect

from portal.consent.models import Answer, Side
from tests import factories as f
from tests.a11y import sign_in
from tests.conftest import World, say
from tests.mfa import totp_enable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_goes_from_the_home_to_an_artists_waiting_works(
    world: World, live_server, page: Page
) -> None:
    for i in range(30):
        f.ArtistFactory(label=world.label, name=f"Roster Artist {i:02d}")
    night_0, night_1, _ = world.works
    say(world, Side.ARTIST, Answer.GRANTED, work=night_0)
    say(world, Side.ARTIST, Answer.GRANTED, work=night_1)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=night_0)
    Authenticator.objects.filter(user=world.manager).delete()
    secret = totp_enable(world.manager)
    sign_in(page, live_server.url, "sam@example.test", secret)

    page.get_by_role("region", name="Roster", exact=True).get_by_role(
        "link", name="See the roster of Northern Lights Records"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The roster of Northern Lights Records"
    )
    # 32 artists: a page of 25, then the rest.
    expect(page.get_by_role("navigation", name="Pages of the roster")).to_contain_text(
        "Page 1 of 2"
    )

    # Find Ada Lane by part of her name, with the keyboard alone.
    search = page.get_by_role("searchbox", name="Artist")
    search.fill("ada")
    search.press("Enter")
    expect(page.locator("main").get_by_role("status")).to_have_text("1 artist named like “ada”.")
    ada = page.get_by_role("region", name="Ada Lane")
    expect(ada).to_contain_text("3 works")
    training = ada.get_by_role("row", name=re.compile("^Tunesmith · Training"))
    # waiting for you, waiting for the artist, permitted, the artist said no, you said no,
    # and a link to all the artist's works for the use (its text shows "All 3")
    expect(training.get_by_role("cell")).to_have_text(
        [*(re.compile(f"^{n}") for n in (2, 1, 1, 0, 0)), re.compile("^All 3")]
    )

    # The figure waiting for the label opens the product's works filtered to it.
    waiting = training.get_by_role("link", name="2 waiting for you: Ada Lane, Tunesmith, Training")
    waiting.focus()
    page.keyboard.press("Enter")
    matrix = reverse("matrix", args=["labels", world.label.pk, "tunesmith"])
    expect(page).to_have_url(
        re.compile(
            re.escape(f"{matrix}?artist={world.artist.pk}&use=training&label_answer=none") + "$"
        )
    )

    # On a phone, each product and use is a card that names its figures.
    page.go_back()
    page.set_viewport_size({"width": 390, "height": 844})
    ada = page.get_by_role("region", name="Ada Lane")
    expect(ada.locator("tbody tr").first).to_be_visible()
    expect(ada.locator("thead")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
