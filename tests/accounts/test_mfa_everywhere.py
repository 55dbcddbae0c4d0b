"""A label manager or staff member without a second factor reaches nothing but the set-up.

The gate is by who the user is, not by where they go: the test walks every URL the
project serves, so a page added later is covered without anyone remembering to. The
machine API reads no session (`portal.api.middleware`): there a person's cookie gets what
anyone without a key gets, in JSON.
"""

import re
from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from portal.accounts.middleware import SET_UP_VIEWS
from portal.accounts.models import User
from portal.api.middleware import API_PREFIX, PAGES
from tests import factories as f
from tests.conftest import World, logged_in

SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture
def world(world: World) -> World:
    """The shared world, before its manager and staff have set up a second factor."""
    Authenticator.objects.filter(user__in=[world.manager, world.staff]).delete()
    return world


def patterns(entries: list, prefix: str = "") -> Iterator[tuple[str, str | None]]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            for pattern, name in patterns(entry.url_patterns, prefix + str(entry.pattern)):
                yield pattern, f"{namespace}{name}" if name else None
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name


def example_path(pattern: str, world: World) -> str:
    """A path the pattern matches, with the world's own ids where the names say which."""
    ids = {
        "artist_id": world.artist.pk,
        "label_id": world.label.pk,
        "work_id": world.works[0].pk,
        "party_id": world.label.pk,
    }
    values = {"int": "1", "str": "x1", "slug": "tunesmith", "month": "2026-10", "party": "labels"}

    def typed(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        return str(ids.get(name, values.get(converter, "1")))

    path = re.sub(r"<(?:(\w+):)?(\w+)>", typed, pattern)
    # Regular-expression patterns (allauth's keys, admin's app labels, the API's catch-all).
    path = re.sub(r"\(\?P<app_label>[^)]*\)", "catalogue", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "x1-x1", path)
    path = path.replace("^", "").replace("$", "").replace(".*", "no-such-thing")
    return "/" + path


def every_path(world: World) -> list[tuple[str, str | None]]:
    found = []
    for pattern, name in patterns(get_resolver().url_patterns):
        path = example_path(pattern, world)
        if "(" in path or "\\" in path:
            continue  # a pattern the examples above cannot fill in
        found.append((path, name))
    return found


def test_the_walk_finds_every_kind_of_page(world: World) -> None:
    names = {name for _, name in every_path(world)}
    assert {
        "label_home",
        "work_history",
        "receipt_download",
        "notifications",
        "matrix",
        "decide",
        "invitation_accept",
        "admin:index",
        "api_check",
        "account_email",
        "mfa_activate_totp",
    } <= names
    assert len(names) > 100


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_without_a_second_factor_only_the_set_up_answers(world: World, who: str) -> None:
    user: User = getattr(world, who)
    client = logged_in(user)
    wrong = []
    for path, name in every_path(world):
        if resolve(path).url_name != (name or "").split(":")[-1] and name:
            wrong.append(f"{path} does not resolve to {name}")
            continue
        # Signing out is tested last: it ends the session the walk needs.
        for method in ("get",) if name == "account_logout" else ("get", "post"):
            response = getattr(client, method)(path)
            if path.startswith(API_PREFIX) and path not in PAGES:
                if response["Content-Type"] != "application/json" or response.status_code >= 500:
                    wrong.append(f"{method.upper()} {path} ({name}): {response.status_code}")
                continue
            sent_to_set_up = response.status_code == 302 and response["Location"] == SETUP
            # The email page takes only a POST that sends a verification again (see
            # tests/accounts/test_mfa_email_page.py); this empty one asks for none.
            open_to_set_up = name in SET_UP_VIEWS and (name, method) != ("account_email", "post")
            if open_to_set_up:
                if sent_to_set_up or response.status_code >= 500:
                    wrong.append(f"{method.upper()} {path} ({name}): {response.status_code}")
            elif not sent_to_set_up:
                wrong.append(f"{method.upper()} {path} ({name}): {response.status_code}")
    assert wrong == [], "\n".join(wrong)
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_htmx_requests_anywhere_are_told_to_navigate_to_the_set_up(world: World) -> None:
    client = logged_in(world.manager)
    for path in (reverse("notifications"), reverse("work_history", args=[world.works[0].pk])):
        response = client.get(path, headers={"HX-Request": "true"})
        assert response["HX-Redirect"] == SETUP


def test_an_artist_without_mfa_reaches_their_pages(world: World) -> None:
    client = logged_in(world.artist_user)
    for path in (
        reverse("notifications"),
        reverse("work_history", args=[world.works[0].pk]),
        reverse("artist_home", args=[world.artist.pk]),
    ):
        assert client.get(path).status_code == 200, path


def test_a_manager_who_is_also_an_artist_is_gated_on_the_artist_pages_too(world: World) -> None:
    f.ArtistMembershipFactory(artist=world.artist, user=world.manager)
    response = logged_in(world.manager).get(reverse("artist_home", args=[world.artist.pk]))
    assert response["Location"] == SETUP
