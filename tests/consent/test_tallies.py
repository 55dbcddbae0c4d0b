"""The tallies the label's pages read equal a recount, whatever wrote: answers single and
bulk on both sides, expiries and the lapse sweep, stopping everything, withdrawals,
licence and product status changes, imports that add works or move them to another
artist, staff's work page."""

import random
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent.models import Answer, Side, Tally, WorkCount
from portal.consent.selectors.tallies import tallies_compare, tallies_recount, tallies_stored
from portal.consent.services import (
    decisions_set,
    grants_withdraw_all,
    lapses_announce,
    licence_save,
    product_set_status,
    works_reinstate,
    works_withdraw,
)
from portal.licensing.models import Product
from tests import factories as f
from tests.conftest import World, decider, say

CSV_HEAD = "isrc,title,artist,artist_isni,release,release_date,iswc,duration,contributors\n"


def agree(label_id: int | None = None) -> None:
    assert tallies_compare(label_id=label_id) is None
    assert tallies_stored(label_id=label_id) == tallies_recount(label_id=label_id)


def test_an_answer_moves_the_work_between_cells(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    tally = Tally.objects.get(artist=world.artist, use_type=world.training)
    assert (tally.yes_none, tally.yes_yes, tally.permitted) == (1, 0, 0)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    tally.refresh_from_db()
    assert (tally.yes_none, tally.yes_yes, tally.permitted) == (0, 1, 1)
    say(world, Side.ARTIST, Answer.DENIED)
    tally.refresh_from_db()
    assert (tally.yes_yes, tally.no_yes, tally.permitted) == (0, 1, 0)
    assert WorkCount.objects.get(label=world.label, artist=world.artist).works == 3
    agree()


def test_an_expired_yes_is_still_a_yes_and_permitted_until_the_sweep(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, expires_at=timezone.now() + timedelta(hours=1))
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        tally = Tally.objects.get(artist=world.artist, use_type=world.training)
        assert (tally.yes_yes, tally.permitted) == (1, 1)
        lapses_announce()
        tally.refresh_from_db()
        assert (tally.yes_yes, tally.permitted) == (1, 0)
        agree()


def _csv(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text(CSV_HEAD + "".join(f"{row}\n" for row in rows))
    return path


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_random_mix_of_writes_leaves_the_tallies_equal_to_a_recount(
    world: World, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    f.WorkFactory(primary_artist=rng.choice([world.artist, world.other_artist]))
    uses = [world.training, world.style]
    sides = [Side.ARTIST, Side.RIGHTS_HOLDER]
    now = timezone.now()
    for step in range(40):
        # Read afresh: an import may have moved a work to the other artist.
        works = list(Work.objects.filter(label=world.label).order_by("pk"))
        kind = rng.choice(
            ["one", "one", "one", "bulk", "bulk", "expiry", "stop", "withdraw", "licence",
             "status", "import"]
        )  # fmt: skip
        if kind == "one":
            work, side = rng.choice(works), rng.choice(sides)
            say(world, side, rng.choice(Answer.values), work=work, use=rng.choice(uses))
        elif kind == "bulk":
            side = rng.choice(sides)
            chosen = rng.sample(works, rng.randint(1, len(works)))
            if side == Side.ARTIST:
                artist = chosen[0].primary_artist
                chosen = [w for w in chosen if w.primary_artist_id == artist.pk]
            decisions_set(
                actor=decider(world, side, chosen[0]),
                product=world.product,
                use_type=rng.choice(uses),
                side=side,
                answer=rng.choice(Answer.values),
                works=Work.objects.filter(pk__in=[w.pk for w in chosen]),
            )
        elif kind == "expiry":
            say(
                world,
                Side.ARTIST,
                Answer.GRANTED,
                work=rng.choice(works),
                use=rng.choice(uses),
                expires_at=now + timedelta(minutes=rng.randint(1, 30)),
            )
        elif kind == "stop":
            grants_withdraw_all(actor=world.artist_user, artist=world.artist)
        elif kind == "withdraw":
            work = rng.choice(works)
            works_withdraw(work_ids=[work.pk]) if rng.random() < 0.6 else works_reinstate(
                work_ids=[work.pk]
            )
        elif kind == "licence":
            licence = world.licence
            licence.refresh_from_db()
            licence_save(licence=licence, use_types=rng.choice([uses, uses[:1], []]))
        elif kind == "status":
            product_set_status(
                product=world.product,
                status=rng.choice([Product.Status.ACTIVE, Product.Status.SUSPENDED]),
            )
        else:
            # A new recording, and one of Ada Lane's now credited to Bo Reed (or back).
            moved = rng.choice(works)
            artist = rng.choice([world.artist, world.other_artist])
            rows = [
                f"{moved.isrc},{moved.title},{artist.name},,,,,,",
                f"GBAYE26{step:05d},New {step},{world.other_artist.name},,,,,,",
            ]
            call_command(
                "import_catalogue",
                "--label",
                str(world.label.pk),
                str(_csv(tmp_path, f"{seed}-{step}.csv", rows)),
                stdout=StringIO(),
            )
        if step % 10 == 9:
            with time_machine.travel(now + timedelta(minutes=10 * (step + 1)), tick=False):
                lapses_announce()
        agree(world.label.pk)
    with time_machine.travel(now + timedelta(hours=2), tick=False):
        lapses_announce()
    agree()
