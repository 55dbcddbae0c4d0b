"""Every URL the project serves, asked by every kind of caller, gets exactly the allowed
answer, and only the allowed callers change anything.

The test walks the URL resolver: a new view without a rule here fails it, so nothing is
left unchecked. Callers: nobody, the artist's own user, another artist on the same
label, another label's artist, the label's manager, another label's manager, staff, the
product's API key and another product's key (keys present a bearer token on every
request, pages included, and are treated as nobody there).

Allowed callers send real data, and each allowed POST must do its job: the rule's
`effect` holds after it. Everyone else must leave the database as it was: every table
holds the same rows with the same values before and after (a checksum of each table's
contents, so an UPDATE shows as well as an INSERT or a DELETE), and the effect has not
happened.
"""

import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.api.services import api_key_issue
from portal.catalogue.models import Artist, ArtistMembership, Work
from portal.consent.models import (
    Answer,
    AnswerBatch,
    BulkAnswer,
    ConditionDefault,
    Decision,
    Delegation,
    Dispute,
    LabelPolicy,
    LedgerEntry,
    Side,
)
from portal.consent.services import decisions_set, delegation_grant, dispute_close, policy_add
from portal.consent.services.batches import BatchOf
from portal.earnings.models import FlaggedUse, UsageReport
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import usage_report_parse
from portal.fans.models import FanPage, MisuseReport
from portal.fans.services import fan_page_publish, misuse_report_file
from portal.imports.models import CatalogueImport
from portal.licensing.models import UseType
from portal.notifications.models import Notification
from portal.notifications.services import notify
from portal.teams.models import Invitation
from portal.teams.services import invitation_create
from portal.training.models import Manifest
from tests import factories as f
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, say
from tests.fans.helpers import report_data

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
    users: dict[str, User]
    ids: dict[str, int] = field(default_factory=dict)


Data = Callable[[Context, str], dict[str, object]]
Effect = Callable[[Context, str], bool]


@dataclass(frozen=True)
class Rule:
    """How to call a URL, what each role gets, and what an allowed call does.

    `allowed` roles get `ok` (a status or a set) and, for a POST, make `effect` true;
    `refused` roles may see the page but not do this: a message (302 or 422) and no
    effect; other people get `denied` (404: "not yours" never says whether it exists);
    nobody gets `anonymous` (a redirect to the login page for pages). `data` is what
    each role sends (JSON when `content_type` says so).
    """

    kwargs: Callable[[Context], dict[str, object]] = lambda ctx: {}
    allowed: tuple[str, ...] = ()
    method: str = "get"
    ok: int | frozenset[int] = 200
    denied: int = 404
    anonymous: str | int | frozenset[int] = "login"
    data: Data = lambda ctx, role: {}
    content_type: str | None = None
    refused: tuple[str, ...] = ()
    effect: Effect | None = None
    overrides: dict[str, int] = field(default_factory=dict)
    # Run before each allowed caller's request, so each one acts on something of its own
    # and its own success shows (`kwargs` is read after it).
    prepare: Callable[[Context, str], None] | None = None


def artist_id(ctx: Context) -> dict[str, object]:
    return {"artist_id": ctx.world.artist.pk}


def label_id(ctx: Context) -> dict[str, object]:
    return {"label_id": ctx.world.label.pk}


def month(kwargs: Callable[[Context], dict[str, object]]) -> Callable[[Context], dict]:
    return lambda ctx: {**kwargs(ctx), "month": "2026-10"}


def batch_made(world: World, side: str, answer: str = Answer.DENIED) -> int:
    """A bulk answer of the side's, on style generation, that its party can undo."""
    party = {"artist_id": world.artist.pk} if side == Side.ARTIST else {"label_id": world.label.pk}
    decisions_set(
        actor=world.artist_user if side == Side.ARTIST else world.manager,
        product=world.product,
        use_type=UseType.objects.get(slug="style_generation"),
        side=side,
        answer=answer,
        works=Work.objects.filter(pk=world.works[2].pk),
        batch=BatchOf("No to style generation on Tunesmith", **party),
    )
    return AnswerBatch.objects.latest("pk").pk


