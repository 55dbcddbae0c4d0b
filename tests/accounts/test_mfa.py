"""Two-factor authentication: open to everyone, required for label managers and staff.

Until a manager or staff member sets it up, every page but the set-up sends them to the
authenticator-app set-up; once set up, signing in asks for a code.
"""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage import default_storage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import resolve, reverse

from portal.accounts.middleware import MFA_REQUIRED_MESSAGE, RequireMfaMiddleware
from portal.accounts.models import User
from portal.consent.models import Decision
from tests.conftest import World, logged_in
from tests.mfa import recovery_codes_of, totp_code, totp_enable

PASSWORD = "correct horse battery"
SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture
def world(world: World) -> World:
    """The shared world, before anyone has set up two-factor authentication: the suite's
    own world gives its managers and staff an authenticator app so other tests pass."""
    Authenticator.objects.filter(user__in=[world.manager, world.staff]).delete()
    return world


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # allauth remembers used codes and counts failed attempts in the cache.
    cache.clear()


def signed_in(user: User) -> Client:
    """A client that signed in through the login form just now, as a person would."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def confirm_password(client: Client) -> None:
    """allauth asks for the password again before any change to MFA, even straight
    after signing in (only a deliberate confirmation counts as recent)."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def label_home(world: World) -> str:
    return reverse("label_home", args=[world.label.pk])


def warnings_of(response: HttpResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_set_up_page_is_allauths_totp_activation() -> None:
    assert reverse("mfa_activate_totp") == SETUP


# --- who is sent to set it up --------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/labels/{label}/",
        "/labels/{label}/products/tunesmith/",
        "/delegations/{artist}/products/tunesmith/",
        "/admin/",
        "/admin/catalogue/work/",
    ],
)
def test_a_manager_without_mfa_is_sent_to_set_it_up(world: World, path: str) -> None:
    url = path.format(label=world.label.pk, artist=world.artist.pk)
    response = logged_in(world.manager).get(url)
    assert response.status_code == 302
    assert response["Location"] == SETUP
    assert warnings_of(response) == [MFA_REQUIRED_MESSAGE]


def test_the_way_to_set_up_says_why_and_confirms_the_password_first(world: World) -> None:
    client = signed_in(world.manager)
    response = client.get(label_home(world), follow=True)
    confirm = f"{reverse('account_reauthenticate')}?next={SETUP.replace('/', '%2F')}"
    assert response.redirect_chain == [(SETUP, 302), (confirm, 302)]
    page = response.content.decode()
    assert MFA_REQUIRED_MESSAGE in page
    assert "Confirm Access" in page

    response = client.post(confirm, {"password": PASSWORD}, follow=True)

    assert response.redirect_chain == [(SETUP, 302)]
    assert "Activate Authenticator App" in response.content.decode()


def test_staff_without_mfa_are_sent_to_set_it_up_from_admin(world: World) -> None:
    client = logged_in(world.staff)
    for path in [reverse("admin:index"), reverse("admin:accounts_user_changelist")]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == SETUP
    assert MFA_REQUIRED_MESSAGE in warnings_of(response)


def test_a_manager_without_mfa_cannot_decide_either(world: World) -> None:
    url = reverse(
        "decide",
        kwargs={
            "kind": "labels",
            "party_id": world.label.pk,
            "product_slug": "tunesmith",
            "work_id": world.works[0].pk,
        },
    )
    response = logged_in(world.manager).post(url, {"use": "training", "answer": "granted"})
    assert response["Location"] == SETUP
    assert not Decision.objects.exists()


