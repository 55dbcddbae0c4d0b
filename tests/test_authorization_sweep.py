"""Every URL the project serves, asked by every kind of caller, gets exactly the allowed
answer.

The test walks the URL resolver: a new view without a rule here fails it, so nothing is
left unchecked. Callers: nobody, the artist's own user, another artist on the same
label, another label's artist, the label's manager, another label's manager, staff, the
product's API key and another product's key (keys present a bearer token on every
request, pages included, and are treated as nobody there).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.api.services import api_key_issue
from portal.catalogue.models import ArtistMembership
from portal.consent.models import Answer, LedgerEntry, Side
from portal.consent.services import delegation_grant
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import usage_report_parse
from portal.notifications.models import Notification
from portal.notifications.services import notify
from portal.teams.services import invitation_create
from tests import factories as f
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, say

ROLES = (
    "anonymous",
    "artist",
    "label_mate",
    "other_artist",
    "manager",
    "other_manager",
    "staff",
    "key",
    "other_key",
)
PEOPLE = ("artist", "label_mate", "other_artist", "manager", "other_manager", "staff")
NOBODY = ("anonymous", "key", "other_key")


@dataclass
class Context:
    world: World
    clients: dict[str, Client]
    ids: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """How to call a URL, and what each role gets.

    `allowed` roles get `ok` (a status or a set); people not allowed get `denied`
    (404: "not yours" never says whether it exists); nobody gets `anonymous`
    (a redirect to the login page for pages).
    """

    kwargs: Callable[[Context], dict[str, object]] = lambda ctx: {}
    allowed: tuple[str, ...] = ()
    method: str = "get"
    ok: int | frozenset[int] = 200
    denied: int = 404
    anonymous: str | int | frozenset[int] = "login"
    data: dict[str, object] = field(default_factory=dict)
    overrides: dict[str, int] = field(default_factory=dict)


def artist_id(ctx: Context) -> dict[str, object]:
    return {"artist_id": ctx.world.artist.pk}


def label_id(ctx: Context) -> dict[str, object]:
    return {"label_id": ctx.world.label.pk}


def month(kwargs: Callable[[Context], dict[str, object]]) -> Callable[[Context], dict]:
    return lambda ctx: {**kwargs(ctx), "month": "2026-10"}


def party(kind: str) -> Callable[[Context], dict[str, object]]:
    def build(ctx: Context) -> dict[str, object]:
        ids = {
            "artists": ctx.world.artist.pk,
            "labels": ctx.world.label.pk,
            "delegations": ctx.ids["delegation"],
        }
        return {"kind": kind, "party_id": ids[kind], "product_slug": "tunesmith"}

    return build


def decide(kind: str) -> Callable[[Context], dict[str, object]]:
    return lambda ctx: {**party(kind)(ctx), "work_id": ctx.world.works[0].pk}


ARTIST_TEAM = ("artist",)
MANAGERS = ("manager",)
# The label's managers can open an artist's team page and invite people from it (the
# views then refuse what only the team's admins may do, with a message).
TEAM = ("artist", "manager")
# A POST that an allowed caller makes with no fields: refused with a message or done,
# never "not found", never an error.
ANSWERED = frozenset({200, 302, 400, 422})
API = {"anonymous": 401, "denied": 401}

RULES: dict[str, Rule] = {
    # --- the artist's pages ---
    "home": Rule(allowed=PEOPLE, ok=frozenset({200, 302})),
    "artist_home": Rule(artist_id, ARTIST_TEAM),
    "stop_everything": Rule(artist_id, ARTIST_TEAM),
    "artist_delegation": Rule(artist_id, ARTIST_TEAM),
    "artist_activity": Rule(artist_id, ARTIST_TEAM),
    "artist_earnings": Rule(artist_id, ARTIST_TEAM),
    "artist_earnings_csv": Rule(artist_id, ARTIST_TEAM),
    "artist_earning_lines": Rule(artist_id, ARTIST_TEAM),
    "artist_credits": Rule(artist_id, ARTIST_TEAM),
    "artist_statements": Rule(artist_id, ARTIST_TEAM),
    "artist_statement": Rule(month(artist_id), ARTIST_TEAM),
    "artist_statement_csv": Rule(month(artist_id), ARTIST_TEAM),
    "work_history": Rule(lambda ctx: {"work_id": ctx.world.works[0].pk}, ("artist", "manager")),
    "receipt_download": Rule(
        lambda ctx: {"work_id": ctx.world.works[0].pk, "position": ctx.ids["position"]},
        ("artist", "manager"),
    ),
    "team": Rule(artist_id, TEAM),
    "team_invite": Rule(artist_id, TEAM, method="post", ok=ANSWERED),
    "team_member_role": Rule(
        lambda ctx: {**artist_id(ctx), "membership_id": ctx.ids["membership"]},
        TEAM,
        method="post",
        ok=ANSWERED,
    ),
    "team_member_remove": Rule(
        lambda ctx: {**artist_id(ctx), "membership_id": ctx.ids["membership"]},
        ("manager", "artist"),  # the manager is refused first, then the admin removes
        method="post",
        ok=ANSWERED,
    ),
    "team_invitation_revoke": Rule(
        lambda ctx: {**artist_id(ctx), "invitation_id": ctx.ids["invitation"]},
        TEAM,
        method="post",
        ok=ANSWERED,
    ),
    # An invitation link is public: the token is the secret. A made-up one is unknown.
    "invitation_accept": Rule(
        lambda ctx: {"token": "not-a-real-invitation-token"},
        ROLES,
        ok=404,
        anonymous=404,
    ),
    # --- the label's pages ---
    "label_home": Rule(label_id, MANAGERS),
    "label_export": Rule(label_id, MANAGERS),
    "label_invite": Rule(label_id, MANAGERS),
    "label_earnings": Rule(label_id, MANAGERS),
    "label_earnings_csv": Rule(label_id, MANAGERS),
    "label_usage_flags": Rule(label_id, MANAGERS),
    "label_statements": Rule(label_id, MANAGERS),
    "label_statement": Rule(month(label_id), MANAGERS),
    "label_statement_csv": Rule(month(label_id), MANAGERS),
    # --- the matrix, per party kind ---
    "matrix": Rule(party("artists"), ARTIST_TEAM),
    "decide": Rule(decide("artists"), ARTIST_TEAM, method="post", ok=ANSWERED),
    "bulk": Rule(party("artists"), ARTIST_TEAM, method="post", ok=ANSWERED),
    # --- notifications: each person's own ---
    "notifications": Rule(allowed=PEOPLE),
    "notifications_read_all": Rule(allowed=PEOPLE, method="post", ok=ANSWERED),
    "notification_email_preference": Rule(allowed=PEOPLE, method="post", ok=ANSWERED),
    "notification_read": Rule(
        lambda ctx: {"notification_id": ctx.ids["notification"]},
        ARTIST_TEAM,
        method="post",
        ok=ANSWERED,
    ),
    # --- probes: for load balancers and Prometheus (metrics: token or loopback, and the
    # test client is loopback; tests/test_ops.py checks the token) ---
    "healthz": Rule(allowed=ROLES, anonymous=200),
    "readyz": Rule(allowed=ROLES, ok=frozenset({200, 503}), anonymous=frozenset({200, 503})),
    "metrics": Rule(allowed=ROLES, anonymous=200),
    # --- public documents ---
    "jwks": Rule(allowed=ROLES, anonymous=200),
    "api_index": Rule(allowed=ROLES, anonymous=200),
    "api_openapi": Rule(allowed=ROLES, anonymous=200),
    # --- the machine API: a product's own key only ---
    "api_check": Rule(
        allowed=("key", "other_key"), ok=400, denied=API["denied"], anonymous=API["anonymous"]
    ),
    "api_changes": Rule(
        allowed=("key", "other_key"), denied=API["denied"], anonymous=API["anonymous"]
    ),
    "api_usage_reports": Rule(
        allowed=("key", "other_key"),
        method="post",
        ok=400,
        denied=API["denied"],
        anonymous=API["anonymous"],
    ),
    "api_usage_report": Rule(
        lambda ctx: {"report_id": ctx.ids["report"]},
        ("key",),
        denied=API["denied"],
        anonymous=API["anonymous"],
        overrides={"other_key": 404},  # another product's report does not exist for it
    ),
}

# The same pages reached as another party kind: the label's matrix and the matrix a
# manager sees under an artist's delegation.
VARIANTS: list[tuple[str, Rule]] = [
    ("matrix", Rule(party("labels"), MANAGERS)),
    ("matrix", Rule(party("delegations"), MANAGERS)),
    ("decide", Rule(decide("labels"), MANAGERS, method="post", ok=ANSWERED)),
    ("decide", Rule(decide("delegations"), MANAGERS, method="post", ok=ANSWERED)),
    ("bulk", Rule(party("labels"), MANAGERS, method="post", ok=ANSWERED)),
]


def patterns(resolvers: list, prefix: str = "", namespace: str = "") -> Iterator[tuple]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else None


def project_patterns() -> list[tuple[str, str | None]]:
    return list(patterns(get_resolver().url_patterns))


# --- the world every rule is checked in ------------------------------------------------


@pytest.fixture
def ctx(world: World) -> Context:
    say(world, Side.ARTIST, Answer.GRANTED)
    position = LedgerEntry.objects.filter(work=world.works[0]).order_by("position")[0].position
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    membership = f.ArtistMembershipFactory(
        artist=world.artist, role=ArtistMembership.Role.EDITOR
    ).pk
    invitation, _ = invitation_create(
        inviter=world.artist_user, artist=world.artist, email="new@example.test", role="reader"
    )
    notify(users=[world.artist_user], kind=Notification.Kind.NEW_PRODUCT, message="Hello")
    report = usage_report_submit(
        product=world.product,
        parsed=usage_report_parse(
            {
                "reference": "oct",
                "period": {"start": "2026-10-01", "end": "2026-10-31"},
                "currency": "EUR",
                "lines": [
                    {"isrc": world.works[0].isrc, "use": "training", "units": 1, "gross": "1"}
                ],
            }
        ),
    ).report
    other_product = f.ProductFactory(slug="stemify", name="Stemify")
    keys = {
        "key": api_key_issue(product=world.product)[1],
        "other_key": api_key_issue(product=other_product)[1],
    }
    users = {
        "artist": world.artist_user,
        "label_mate": world.other_artist_user,
        "other_artist": world.outsider_user,
        "manager": world.manager,
        "other_manager": world.other_manager,
        "staff": world.staff,
    }
    clients: dict[str, Client] = {"anonymous": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    for role, raw in keys.items():
        clients[role] = Client(headers={"Authorization": f"Bearer {raw}"})
    ids = {
        "position": position,
        "delegation": delegation.pk,
        "membership": membership,
        "invitation": invitation.pk,
        "notification": Notification.objects.get(user=world.artist_user).pk,
        "report": report.pk,
    }
    return Context(world, clients, ids)


def expected(rule: Rule, role: str) -> str | int | frozenset[int]:
    if role in rule.overrides:
        return rule.overrides[role]
    if role in rule.allowed:
        return rule.ok
    if role in NOBODY:
        return rule.anonymous
    return rule.denied


def answer(client: Client, rule: Rule, url: str) -> tuple[int, str]:
    response = getattr(client, rule.method)(url, rule.data)
    return response.status_code, response.headers.get("Location", "")


def matches(want: str | int | frozenset[int], status: int, location: str) -> bool:
    if want == "login":
        return status == 302 and location.startswith(reverse("account_login"))
    if isinstance(want, frozenset):
        return status in want and not location.startswith(reverse("account_login"))
    return status == want


def check(ctx: Context, name: str, rule: Rule) -> list[str]:
    url = reverse(name, kwargs=rule.kwargs(ctx))
    wrong = []
    # Those allowed go last: what they do (remove a member, say) must not change what
    # the others are answered.
    for role in sorted(
        ROLES,
        key=lambda role: (
            role in rule.allowed,
            rule.allowed.index(role) if role in rule.allowed else 0,
        ),
    ):
        status, location = answer(ctx.clients[role], rule, url)
        want = expected(rule, role)
        if not matches(want, status, location):
            wrong.append(
                f"{rule.method.upper()} {url} as {role}: {status} {location} (want {want})"
            )
    return wrong


def test_every_url_pattern_has_a_rule():
    # Admin's own unnamed patterns only redirect to named ones.
    unnamed = [
        p
        for p, name in project_patterns()
        if name is None and p != "api/v1/^.*$" and not p.startswith("admin/")
    ]
    assert unnamed == [], "name these patterns so they can be swept"
    names = {name for _, name in project_patterns() if name}
    covered = set(RULES) | {
        name
        for name in names
        if name.startswith(("admin:", "account_", "mfa_", "socialaccount_", "usersessions_"))
    }
    assert sorted(names - covered) == [], "add an authorization rule for these views"


def test_each_role_gets_exactly_the_allowed_answer(ctx):
    wrong = []
    for name, rule in [*RULES.items(), *VARIANTS]:
        wrong += check(ctx, name, rule)
    assert wrong == [], "\n".join(wrong)


def test_unknown_api_paths_are_json_404s_for_everyone(ctx):
    for role in ROLES:
        response = ctx.clients[role].get("/api/v1/no-such-thing")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def admin_urls() -> Iterator[tuple[str, str]]:
    """Each admin URL, with made-up ids: admin refuses non-staff before any lookup."""
    for pattern, name in project_patterns():
        if not pattern.startswith("admin/"):
            continue
        path = "/" + pattern
        path = re.sub(r"<(?:\w+:)?\w+>", "1", path)
        path = path.replace("<app_label>", "earnings").replace("^", "").replace("$", "")
        if "<" in path or "(?P" in path:
            continue
        yield name or pattern, path


def test_admin_is_for_staff_alone(ctx):
    wrong = []
    logins = (reverse("admin:login"), reverse("account_login"))
    for name, path in admin_urls():
        for role in ROLES:
            if role == "staff":
                continue
            response = ctx.clients[role].get(path)
            status = response.status_code
            to_login = status == 302 and response["Location"].startswith(logins)
            # Signed in without staff rights, the login page refuses rather than asks.
            refused = name == "admin:login" and status in (200, 403)
            logged_out = name == "admin:logout" and status == 302
            if not (to_login or refused or logged_out):
                wrong.append(f"{path} as {role}: {response.status_code}")
    assert wrong == [], "\n".join(wrong)


def test_staff_see_every_admin_list(ctx):
    lists = [path for name, path in admin_urls() if str(name).endswith("_changelist")]
    assert len(lists) > 15
    failed = [
        (path, status)
        for path in lists
        if (status := ctx.clients["staff"].get(path).status_code) != 200
    ]
    assert failed == []


def test_the_sweep_walks_the_whole_resolver():
    """A guard on the guard: the walk finds the admin, the API and the pages."""
    names = {name for _, name in project_patterns()}
    assert {"admin:index", "api_check", "artist_home", "label_earnings"} <= names


def test_account_pages_answer_everyone_without_error(ctx):
    """Sign-in, sign-up, reset and MFA pages are allauth's: open to all or a redirect to
    the login page, never an error, whatever made-up key is in the link."""
    wrong = []
    for pattern, _ in project_patterns():
        if not pattern.startswith("accounts/"):
            continue
        path = "/" + re.sub(r"<(?:\w+:)?\w+>", "x1", pattern)
        for role in ROLES:
            status = ctx.clients[role].get(path).status_code
            if status not in (200, 302, 404, 405):
                wrong.append(f"{path} as {role}: {status}")
    assert wrong == [], "\n".join(wrong)