def undo_kwargs(kind: str, batch: str) -> Callable[[Context], dict[str, object]]:
    def build(ctx: Context) -> dict[str, object]:
        party_id = {
            "artists": ctx.world.artist.pk,
            "labels": ctx.world.label.pk,
            "delegations": ctx.ids["delegation"],
        }[kind]
        return {"kind": kind, "party_id": party_id, "batch_id": ctx.ids[batch]}

    return build


def fresh_batch(ctx: Context, role: str) -> None:
    """Each caller undoes a batch of its own: the answer turns each time."""
    now = Decision.objects.get(
        work=ctx.world.works[2], side=Side.ARTIST, use_type__slug="style_generation"
    ).answer
    turned = Answer.GRANTED if now == Answer.DENIED else Answer.DENIED
    ctx.ids["batch_artists"] = batch_made(ctx.world, Side.ARTIST, turned)


def unsee_flags(ctx: Context) -> None:
    flags = FlaggedUse.objects.filter(artist=ctx.world.artist)
    flags.update(seen_at=None, seen_by=None)
    ctx.ids["flag"] = flags.latest("pk").pk


def policy_in_force(ctx: Context) -> int:
    """A policy of the label's for the sweep to lift, made once (before any caller asks)."""
    if "policy" not in ctx.ids:
        ctx.ids["policy"] = policy_add(
            actor=ctx.world.manager, label=ctx.world.label, use_type=ctx.world.lyrics
        ).policy.pk
    return ctx.ids["policy"]


def disputes_closed(ctx: Context) -> None:
    """Staff reject whatever dispute is open, so the next caller can raise one."""
    for dispute in Dispute.objects.filter(status="open"):
        dispute_close(actor=ctx.world.staff, dispute=dispute, upheld=False)


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


def send(**data: object) -> Data:
    return lambda ctx, role: dict(data)


def answers(ctx: Context, side: str, use: str, works: list[Work] | None = None) -> set[str]:
    """The answers of `side` for `use` on the world's first work (or on `works`)."""
    return set(
        Decision.objects.filter(
            side=side,
            use_type__slug=use,
            product=ctx.world.product,
            work__in=works or ctx.world.works[:1],
        ).values_list("answer", flat=True)
    )


def invitation(page: str) -> tuple[Data, Effect]:
    """What each role sends from `page` to invite someone, and whether their invitation
    exists: an editor or a reader, within what the label may invite too."""

    def data(ctx: Context, role: str) -> dict[str, object]:
        return {
            "artist": ctx.world.artist.pk,
            "email": f"{role}@{page}.example",
            "role": "editor" if page == "team" else "reader",
        }

    def effect(ctx: Context, role: str) -> bool:
        return Invitation.objects.filter(
            email=f"{role}@{page}.example", invited_by=ctx.users.get(role)
        ).exists()

    return data, effect


def fresh_invitation(ctx: Context, email: str) -> None:
    invitation, _ = invitation_create(
        inviter=ctx.world.artist_user,
        artist=ctx.world.artist,
        email=email,
        role="reader",
        sent_as="team_admin",
    )
    ctx.ids["invitation"] = invitation.pk


def membership_role(ctx: Context) -> str | None:
    return (
        ArtistMembership.objects.filter(pk=ctx.ids["membership"])
        .values_list("role", flat=True)
        .first()
    )


def all_read(user: User | None) -> bool:
    return user is not None and not user.notifications.filter(read_at__isnull=True).exists()


def emails_off(user: User | None) -> bool:
    return user is not None and User.objects.filter(pk=user.pk, email_notifications=False).exists()


def fan_page_slug(ctx: Context) -> dict[str, object]:
    """The artist's public page, published once (before any caller asks)."""
    if "fan_page" not in ctx.ids:
        fan_page_publish(actor=ctx.world.artist_user, artist=ctx.world.artist, slug="ada-lane")
        ctx.ids["fan_page"] = 1
    return {"slug": "ada-lane"}


def misuse_report_new(ctx: Context, role: str) -> None:
    """A fresh report for each caller to mark handled."""
    ctx.ids["misuse_report"] = misuse_report_file(
        artist=ctx.world.artist, url=f"https://{role}.example/", kind="song", ip_hash="0" * 64
    ).pk


def misuse_report_handled(ctx: Context, role: str) -> bool:
    return MisuseReport.objects.filter(
        pk=ctx.ids.get("misuse_report"), status="handled", handled_by=ctx.users.get(role)
    ).exists()


