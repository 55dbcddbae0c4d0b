"""Personas and a small licensed world shared by the suite.

The world: label "Northern Lights" with an artist (and a second artist) on its roster,
a product ("Tunesmith") that asks for training and style generation under a licence
covering both, and an outsider artist on another label with its own manager.
"""

import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership, Label, Work
from portal.consent.models import Side
from portal.consent.services import Outcome, decision_set
from portal.licensing.models import Licence, Product, UseType
from tests import factories as f
from tests.mfa import totp_enable
from tests.openapi_contract import answer_check
from tests.seeded import vocabulary_seed

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class World:
    label: Label
    other_label: Label
    artist: Artist
    other_artist: Artist
    outsider_artist: Artist
    artist_user: User
    other_artist_user: User
    outsider_user: User
    manager: User
    other_manager: User
    staff: User
    training: UseType
    style: UseType
    lyrics: UseType
    product: Product
    licence: Licence
    works: list[Work]
    outsider_works: list[Work]


@pytest.fixture
def world(db: None) -> World:
    # A transactional test before this one may have flushed what the migration seeded.
    vocabulary_seed()
    label = f.LabelFactory(name="Northern Lights Records")
    other_label = f.LabelFactory(name="Southern Cross Music")
    training = f.UseTypeFactory(slug="training", name="Training")
    style = f.UseTypeFactory(slug="style_generation", name="Style generation")
    lyrics = f.UseTypeFactory(slug="lyrics", name="Lyrics")
    artist = f.ArtistFactory(name="Ada Lane", label=label)
    other_artist = f.ArtistFactory(name="Bo Reed", label=label)
    outsider_artist = f.ArtistFactory(name="Cy Moss", label=other_label)
    artist_user = f.ArtistMembershipFactory(artist=artist, user__email="ada@example.test").user
    other_artist_user = f.ArtistMembershipFactory(artist=other_artist).user
    outsider_user = f.ArtistMembershipFactory(artist=outsider_artist).user
    manager = f.LabelManagerFactory(label=label, user__email="sam@example.test").user
    other_manager = f.LabelManagerFactory(label=other_label).user
    staff = f.UserFactory(email="ops@example.test", is_staff=True, is_superuser=True)
    # Managers and staff must have two-factor authentication to reach their pages.
    for user in (manager, other_manager, staff):
        totp_enable(user, recovery_codes=False)
    product = f.ProductFactory(slug="tunesmith", name="Tunesmith")
    f.ProductUseFactory(product=product, use_type=training)
    f.ProductUseFactory(product=product, use_type=style)
    licence = f.LicenceFactory(licensee=product.licensee, label=label, use_types=[training, style])
    f.LicenceFactory(licensee=product.licensee, label=other_label, use_types=[training, style])
    works = [f.WorkFactory(primary_artist=artist, title=f"Night Drive {i}") for i in range(3)]
    f.WorkFactory(primary_artist=other_artist, title="Paper Moons")
    outsider_works = [f.WorkFactory(primary_artist=outsider_artist, title="Far Shore")]
    return World(
        label=label,
        other_label=other_label,
        artist=artist,
        other_artist=other_artist,
        outsider_artist=outsider_artist,
        artist_user=artist_user,
        other_artist_user=other_artist_user,
        outsider_user=outsider_user,
        manager=manager,
        other_manager=other_manager,
        staff=staff,
        training=training,
        style=style,
        lyrics=lyrics,
        product=product,
        licence=licence,
        works=works,
        outsider_works=outsider_works,
    )


def say(
    world: World,
    side: str,
    answer: str,
    work: Work | None = None,
    use: UseType | None = None,
    **kwargs: Any,
) -> Outcome:
    """One side's answer through the consent service, given by that side's person
    (the artist's own user, or the label's manager: see `decider`)."""
    work = work or world.works[0]
    return decision_set(
        actor=decider(world, side, work),
        product=world.product,
        work=work,
        use_type=use or world.training,
        side=side,
        answer=answer,
        **kwargs,
    )


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def artist_client(world: World) -> Client:
    return logged_in(world.artist_user)


@pytest.fixture
def manager_client(world: World) -> Client:
    return logged_in(world.manager)


@pytest.fixture(autouse=True)
def _api_answers_as_the_openapi_document_declares(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every response the test client gets under /api/v1/ is held to the published
    document (tests/openapi_contract.py): one that is not fails the test that asked.
    A signed-in person's too: the API reads no session (`portal.api.middleware`)."""
    original = Client.request

    def request(self: Client, **environ: Any) -> Any:
        response = original(self, **environ)
        method, path = response.request["REQUEST_METHOD"], response.request["PATH_INFO"]
        answer_check(method, path, response)
        return response

    monkeypatch.setattr(Client, "request", request)


@pytest.fixture(autouse=True, scope="session")
def _harness_may_truncate_append_only_tables() -> None:
    """Transactional tests end with a flush, a TRUNCATE of every table, which the
    append-only triggers rightly reject. Only the test harness's flush is let through."""
    import pgtrigger
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown

    def teardown(self: TransactionTestCase) -> None:
        with pgtrigger.ignore(
            "consent.LedgerEntry:ledger_no_truncate",
            "consent.PermissionChange:changes_no_truncate",
            "consent.PolicyLedgerEntry:policy_ledger_no_truncate",
            "consent.DisputeLedgerEntry:dispute_ledger_no_truncate",
        ):
            original(self)

    TransactionTestCase._fixture_teardown = teardown  # type: ignore[method-assign]


# --- browser journeys ---------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"
# An answer on a loaded two-core machine (the suite's other worker, a benchmark) can take
# longer than Playwright's five seconds; a journey that fails still says so, later.
BROWSER_WAIT_MS = 15_000


@pytest.fixture(autouse=True)
def _browser_waits_for_a_loaded_machine(request: pytest.FixtureRequest) -> None:
    if "browser" in request.keywords:
        from playwright.sync_api import expect

        expect.set_options(timeout=BROWSER_WAIT_MS)
        if "page" in request.fixturenames:
            request.getfixturevalue("page").set_default_timeout(BROWSER_WAIT_MS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser journeys need Debian's Chromium. CI installs it and must run them; on a
    developer machine without it they are skipped with a reason that says what to install."""
    if os.path.exists(CHROMIUM) or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def decider(world: World, side: str, work: Work) -> User:
    """Who answers `side` for `work`, as the consent service requires: the first deciding
    member of the work's artist team (the world's artist users), or the first manager of
    the work's label. An artist with nobody on the team falls back to Ada's user, whom
    the service then refuses."""
    if side == Side.ARTIST:
        members = User.objects.filter(
            artistmembership__artist_id=work.primary_artist_id,
            artistmembership__role__in=ArtistMembership.DECIDING_ROLES,
        )
        return members.order_by("pk").first() or world.artist_user
    return User.objects.filter(labelmanager__label_id=work.label_id).order_by("pk").first() or (
        world.manager
    )
