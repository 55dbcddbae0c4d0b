"""An answer and the removal of the role it relies on, at once, on PostgreSQL: the answer
holds the rows that entitle its actor until it commits, so a removal that commits first
stops it, and a removal that comes while it is being written waits for it.

Each writer runs on its own thread (so its own connection); the test watches PostgreSQL
to see a writer wait for a row lock, rather than guessing with sleeps.
"""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from portal.accounts.models import User
from portal.catalogue.models import ArtistMembership, LabelManager, Work
from portal.consent.models import Answer, Decision, LedgerEntry, Side
from portal.consent.services import ConsentError, decisions, decisions_set, delegation_grant
from portal.licensing.models import Product
from portal.teams.models import TeamEvent
from portal.teams.services import membership_remove, membership_set_role
from tests import factories as f
from tests.conftest import World

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

Role = ArtistMembership.Role
PATIENCE = 30  # seconds; only ever waited in full when something is wrong


class Job(threading.Thread):
    """`target` on a thread of its own, so on a connection of its own."""

    def __init__(self, target: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self.target = target
        self.pid: int | None = None
        self.connected = threading.Event()
        self.error: BaseException | None = None
        self.finished_at = 0.0

    def run(self) -> None:
        try:
            connection.ensure_connection()
            self.pid = connection.connection.info.backend_pid
            self.connected.set()
            self.target()
        except BaseException as exc:
            self.error = exc
        finally:
            self.finished_at = time.monotonic()
            self.connected.set()
            connection.close()

    def finish(self) -> None:
        self.join(PATIENCE)
        assert not self.is_alive(), "a writer is stuck"


def waits_for_a_lock(job: Job) -> bool:
    """Watch `job` until PostgreSQL shows it waiting for a lock (True) or it ends (False)."""
    assert job.connected.wait(PATIENCE)
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if not job.is_alive():
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [job.pid])
            row = cursor.fetchone()
        if row and row[0] == "Lock":
            return True
        time.sleep(0.01)
    raise AssertionError("the job neither waited for a lock nor ended")


def held_open(change: Callable[[], object]) -> tuple[Job, threading.Event]:
    """Start `change` in a transaction that stays open, its locks held, until the event
    returned is set. Returns once the change is made."""
    made, may_commit = threading.Event(), threading.Event()

    def run() -> None:
        with transaction.atomic():
            change()
            made.set()
            assert may_commit.wait(PATIENCE)

    job = Job(run)
    job.start()
    assert made.wait(PATIENCE)
    return job, may_commit


def answer_job(world: World, actor: object, side: str, **kwargs: object) -> Job:
    return Job(
        lambda: decisions_set(
            actor=actor,
            product=Product.objects.get(pk=world.product.pk),
            use_type=world.training,
            side=side,
            answer=Answer.GRANTED,
            works=Work.objects.filter(pk__in=[w.pk for w in world.works]),
            **kwargs,
        )
    )


def editor_of(world: World) -> ArtistMembership:
    return f.ArtistMembershipFactory(artist=world.artist, role=Role.EDITOR)


CHANGES: dict[str, Callable[[World, ArtistMembership], object]] = {
    "taken off the team": lambda world, editor: membership_remove(
        actor=world.artist_user, membership=editor
    ),
    "made a reader": lambda world, editor: membership_set_role(
        actor=world.artist_user, membership=editor, role=Role.READER
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_an_editor_whose_role_goes_while_their_answer_waits_cannot_have_it_land(
    world: World, change: str
) -> None:
    editor = editor_of(world)
    removal, may_commit = held_open(lambda: CHANGES[change](world, editor))

    answer = answer_job(world, editor.user, Side.ARTIST)
    answer.start()
    waited = waits_for_a_lock(answer)
    may_commit.set()
    removal.finish()
    answer.finish()

    assert waited, "the answer did not wait for the change to the editor's role"
    assert removal.error is None
    assert isinstance(answer.error, ConsentError)
    assert not Decision.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_a_manager_removed_while_their_answer_waits_cannot_have_it_land(world: World) -> None:
    removal, may_commit = held_open(
        lambda: LabelManager.objects.filter(label=world.label, user=world.manager).delete()
    )

    answer = answer_job(world, world.manager, Side.RIGHTS_HOLDER)
    answer.start()
    waited = waits_for_a_lock(answer)
    may_commit.set()
    removal.finish()
    answer.finish()

    assert waited, "the answer did not wait for the manager's removal"
    assert isinstance(answer.error, ConsentError)
    assert not Decision.objects.exists()


def test_a_manager_removed_while_their_answer_under_a_delegation_waits_cannot_have_it_land(
    world: World,
) -> None:
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    removal, may_commit = held_open(
        lambda: LabelManager.objects.filter(label=world.label, user=world.manager).delete()
    )

    answer = answer_job(world, world.manager, Side.ARTIST, delegation=delegation)
    answer.start()
    waited = waits_for_a_lock(answer)
    may_commit.set()
    removal.finish()
    answer.finish()

    assert waited, "the answer did not wait for the manager's removal"
    assert isinstance(answer.error, ConsentError)
    assert not Decision.objects.exists()


def test_taking_an_editor_off_waits_for_their_answer_in_flight(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = editor_of(world)
    checked, may_write = threading.Event(), threading.Event()
    record = decisions.answers_record

    def paused(**kwargs: object) -> decisions.Outcome:
        # Entitlement checked, nothing written yet: the answer is in flight.
        checked.set()
        assert may_write.wait(PATIENCE)
        return record(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(decisions, "answers_record", paused)
    answer = answer_job(world, editor.user, Side.ARTIST)
    answer.start()
    assert checked.wait(PATIENCE)

    removal = Job(lambda: membership_remove(actor=world.artist_user, membership=editor))
    removal.start()
    waited = waits_for_a_lock(removal)
    may_write.set()
    answer.finish()
    removal.finish()

    assert waited, "the removal did not wait for the answer in flight"
    assert answer.error is None and removal.error is None
    assert answer.finished_at <= removal.finished_at
    assert Decision.objects.filter(side=Side.ARTIST, decided_by=editor.user).count() == 3
    assert not ArtistMembership.objects.filter(pk=editor.pk).exists()
    # The records say so too: the answer, then the removal.
    removed = TeamEvent.objects.get(kind=TeamEvent.Kind.REMOVED)
    assert max(LedgerEntry.objects.values_list("at", flat=True)) <= removed.at


def test_staff_changing_an_editors_email_and_team_in_one_save_neither_deadlocks_nor_loses(
    world: World,
) -> None:
    """Admin's save of a user: their row first (a new email locks it fully), then their
    memberships. An answer takes the user's row before the memberships too, so the two
    queue instead of each holding what the other waits for."""
    editor = editor_of(world)
    row_locked, go_on = threading.Event(), threading.Event()

    def admin_save() -> None:
        with transaction.atomic():
            User.objects.filter(pk=editor.user.pk).update(email="renamed@example.test")
            row_locked.set()
            assert go_on.wait(PATIENCE)
            membership_remove(actor=world.staff, membership=editor)

    save = Job(admin_save)
    save.start()
    assert row_locked.wait(PATIENCE)
    answer = answer_job(world, editor.user, Side.ARTIST)
    answer.start()
    assert waits_for_a_lock(answer)
    go_on.set()
    save.finish()
    answer.finish()

    assert save.error is None
    assert isinstance(answer.error, ConsentError)
    assert not Decision.objects.exists()