def berlin_time(user: User | None) -> bool:
    return user is not None and User.objects.filter(pk=user.pk, time_zone="Europe/Berlin").exists()


ARTIST_TEAM = ("artist",)
MANAGERS = ("manager",)
# The label's managers can open an artist's team page and invite people from it (the
# views then refuse what only the team's admins may do, with a message).
TEAM = ("artist", "manager")
# Seen but not done: the page answers with a message, back where the person was (302) or
# on the form (422).
REFUSED = frozenset({302, 422})
API = {"anonymous": 401, "denied": 401}
CATALOGUE_CSV = b"isrc,title,artist\nUSRC17607839,Night Drive,Ada Lane\n"
USAGE_REPORT = {
    "period": {"start": "2026-09-01", "end": "2026-09-30"},
    "currency": "EUR",
}

RULES: dict[str, Rule] = {
    # --- the artist's pages ---
    "home": Rule(allowed=PEOPLE, ok=frozenset({200, 302})),
    "artist_home": Rule(artist_id, ARTIST_TEAM),
    "stop_everything": Rule(artist_id, ARTIST_TEAM),
    "artist_reach": Rule(
        artist_id,
        ARTIST_TEAM,
        method="post",
        ok=302,
        data=send(reach="later"),
        effect=lambda ctx, role: (
            Artist.objects.get(pk=ctx.world.artist.pk).yes_covers_later_versions
        ),
        denied=404,
    ),
    "artist_delegation": Rule(artist_id, ARTIST_TEAM),
    "artist_activity": Rule(artist_id, ARTIST_TEAM),
    "artist_earnings": Rule(artist_id, ARTIST_TEAM),
    "artist_earnings_csv": Rule(artist_id, ARTIST_TEAM),
    "artist_earning_lines": Rule(artist_id, ARTIST_TEAM),
    # The setup's report flags use of the artist's work; each caller sees it afresh.
    "artist_flags_seen": Rule(
        artist_id,
        ARTIST_TEAM,
        method="post",
        ok=302,
        prepare=lambda ctx, role: unsee_flags(ctx),
        data=lambda ctx, role: {"up_to": str(ctx.ids.get("flag", 0))},
        effect=lambda ctx, role: FlaggedUse.objects.filter(
            pk=ctx.ids.get("flag", 0), seen_at__isnull=False
        ).exists(),
    ),
    "artist_credits": Rule(artist_id, ARTIST_TEAM),
    "artist_statements": Rule(artist_id, ARTIST_TEAM),
    "artist_statement": Rule(month(artist_id), ARTIST_TEAM),
    "artist_statement_csv": Rule(month(artist_id), ARTIST_TEAM),
    "work_history": Rule(lambda ctx: {"work_id": ctx.world.works[0].pk}, ("artist", "manager")),
    # The artist's admin and the label's manager may each dispute the work; each allowed
    # caller finds it undisputed (staff closed the one before).
    "work_dispute": Rule(
        lambda ctx: {"work_id": ctx.world.works[0].pk},
        ("artist", "manager"),
        method="post",
        ok=302,
        data=send(reason="wrong_credits", note="The producer is wrong."),
        prepare=lambda ctx, role: disputes_closed(ctx),
        effect=lambda ctx, role: (
            role in ctx.users
            and Dispute.objects.filter(
                work=ctx.world.works[0], raised_by=ctx.users[role], status="open"
            ).exists()
        ),
    ),
    "receipt_download": Rule(
        lambda ctx: {"work_id": ctx.world.works[0].pk, "position": ctx.ids["position"]},
        ("artist", "manager"),
    ),
    "team": Rule(artist_id, TEAM),
    # The team's admin invites as the team, the label's manager as the label (an editor
    # is within what a label may invite).
    "team_invite": Rule(
        artist_id,
        TEAM,
        method="post",
        ok=302,
        data=invitation("team")[0],
        effect=invitation("team")[1],
    ),
    "team_member_role": Rule(
        lambda ctx: {**artist_id(ctx), "membership_id": ctx.ids["membership"]},
        ARTIST_TEAM,
        method="post",
        ok=302,
        refused=MANAGERS,
        data=send(role="reader"),
        effect=lambda ctx, role: membership_role(ctx) == "reader",
    ),
    "team_member_remove": Rule(
        lambda ctx: {**artist_id(ctx), "membership_id": ctx.ids["membership"]},
        ARTIST_TEAM,
        method="post",
        ok=302,
        refused=MANAGERS,
        effect=lambda ctx, role: membership_role(ctx) is None,
    ),
    # Both may withdraw one; each withdraws an invitation of its own.
    "team_invitation_revoke": Rule(
        lambda ctx: {**artist_id(ctx), "invitation_id": ctx.ids["invitation"]},
        ("manager", "artist"),
        method="post",
        ok=302,
        prepare=lambda ctx, role: fresh_invitation(ctx, f"{role}-withdraws@example.test"),
        effect=lambda ctx, role: Invitation.objects.filter(
            pk=ctx.ids["invitation"],
            email=f"{role}-withdraws@example.test",
            revoked_at__isnull=False,
        ).exists(),
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
    "label_roster": Rule(label_id, MANAGERS),
    "label_invite": Rule(label_id, MANAGERS),
    "label_earnings": Rule(label_id, MANAGERS),
    "label_earnings_csv": Rule(label_id, MANAGERS),
    "label_usage_flags": Rule(label_id, MANAGERS),
    "label_statements": Rule(label_id, MANAGERS),
    "label_statement": Rule(month(label_id), MANAGERS),
    "label_statement_csv": Rule(month(label_id), MANAGERS),
    "label_imports": Rule(label_id, MANAGERS),
    "label_import": Rule(lambda ctx: {**label_id(ctx), "import_id": ctx.ids["import"]}, MANAGERS),
    "label_policies": Rule(label_id, MANAGERS),
    "label_policy_add": Rule(
        label_id,
        MANAGERS,
        method="post",
        ok=302,
        data=send(kind="use", use_type="lyrics", confirm="on"),
        effect=lambda ctx, role: LabelPolicy.objects.filter(
            label=ctx.world.label, use_type__slug="lyrics", added_by__email="sam@example.test"
        ).exists(),
    ),
    "label_policy_lift": Rule(
        lambda ctx: {**label_id(ctx), "policy_id": policy_in_force(ctx)},
        MANAGERS,
        method="post",
        ok=302,
        data=send(confirm="on"),
        effect=lambda ctx, role: LabelPolicy.objects.filter(
            pk=ctx.ids["policy"], lifted_at__isnull=False
        ).exists(),
    ),
    # --- the matrix, per party kind ---
    "matrix": Rule(party("artists"), ARTIST_TEAM),
    "keep_answers": Rule(party("artists"), ARTIST_TEAM),
    "undo": Rule(undo_kwargs("artists", "batch_artists"), ARTIST_TEAM),
    "bulk_answer": Rule(
        lambda ctx: {**party("artists")(ctx), "job_id": ctx.ids["bulk_answer_artists"]},
        ARTIST_TEAM,
    ),
    "decide": Rule(
        decide("artists"),
        ARTIST_TEAM,
        method="post",
        ok=302,
        data=send(use="style_generation", answer="granted"),
        effect=lambda ctx, role: answers(ctx, Side.ARTIST, "style_generation") == {"granted"},
    ),
    "conditions": Rule(
        decide("artists"),
        ARTIST_TEAM,
        method="post",
        ok=302,
        data=send(use="training", credit_required="on", credit_required__credit="Ada"),
        effect=lambda ctx, role: (
            list(
                Decision.objects.filter(
                    side=Side.ARTIST, use_type__slug="training", work=ctx.world.works[0]
                ).values_list("answer", "conditions")
            )
            == [("granted", [{"code": "credit_required", "credit": "Ada"}])]
        ),
    ),
    "product_conditions": Rule(
        party("artists"),
        ARTIST_TEAM,
        method="post",
        ok=302,
        data=send(non_commercial="on"),
        effect=lambda ctx, role: (
            list(ConditionDefault.objects.filter(artist=ctx.world.artist).values_list("conditions"))
            == [([{"code": "non_commercial"}],)]
        ),
    ),
    "bulk": Rule(
        party("artists"),
        ARTIST_TEAM,
        method="post",
        ok=302,
        data=send(use="training", scope="all", answer="denied", confirm="1"),
        effect=lambda ctx, role: (
            answers(ctx, Side.ARTIST, "training", ctx.world.works) == {"denied"}
        ),
    ),
    # --- fans: the public page and its reports for anyone; settings and inbox, the team's ---
    "fan_page": Rule(fan_page_slug, ROLES, anonymous=200),
    # Each caller sends one report (the sweep's clients share an address, so the count
    # per address starts again for each).
    "misuse_report": Rule(
        fan_page_slug,
        ROLES,
        method="post",
        ok=302,
        data=lambda ctx, role: report_data(ctx.world.artist, description=f"sweep {role}"),
        prepare=lambda ctx, role: cache.clear(),
        effect=lambda ctx, role: MisuseReport.objects.filter(description=f"sweep {role}").exists(),
    ),
    "fan_page_settings": Rule(artist_id, ARTIST_TEAM),
    "misuse_reports": Rule(artist_id, ARTIST_TEAM),
    "misuse_report_handled": Rule(
        lambda ctx: {**artist_id(ctx), "report_id": ctx.ids["misuse_report"]},
        ARTIST_TEAM,
        method="post",
        ok=302,
        prepare=misuse_report_new,
        effect=misuse_report_handled,
    ),
    # --- notifications: each person's own ---
    "notifications": Rule(allowed=PEOPLE),
    "notification_read": Rule(
        lambda ctx: {"notification_id": ctx.ids["notification"]},
        ARTIST_TEAM,
        method="post",
        ok=302,
        effect=lambda ctx, role: Notification.objects.filter(
            pk=ctx.ids["notification"], read_at__isnull=False
        ).exists(),
    ),
    "notifications_read_all": Rule(
        allowed=PEOPLE,
        method="post",
        ok=302,
        effect=lambda ctx, role: all_read(ctx.users.get(role)),
    ),
    # An unticked box is the desired state "do not email me".
    "notification_email_preference": Rule(
        allowed=PEOPLE,
        method="post",
        ok=302,
        effect=lambda ctx, role: emails_off(ctx.users.get(role)),
    ),
    # --- the account page: each person's own ---
    "account_security": Rule(allowed=PEOPLE),
    "account_time_zone": Rule(
        allowed=PEOPLE,
        method="post",
        ok=302,
        data=lambda ctx, role: {"time_zone": "Europe/Berlin"},
        effect=lambda ctx, role: berlin_time(ctx.users.get(role)),
    ),
    # --- probes: for load balancers and Prometheus (metrics: token or loopback, and the
    # test client is loopback; tests/ops/test_ops.py checks the token) ---
    "healthz": Rule(allowed=ROLES, anonymous=200),
    "readyz": Rule(allowed=ROLES, ok=frozenset({200, 503}), anonymous=frozenset({200, 503})),
    "metrics": Rule(allowed=ROLES, anonymous=200),
    # --- public documents ---
    "jwks": Rule(allowed=ROLES, anonymous=200),
    "api_index": Rule(allowed=ROLES, anonymous=200),
    "api_openapi": Rule(allowed=ROLES, anonymous=200),
    # --- signals: each recording's public preferences and the documents crawlers read ---
    "work_page": Rule(lambda ctx: {"isrc": ctx.world.works[0].isrc}, ROLES, anonymous=200),
    "work_cawg": Rule(lambda ctx: {"isrc": ctx.world.works[0].isrc}, ROLES, anonymous=200),
    "tdmrep": Rule(allowed=ROLES, anonymous=200),
    "tdm_policy": Rule(allowed=ROLES, anonymous=200),
    "robots": Rule(allowed=ROLES, anonymous=200),
    # --- the machine API: a product's own key only ---
    "api_check": Rule(
        allowed=("key", "other_key"),
        data=lambda ctx, role: {"isrc": ctx.world.works[0].isrc, "use": "training"},
        denied=API["denied"],
        anonymous=API["anonymous"],
    ),
    "api_changes": Rule(
        allowed=("key", "other_key"), denied=API["denied"], anonymous=API["anonymous"]
    ),
    # Each key gets its own product's snapshot (tests/api/test_snapshot.py).
    "api_snapshot": Rule(
        allowed=("key", "other_key"), denied=API["denied"], anonymous=API["anonymous"]
    ),
    "api_usage_reports": Rule(
        allowed=("key", "other_key"),
        method="post",
        ok=201,
        content_type="application/json",
        data=lambda ctx, role: {
            **USAGE_REPORT,
            "reference": f"sweep-{role}",
            "lines": [
                {"isrc": ctx.world.works[0].isrc, "use": "training", "units": 1, "gross": "2"}
            ],
        },
        effect=lambda ctx, role: UsageReport.objects.filter(
            reference=f"sweep-{role}", product_id=ctx.ids.get(f"{role}_product")
        ).exists(),
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
    "api_manifests": Rule(
        allowed=("key", "other_key"),
        method="post",
        ok=201,
        content_type="application/json",
        data=lambda ctx, role: {
            "model": "sweep",
            "version": role,
            "trained_at": "2026-09-01T00:00:00Z",
            "items": [{"isrc": ctx.world.works[0].isrc, "use": "training"}],
        },
        effect=lambda ctx, role: Manifest.objects.filter(
            version=role, product_id=ctx.ids.get(f"{role}_product")
        ).exists(),
        denied=API["denied"],
        anonymous=API["anonymous"],
    ),
    "api_manifest_items": Rule(
        lambda ctx: {"manifest_id": ctx.ids["manifest"]},
        ("key",),
        method="post",
        ok=202,
        content_type="application/json",
        data=lambda ctx, role: {"items": [{"isrc": ctx.world.works[1].isrc, "use": "training"}]},
        effect=lambda ctx, role: Manifest.objects.get(pk=ctx.ids["manifest"]).items == 1,
        denied=API["denied"],
        anonymous=API["anonymous"],
        overrides={"other_key": 404},
    ),
    "api_manifest_complete": Rule(
        lambda ctx: {"manifest_id": ctx.ids["manifest"]},
        ("key",),
        method="post",
        effect=lambda ctx, role: (
            Manifest.objects.get(pk=ctx.ids["manifest"]).completed_at is not None
        ),
        denied=API["denied"],
        anonymous=API["anonymous"],
        overrides={"other_key": 404},
    ),
    "api_obligations": Rule(
        allowed=("key", "other_key"), denied=API["denied"], anonymous=API["anonymous"]
    ),
}

# The same pages reached as another party kind (the label's matrix and the matrix a
# manager sees under an artist's delegation), and the pages that take a POST as well as
# a GET. In order: the last ones take away what the earlier ones need.
VARIANTS: list[tuple[str, Rule]] = [
    ("matrix", Rule(party("labels"), MANAGERS)),
    ("undo", Rule(undo_kwargs("labels", "batch_labels"), MANAGERS)),
    # The artist's own team undoes what was done for them, not the label under delegation.
    ("undo", Rule(undo_kwargs("delegations", "batch_artists"), ())),
    (
        "undo",
        Rule(
            undo_kwargs("artists", "batch_artists"),
            ARTIST_TEAM,
            method="post",
            ok=302,
            prepare=fresh_batch,
            effect=lambda ctx, role: AnswerBatch.objects.filter(
                pk=ctx.ids["batch_artists"], undone_at__isnull=False
            ).exists(),
        ),
    ),
    ("matrix", Rule(party("delegations"), MANAGERS)),
    # A label's bulk answer is seen by its managers, on the label's page only.
    (
        "bulk_answer",
        Rule(
            lambda ctx: {**party("labels")(ctx), "job_id": ctx.ids["bulk_answer_labels"]},
            MANAGERS,
        ),
    ),
    (
        "bulk_answer",
        Rule(
            lambda ctx: {**party("delegations")(ctx), "job_id": ctx.ids["bulk_answer_labels"]},
            (),
        ),
    ),
    (
        "decide",
        Rule(
            decide("labels"),
            MANAGERS,
            method="post",
            ok=302,
            data=send(use="training", answer="granted"),
            effect=lambda ctx, role: answers(ctx, Side.RIGHTS_HOLDER, "training") == {"granted"},
        ),
    ),
    (
        "decide",
        Rule(
            decide("delegations"),
            MANAGERS,
            method="post",
            ok=302,
            data=send(use="style_generation", answer="denied"),
            effect=lambda ctx, role: answers(ctx, Side.ARTIST, "style_generation") == {"denied"},
        ),
    ),
    (
        "bulk",
        Rule(
            party("labels"),
            MANAGERS,
            method="post",
            ok=302,
            data=send(use="style_generation", scope="all", answer="granted", confirm="1"),
            effect=lambda ctx, role: (
                answers(
                    ctx, Side.RIGHTS_HOLDER, "style_generation", list(ctx.world.label.works.all())
                )
                == {"granted"}
                and Decision.objects.filter(
                    side=Side.RIGHTS_HOLDER, use_type__slug="style_generation"
                )
                .values("work")
                .count()
                == ctx.world.label.works.count()
            ),
        ),
    ),
    (
        "bulk",
        Rule(
            party("delegations"),
            MANAGERS,
            method="post",
            ok=302,
            data=send(use="training", scope="all", answer="granted", confirm="1"),
            effect=lambda ctx, role: (
                answers(ctx, Side.ARTIST, "training", ctx.world.works) == {"granted"}
            ),
        ),
    ),
    (
        "label_invite",
        Rule(
            label_id,
            MANAGERS,
            method="post",
            ok=302,
            data=invitation("label")[0],
            effect=invitation("label")[1],
        ),
    ),
    # An upload starts an import of the label's, requested by whoever sent it.
    (
        "label_imports",
        Rule(
            label_id,
            MANAGERS,
            method="post",
            ok=302,
            data=lambda ctx, role: {"uploads": SimpleUploadedFile(f"{role}.csv", CATALOGUE_CSV)},
            effect=lambda ctx, role: (
                role in ctx.users
                and CatalogueImport.objects.filter(
                    label=ctx.world.label, requested_by=ctx.users[role]
                ).exists()
            ),
        ),
    ),
    (
        "fan_page_settings",
        Rule(
            artist_id,
            ARTIST_TEAM,
            method="post",
            ok=302,
            data=send(action="publish", slug="ada-sweep"),
            effect=lambda ctx, role: FanPage.objects.filter(
                artist=ctx.world.artist, slug="ada-sweep", published=True
            ).exists(),
        ),
    ),
    (
        "stop_everything",
        Rule(
            artist_id,
            ARTIST_TEAM,
            method="post",
            ok=302,
            effect=lambda ctx, role: (
                not Decision.objects.filter(
                    side=Side.ARTIST, answer=Answer.GRANTED, work__primary_artist=ctx.world.artist
                ).exists()
            ),
        ),
    ),
    (
        "artist_delegation",
        Rule(
            artist_id,
            ARTIST_TEAM,
            method="post",
            ok=302,
            data=send(action="revoke"),
            effect=lambda ctx, role: Delegation.objects.filter(
                pk=ctx.ids["delegation"], revoked_at__isnull=False
            ).exists(),
        ),
    ),
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
        inviter=world.artist_user,
        artist=world.artist,
        email="new@example.test",
        role="reader",
        sent_as="team_admin",
    )
    users = {
        "artist": world.artist_user,
        "label_mate": world.other_artist_user,
        "other_artist": world.outsider_user,
        "manager": world.manager,
        "other_manager": world.other_manager,
        "staff": world.staff,
    }
    # Something unread for everyone, so marking all as read has something to do.
    for user in users.values():
        notify(users=[user], kind=Notification.Kind.NEW_PRODUCT, message="Hello")
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
    catalogue_import = CatalogueImport.objects.create(
        label=world.label, source=CatalogueImport.Source.ADMIN
    )
    # A finished bulk answer of the label's, and one of the artist's own.
    bulk_answers = {
        kind: BulkAnswer.objects.create(
            product=world.product,
            use_type=UseType.objects.get(slug="training"),
            party_kind=kind,
            party_id=party_id,
            side=side,
            answer=Answer.GRANTED,
            requested_by=requester,
            token=f"{kind:0<32}",
            status=BulkAnswer.Status.DONE,
            created_at=timezone.now(),
        ).pk
        for kind, party_id, side, requester in (
            ("labels", world.label.pk, Side.RIGHTS_HOLDER, users["manager"]),
            ("artists", world.artist.pk, Side.ARTIST, world.artist_user),
        )
    }
    keys = {
        "key": api_key_issue(product=world.product)[1],
        "other_key": api_key_issue(product=other_product)[1],
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
        "notification": Notification.objects.get(
            user=world.artist_user, kind=Notification.Kind.NEW_PRODUCT
        ).pk,
        "report": report.pk,
        "manifest": Manifest.objects.create(
            product=world.product,
            model="in parts",
            version="1",
            trained_at=timezone.now(),
            received_at=timezone.now(),
        ).pk,
        "import": catalogue_import.pk,
        "batch_artists": batch_made(world, Side.ARTIST),
        "batch_labels": batch_made(world, Side.RIGHTS_HOLDER),
        "bulk_answer_labels": bulk_answers["labels"],
        "bulk_answer_artists": bulk_answers["artists"],
        "key_product": world.product.pk,
        "other_key_product": other_product.pk,
    }
    # After the notification above is found: a report notifies the artist's team too.
    ids["misuse_report"] = misuse_report_file(
        artist=world.artist, url="https://fake.example/", kind="song", ip_hash="0" * 64
    ).pk
    return Context(world, clients, users, ids)


def project_tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )


def table_contents() -> dict[str, str]:
    """A digest of the rows of every table the project has: equal digests, equal contents.

    PostgreSQL digests each table in the database, all in one query; SQLite has no
    aggregate digest, so the rows themselves are read and digested here."""
    tables = project_tables()
    # The names are the models' own tables, not input.
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            select = ", ".join(
                f"(SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) "  # noqa: S608
                f"FROM {quote(table)} AS t)"
                for table in tables
            )
            cursor.execute(f"SELECT {select}")
            return dict(zip(tables, cursor.fetchone(), strict=True))
        digests = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            digests[table] = hashlib.md5("\n".join(rows).encode()).hexdigest()  # noqa: S324
        return digests


def expected(rule: Rule, role: str) -> str | int | frozenset[int]:
    if role in rule.overrides:
        return rule.overrides[role]
    if role in rule.allowed:
        return rule.ok
    if role in rule.refused:
        return REFUSED
    if role in NOBODY:
        return rule.anonymous
    return rule.denied


def answer(ctx: Context, rule: Rule, role: str, url: str) -> tuple[int, str]:
    data = rule.data(ctx, role)
    client = ctx.clients[role]
    if rule.content_type:
        response = getattr(client, rule.method)(
            url, json.dumps(data), content_type=rule.content_type
        )
    else:
        response = getattr(client, rule.method)(url, data)
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
    if rule.method == "post" and rule.effect is None:
        wrong.append(f"POST {url}: say what an allowed caller's request does (effect)")
    # Those allowed go last: what they do (remove a member, say) must not change what
    # the others are answered.
    for role in sorted(
        ROLES,
        key=lambda role: (
            role in rule.allowed,
            rule.allowed.index(role) if role in rule.allowed else 0,
        ),
    ):
        allowed = role in rule.allowed and role not in rule.overrides
        if allowed and rule.prepare is not None:
            rule.prepare(ctx, role)
            url = reverse(name, kwargs=rule.kwargs(ctx))
        what = f"{rule.method.upper()} {url} as {role}"
        before = None if allowed else table_contents()
        status, location = answer(ctx, rule, role, url)
        want = expected(rule, role)
        if not matches(want, status, location):
            wrong.append(f"{what}: {status} {location} (want {want})")
        if allowed:
            if rule.effect is not None and not rule.effect(ctx, role):
                wrong.append(f"{what}: {status}, but it did not do what it should")
            continue
        after = table_contents()
        changed = sorted(t for t, digest in after.items() if before[t] != digest)
        if changed:
            wrong.append(f"{what} changed the database: {changed}")
        if rule.effect is not None and rule.effect(ctx, role):
            wrong.append(f"{what} did what only an allowed caller may")
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


def test_the_sweep_notices_a_refused_caller_who_changes_a_row(ctx, monkeypatch):
    """A guard on the guard: an UPDATE keeps every row count, and is still caught."""
    real = answer

    def leaky(ctx: Context, rule: Rule, role: str, url: str) -> tuple[int, str]:
        result = real(ctx, rule, role, url)
        if role == "other_artist":
            Work.objects.filter(pk=ctx.world.works[0].pk).update(title="Renamed")
        return result

    monkeypatch.setattr(sys.modules[__name__], "answer", leaky)
    wrong = check(ctx, "artist_home", RULES["artist_home"])
    assert [w for w in wrong if "changed the database" in w] == [
        f"GET {reverse('artist_home', args=[ctx.world.artist.pk])} as other_artist changed "
        "the database: ['catalogue_work']"
    ]


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