def test_htmx_requests_are_told_to_navigate_the_whole_window(world: World) -> None:
    response = logged_in(world.manager).get(label_home(world), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == SETUP


def test_with_totp_the_same_pages_load(world: World) -> None:
    totp_enable(world.manager)
    totp_enable(world.staff)
    manager = logged_in(world.manager)
    assert manager.get(label_home(world)).status_code == 200
    assert manager.get(f"{label_home(world)}products/tunesmith/").status_code == 200
    staff = logged_in(world.staff)
    assert staff.get(reverse("admin:index")).status_code == 200
    assert staff.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_a_security_key_counts_as_a_second_factor(world: World) -> None:
    # What allauth asks for at login when passkeys are on; the middleware only asks
    # whether one exists, so a bare row stands in for a registered key.
    Authenticator.objects.create(user=world.manager, type=Authenticator.Type.WEBAUTHN, data={})
    assert logged_in(world.manager).get(label_home(world)).status_code == 200


def test_recovery_codes_alone_are_not_a_second_factor(world: World) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(world.manager)
    assert logged_in(world.manager).get(label_home(world))["Location"] == SETUP


def test_an_artist_is_never_sent_to_set_it_up(world: World) -> None:
    client = logged_in(world.artist_user)
    assert client.get(reverse("home"), follow=True).status_code == 200
    assert client.get(reverse("artist_home", args=[world.artist.pk])).status_code == 200
    # Not theirs: the label page answers 404, as before, rather than asking for MFA.
    assert client.get(label_home(world)).status_code == 404
    assert client.get(reverse("admin:index"))["Location"] != SETUP  # admin refuses them
    assert warnings_of(client.get(label_home(world))) == []


def test_a_manager_without_mfa_reaches_no_page_outside_the_set_up(world: World) -> None:
    client = logged_in(world.manager)
    work = world.works[0]
    assert client.get(reverse("work_history", args=[work.pk]))["Location"] == SETUP
    assert client.get(reverse("notifications"))["Location"] == SETUP
    assert client.get(reverse("account_email")).status_code == 200


# --- no loop: what set-up needs stays reachable ----------------------------------


def test_set_up_logout_and_static_files_stay_reachable(world: World, settings) -> None:
    settings.WHITENOISE_USE_FINDERS = True  # serve static files as in development
    client = signed_in(world.manager)
    confirm_password(client)
    for name in ["mfa_activate_totp", "mfa_index", "account_email", "account_reauthenticate"]:
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get("/static/css/portal.css").status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_manager_who_just_signed_in_sets_up_totp_and_reaches_the_label(world: World) -> None:
    client = signed_in(world.manager)
    response = client.get(reverse("home"), follow=True)
    assert SETUP in [url for url, _ in response.redirect_chain]
    response = client.post(response.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert response.redirect_chain == [(SETUP, 302)]
    secret = client.session[SECRET_SESSION_KEY]

    response = client.post(SETUP, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=world.manager, type=Authenticator.Type.TOTP).exists()
    assert b"Recovery Codes" in client.get(reverse("mfa_view_recovery_codes")).content
    response = client.get(label_home(world))
    assert response.status_code == 200
    assert world.label.name in response.content.decode()


def test_a_wrong_code_does_not_turn_it_on(world: World) -> None:
    client = signed_in(world.manager)
    confirm_password(client)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert response.status_code == 200
    assert b"Incorrect code" in response.content
    assert not Authenticator.objects.filter(user=world.manager).exists()
    assert client.get(label_home(world))["Location"] == SETUP


def test_the_password_confirmation_expires(world: World, settings) -> None:
    client = signed_in(world.manager)
    confirm_password(client)
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    response = client.get(SETUP)
    assert response["Location"].startswith(reverse("account_reauthenticate"))


# --- signing in with a second factor ---------------------------------------------


def test_signing_in_with_a_password_alone_asks_for_the_code(world: World) -> None:
    secret = totp_enable(world.manager)
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": world.manager.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in yet: the label page still wants a login.
    assert client.get(label_home(world))["Location"].startswith(reverse("account_login"))

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0] == label_home(world)
    assert response.status_code == 200


def test_a_wrong_code_does_not_sign_in(world: World) -> None:
    secret = totp_enable(world.manager)
    client = Client()
    client.post(reverse("account_login"), {"login": world.manager.email, "password": PASSWORD})
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert response.status_code == 200
    assert b"Incorrect code" in response.content
    assert "_auth_user_id" not in client.session
    assert client.get(label_home(world))["Location"].startswith(reverse("account_login"))


def test_a_code_is_accepted_only_once(world: World) -> None:
    secret = totp_enable(world.manager)
    code = totp_code(secret)
    first, second = Client(), Client()
    for client in (first, second):
        client.post(reverse("account_login"), {"login": world.manager.email, "password": PASSWORD})
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert second.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
    assert "_auth_user_id" not in second.session


def test_a_recovery_code_signs_in_once(world: World) -> None:
    totp_enable(world.manager)
    code = recovery_codes_of(world.manager)[0]
    client = Client()
    client.post(reverse("account_login"), {"login": world.manager.email, "password": PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(label_home(world)).status_code == 200
    assert code not in recovery_codes_of(world.manager)


def test_recovery_codes_can_be_generated_anew(world: World) -> None:
    secret = totp_enable(world.manager)
    before = recovery_codes_of(world.manager)
    client = Client()
    client.post(reverse("account_login"), {"login": world.manager.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    confirm_password(client)

    page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert all(code in page for code in before)
    response = client.post(reverse("mfa_generate_recovery_codes"))

    assert response["Location"] == reverse("mfa_view_recovery_codes")
    after = recovery_codes_of(world.manager)
    assert len(after) == 10
    assert not set(after) & set(before)
    assert client.get(reverse("mfa_download_recovery_codes")).content.decode().split() == after


def test_an_artist_may_turn_on_mfa_too(world: World) -> None:
    client = signed_in(world.artist_user)
    confirm_password(client)
    client.get(SETUP)
    secret = client.session[SECRET_SESSION_KEY]
    assert client.post(SETUP, {"code": totp_code(secret)}).status_code == 302
    again = Client()
    response = again.post(
        reverse("account_login"), {"login": world.artist_user.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")


# --- cheap: the middleware's own cost ----------------------------------------------


def _through_middleware(path: str, user: object) -> HttpResponse:
    request: HttpRequest = RequestFactory().get(path)
    # A signed-in browser sends its session cookie; the gate does not look without one.
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "session"
    request.user = user  # type: ignore[assignment]
    request.session = {}  # type: ignore[assignment]
    request._messages = default_storage(request)  # type: ignore[attr-defined]
    match = resolve(path)
    request.resolver_match = match
    middleware = RequireMfaMiddleware(lambda r: HttpResponse("view"))
    refused = middleware.process_view(request, match.func, match.args, match.kwargs)
    return refused or middleware(request)


def test_no_query_for_anonymous_users_or_the_set_up_pages(
    world: World, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        assert _through_middleware(label_home(world), AnonymousUser()).content == b"view"
        assert _through_middleware("/", AnonymousUser()).content == b"view"
        assert _through_middleware("/accounts/2fa/", world.manager).content == b"view"
        assert _through_middleware(SETUP, world.staff).content == b"view"


def test_one_query_for_staff_and_for_managers_with_totp(
    world: World, django_assert_num_queries
) -> None:
    totp_enable(world.manager)
    with django_assert_num_queries(1):
        assert _through_middleware(label_home(world), world.manager).content == b"view"
    with django_assert_num_queries(1):
        assert _through_middleware("/admin/", world.staff).status_code == 302


def test_one_query_otherwise(world: World, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        assert _through_middleware(label_home(world), world.manager).status_code == 302
    with django_assert_num_queries(1):
        assert _through_middleware("/", world.manager).status_code == 302
    with django_assert_num_queries(1):
        assert _through_middleware(label_home(world), world.artist_user).content == b"view"


def test_a_manager_without_mfa_cannot_invite_from_a_team_page(world: World) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=world.manager).delete()
    response = logged_in(world.manager).get(reverse("team", args=[world.artist.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The artist's own team page is not guarded for the artist.
    assert (
        logged_in(world.artist_user).get(reverse("team", args=[world.artist.pk])).status_code == 200
    )
