"""The consent screens, walked through the permission matrix: owner, other artist,
outsider, the label's manager and another label's manager."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.catalogue.models import ArtistMembership, Work
from portal.consent.models import Answer, Decision, LedgerEntry, Side
from portal.licensing.models import Product
from tests import factories as f
from tests.conftest import World, logged_in, say

HTMX = {"HTTP_HX_REQUEST": "true"}


def matrix_url(world: World, kind: str = "artists", party_id: int | None = None) -> str:
    party_id = party_id or (world.artist.pk if kind == "artists" else world.label.pk)
    return reverse(
        "matrix", kwargs={"kind": kind, "party_id": party_id, "product_slug": "tunesmith"}
    )


def decide_url(
    world: World, work_id: int, kind: str = "artists", party_id: int | None = None
) -> str:
    party_id = party_id or (world.artist.pk if kind == "artists" else world.label.pk)
    return reverse(
        "decide",
        kwargs={
            "kind": kind,
            "party_id": party_id,
            "product_slug": "tunesmith",
            "work_id": work_id,
        },
    )


def bulk_url(world: World, kind: str = "artists", party_id: int | None = None) -> str:
    party_id = party_id or (world.artist.pk if kind == "artists" else world.label.pk)
    return reverse("bulk", kwargs={"kind": kind, "party_id": party_id, "product_slug": "tunesmith"})


# --- who sees what ----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(world: World) -> None:
    for url in (
        reverse("home"),
        reverse("artist_home", args=[world.artist.pk]),
        matrix_url(world),
        reverse("work_history", args=[world.works[0].pk]),
        reverse("stop_everything", args=[world.artist.pk]),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_home_sends_an_artist_to_their_catalogue(world: World, artist_client: Client) -> None:
    response = artist_client.get(reverse("home"))
    assert response["Location"] == reverse("artist_home", args=[world.artist.pk])


def test_someone_acting_for_two_parties_chooses(world: World) -> None:
    f.ArtistMembershipFactory(artist=world.other_artist, user=world.artist_user)
    response = logged_in(world.artist_user).get(reverse("home"))
    assert response.status_code == 200
    assert b"Who are you acting for?" in response.content
    assert b"Bo Reed" in response.content


def test_an_account_linked_to_nobody_is_told_what_to_do(db: None) -> None:
    response = logged_in(f.UserFactory()).get(reverse("home"))
    assert b"not linked to an artist or a label yet" in response.content


def test_staff_who_act_for_no_one_land_on_admin(world: World) -> None:
    response = logged_in(world.staff).get(reverse("home"))
    assert (response.status_code, response["Location"]) == (302, reverse("admin:index"))


def test_the_artist_home_shows_each_product_and_what_waits(
    world: World, artist_client: Client
) -> None:
    response = artist_client.get(reverse("artist_home", args=[world.artist.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tunesmith" in body
    assert "Needs your answer" in body
    assert "Licence: Northern Lights Records" in body
    assert "Review 6 decisions" in body  # 3 works x 2 uses, none answered


def test_a_suspended_product_says_nothing_is_permitted(world: World, artist_client: Client) -> None:
    Product.objects.filter(pk=world.product.pk).update(status=Product.Status.SUSPENDED)
    response = artist_client.get(reverse("artist_home", args=[world.artist.pk]))
    assert b"nothing is permitted while it is suspended" in response.content


def test_a_draft_product_is_not_shown_to_artists(world: World, artist_client: Client) -> None:
    Product.objects.filter(pk=world.product.pk).update(status=Product.Status.DRAFT)
    response = artist_client.get(reverse("artist_home", args=[world.artist.pk]))
    assert b"Tunesmith" not in response.content
    assert artist_client.get(matrix_url(world)).status_code == 404


@pytest.mark.parametrize("who", ["other_artist_user", "outsider_user", "manager", "other_manager"])
def test_nobody_else_opens_an_artists_pages(world: World, who: str) -> None:
    client = logged_in(getattr(world, who))
    assert client.get(reverse("artist_home", args=[world.artist.pk])).status_code == 404
    assert client.get(matrix_url(world)).status_code == 404
    assert client.get(reverse("stop_everything", args=[world.artist.pk])).status_code == 404


@pytest.mark.parametrize("who", ["artist_user", "outsider_user", "other_manager"])
def test_only_the_labels_managers_open_its_pages(world: World, who: str) -> None:
    client = logged_in(getattr(world, who))
    assert client.get(reverse("label_home", args=[world.label.pk])).status_code == 404
    assert client.get(matrix_url(world, "labels")).status_code == 404


def test_the_manager_sees_the_labels_matrix(world: World, manager_client: Client) -> None:
    response = manager_client.get(matrix_url(world, "labels"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "rights-holder side" in body
    assert "Paper Moons" in body  # the whole roster's works
    assert "Far Shore" not in body  # not another label's


def test_a_forged_product_slug_is_a_404(world: World, artist_client: Client) -> None:
    url = reverse(
        "matrix", kwargs={"kind": "artists", "party_id": world.artist.pk, "product_slug": "nope"}
    )
    assert artist_client.get(url).status_code == 404


def test_a_product_without_a_licence_for_the_label_is_a_404(world: World) -> None:
    other = f.ProductFactory(slug="elsewhere")
    f.ProductUseFactory(product=other, use_type=world.training)
    url = reverse(
        "matrix",
        kwargs={"kind": "artists", "party_id": world.artist.pk, "product_slug": "elsewhere"},
    )
    assert logged_in(world.artist_user).get(url).status_code == 404


# --- the matrix -----------------------------------------------------------------


def test_every_toggle_is_named_for_its_work_and_use(world: World, artist_client: Client) -> None:
    body = artist_client.get(matrix_url(world)).content.decode()
    assert 'aria-label="Training for Night Drive 0: yes"' in body
    assert 'aria-label="Style generation for Night Drive 2: no"' in body
    assert "Waiting for you" in body


def test_search_finds_works_by_title_or_isrc(world: World, artist_client: Client) -> None:
    work = world.works[1]
    for term in ("drive 1", work.isrc.lower(), f"{work.isrc[:2]}-{work.isrc[2:5]}"):
        body = artist_client.get(matrix_url(world), {"q": term}).content.decode()
        assert work.isrc in body, term
    body = artist_client.get(matrix_url(world), {"q": "no such song"}).content.decode()
    assert "No works match" in body


def test_the_state_filter_shows_what_waits_and_what_is_permitted(
    world: World, artist_client: Client
) -> None:
    work = world.works[0]
    for use in (world.training, world.style):
        say(world, Side.ARTIST, Answer.GRANTED, work, use)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work)
    waiting = artist_client.get(matrix_url(world), {"state": "waiting"}).content.decode()
    assert "Night Drive 0" not in waiting and "Night Drive 1" in waiting
    permitted = artist_client.get(matrix_url(world), {"state": "permitted"}).content.decode()
    assert "Night Drive 0" in permitted and "Night Drive 1" not in permitted


def test_the_matrix_is_paginated(world: World, artist_client: Client) -> None:
    f.WorkFactory.create_batch(60, primary_artist=world.artist)
    body = artist_client.get(matrix_url(world)).content.decode()
    assert 'aria-current="page" href="?page=1"' in body
    assert 'href="?page=2"' in body
    assert 'max="2"' in body  # the jump to any page
    assert "63 works" in body


# --- deciding ---------------------------------------------------------------------


def test_an_htmx_toggle_answers_with_the_updated_cell(world: World, artist_client: Client) -> None:
    work = world.works[0]
    response = artist_client.post(
        decide_url(world, work.pk), {"use": "training", "answer": "granted"}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="cell-{work.pk}-training"' in body
    assert 'aria-label="Training for Night Drive 0: yes"' in body
    assert 'aria-pressed="true"' in body
    assert "Saved: Training for Night Drive 0 is now allowed by you." in body
    assert "Waiting for Northern Lights Records" in body
    assert "<html" not in body
    decision = Decision.objects.get(work=work, use_type=world.training)
    assert (decision.side, decision.answer, decision.decided_by) == (
        Side.ARTIST,
        Answer.GRANTED,
        world.artist_user,
    )


def test_without_javascript_a_toggle_redirects_back_to_its_row_with_a_message(
    world: World, artist_client: Client
) -> None:
    response = artist_client.post(
        decide_url(world, world.works[0].pk),
        {"use": "training", "answer": "denied", "back": "q=night&page=1"},
        follow=True,
    )
    work = world.works[0]
    assert response.redirect_chain[-1][0] == f"{matrix_url(world)}?q=night&page=1#work-{work.pk}"
    assert "Saved: Training for Night Drive 0 is now refused by you." in response.content.decode()


def test_each_cell_goes_back_to_the_page_it_is_on(world: World, artist_client: Client) -> None:
    for n in range(60):
        f.WorkFactory(primary_artist=world.artist, title=f"Tide {n:02}")
    body = artist_client.get(matrix_url(world) + "?sort=title&page=2").content.decode()
    assert 'name="back" value="sort=title&amp;page=2"' in body
    first = artist_client.get(matrix_url(world) + "?sort=title").content.decode()
    assert 'name="back" value="sort=title"' in first
    # The pages' own links do not carry the page twice.
    assert "page=2&amp;page" not in body


def test_the_same_answer_twice_writes_one_ledger_entry(world: World, artist_client: Client) -> None:
    for _ in range(2):
        artist_client.post(
            decide_url(world, world.works[0].pk), {"use": "training", "answer": "granted"}
        )
    assert LedgerEntry.objects.count() == 1


def test_the_manager_decides_the_rights_holder_side_only(
    world: World, manager_client: Client
) -> None:
    manager_client.post(
        decide_url(world, world.works[0].pk, "labels"), {"use": "training", "answer": "granted"}
    )
    assert list(Decision.objects.values_list("side", flat=True)) == [Side.RIGHTS_HOLDER]
    # Without a delegation the artist side is out of reach: the artist's URLs are 404s.
    response = manager_client.post(
        decide_url(world, world.works[0].pk), {"use": "training", "answer": "granted"}
    )
    assert response.status_code == 404
    assert Decision.objects.count() == 1


def test_a_side_field_in_the_form_is_ignored(world: World, manager_client: Client) -> None:
    manager_client.post(
        decide_url(world, world.works[0].pk, "labels"),
        {"use": "training", "answer": "granted", "side": "artist"},
    )
    assert list(Decision.objects.values_list("side", flat=True)) == [Side.RIGHTS_HOLDER]


def test_another_artists_work_id_is_a_404(world: World, artist_client: Client) -> None:
    for work in (world.outsider_works[0], f.WorkFactory(primary_artist=world.other_artist)):
        response = artist_client.post(
            decide_url(world, work.pk), {"use": "training", "answer": "granted"}
        )
        assert response.status_code == 404
    assert not Decision.objects.exists()


def test_another_labels_work_is_a_404_for_the_manager(world: World, manager_client: Client) -> None:
    response = manager_client.post(
        decide_url(world, world.outsider_works[0].pk, "labels"),
        {"use": "training", "answer": "granted"},
    )
    assert response.status_code == 404
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"use": "lyrics", "answer": "granted"}, "This product does not ask for that use."),
        ({"use": "made-up", "answer": "granted"}, "This product does not ask for that use."),
        ({"use": "training", "answer": "toggle"}, "Choose yes or no."),
        ({"answer": "granted"}, "This field is required."),
    ],
)
def test_forged_fields_get_a_clear_message_and_change_nothing(
    world: World, artist_client: Client, data: dict[str, str], message: str
) -> None:
    response = artist_client.post(decide_url(world, world.works[0].pk), data, **HTMX)
    assert response.status_code == 422
    assert response["HX-Reswap"] == "none"
    assert message in response.content.decode()
    response = artist_client.post(decide_url(world, world.works[0].pk), data, follow=True)
    assert message in response.content.decode()
    assert not Decision.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_a_reader_sees_answers_but_cannot_decide(world: World) -> None:
    reader = f.ArtistMembershipFactory(artist=world.artist, role=ArtistMembership.Role.READER).user
    client = logged_in(reader)
    body = client.get(matrix_url(world)).content.decode()
    assert "Answer: not yet" in body
    assert 'name="answer"' not in body
    response = client.post(
        decide_url(world, world.works[0].pk), {"use": "training", "answer": "granted"}, **HTMX
    )
    assert response.status_code == 422
    assert not Decision.objects.exists()


def test_a_post_without_a_csrf_token_is_refused(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.artist_user)
    response = client.post(
        decide_url(world, world.works[0].pk), {"use": "training", "answer": "granted"}
    )
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_decide_accepts_only_post(world: World, artist_client: Client) -> None:
    assert artist_client.get(decide_url(world, world.works[0].pk)).status_code == 405


def test_an_expired_grant_reads_as_not_permitted(world: World, artist_client: Client) -> None:
    work = world.works[0]
    soon = timezone.now() + timedelta(hours=1)
    say(world, Side.ARTIST, Answer.GRANTED, work, expires_at=soon)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work)
    assert (
        f"Permitted until {soon:%-d %b %Y}" in artist_client.get(matrix_url(world)).content.decode()
    )
    Decision.objects.filter(side=Side.ARTIST).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    body = artist_client.get(matrix_url(world)).content.decode()
    assert "Not permitted: your yes has expired" in body


# --- bulk -------------------------------------------------------------------------


def test_bulk_previews_the_exact_count_before_changing_anything(
    world: World, artist_client: Client
) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    response = artist_client.post(
        bulk_url(world), {"use": "training", "answer": "granted", "scope": "all"}
    )
    body = response.content.decode()
    assert "This will grant Training for <strong>2 works</strong> (1 already granted)" in body
    assert Decision.objects.count() == 1
    response = artist_client.post(
        bulk_url(world),
        {"use": "training", "answer": "granted", "scope": "all", "confirm": "yes"},
        follow=True,
    )
    assert "Training granted for 2 works (1 already was)" in response.content.decode()
    assert Decision.objects.filter(answer=Answer.GRANTED).count() == 3


def test_bulk_on_selected_works(world: World, artist_client: Client) -> None:
    chosen = [world.works[0].pk, world.works[2].pk]
    artist_client.post(
        bulk_url(world),
        {
            "use": "style_generation",
            "answer": "denied",
            "scope": "selected",
            "works": chosen,
            "confirm": "yes",
        },
    )
    assert sorted(Decision.objects.values_list("work_id", flat=True)) == chosen


def test_bulk_on_the_filtered_works(world: World, artist_client: Client) -> None:
    artist_client.post(
        bulk_url(world),
        {
            "use": "training",
            "answer": "granted",
            "scope": "filtered",
            "filter-q": "Drive 2",
            "confirm": "yes",
        },
    )
    assert list(Decision.objects.values_list("work_id", flat=True)) == [world.works[2].pk]


def test_bulk_with_a_forged_work_id_changes_nothing(world: World, artist_client: Client) -> None:
    response = artist_client.post(
        bulk_url(world),
        {
            "use": "training",
            "answer": "granted",
            "scope": "selected",
            "works": [world.works[0].pk, world.outsider_works[0].pk],
            "confirm": "yes",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Some selected works are not in this catalogue." in body
    assert "Nothing was changed." in body
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"use": "lyrics", "answer": "granted", "scope": "all"},
        {"use": "training", "answer": "maybe", "scope": "all"},
        {"use": "training", "answer": "granted", "scope": "everything"},
        {"use": "training", "answer": "granted", "scope": "selected"},
        {"use": "training", "answer": "granted", "scope": "selected", "works": ["x"]},
    ],
)
def test_a_malformed_bulk_request_says_why_and_changes_nothing(
    world: World, artist_client: Client, data: dict[str, object]
) -> None:
    response = artist_client.post(bulk_url(world), {**data, "confirm": "yes"})
    assert response.status_code == 422
    assert "Nothing was changed." in response.content.decode()
    assert not Decision.objects.exists()


def test_the_manager_bulk_approves_the_roster(world: World, manager_client: Client) -> None:
    manager_client.post(
        bulk_url(world, "labels"),
        {"use": "training", "answer": "granted", "scope": "all", "confirm": "yes"},
    )
    assert Decision.objects.filter(side=Side.RIGHTS_HOLDER).count() == 4
    assert not Decision.objects.filter(work=world.outsider_works[0]).exists()


# --- stop everything --------------------------------------------------------------


def test_stop_everything_confirms_then_withdraws_every_yes(
    world: World, artist_client: Client
) -> None:
    for work in world.works:
        say(world, Side.ARTIST, Answer.GRANTED, work)
    url = reverse("stop_everything", args=[world.artist.pk])
    body = artist_client.get(url).content.decode()
    assert "<strong>3 yes answers</strong> across 1 AI product" in body
    assert Decision.objects.filter(answer=Answer.GRANTED).count() == 3
    response = artist_client.post(url, follow=True)
    assert "3 yes answers are now no" in response.content.decode()
    assert not Decision.objects.filter(answer=Answer.GRANTED).exists()


# --- history ----------------------------------------------------------------------


def test_the_history_lists_who_decided_for_whom(world: World, artist_client: Client) -> None:
    work = world.works[0]
    say(world, Side.ARTIST, Answer.GRANTED, work, note="Happy to help")
    say(world, Side.RIGHTS_HOLDER, Answer.DENIED, work)
    body = artist_client.get(reverse("work_history", args=[work.pk])).content.decode()
    assert "You</span>" in body
    assert f"{world.manager.display_name} for Northern Lights Records (label)" in body
    assert "no answer → Yes" in body and "no answer → No" in body
    assert "Happy to help" in body
    assert body.index("Entry #2") < body.index("Entry #1")


@pytest.mark.parametrize("who", ["other_artist_user", "outsider_user", "other_manager"])
def test_nobody_else_reads_a_works_history(world: World, who: str) -> None:
    url = reverse("work_history", args=[world.works[0].pk])
    assert logged_in(getattr(world, who)).get(url).status_code == 404


def test_the_labels_manager_reads_the_history(world: World, manager_client: Client) -> None:
    assert manager_client.get(reverse("work_history", args=[world.works[0].pk])).status_code == 200


# --- query counts -----------------------------------------------------------------


@pytest.mark.parametrize("extra_works", [10, 500])
def test_the_matrix_query_count_does_not_grow_with_the_catalogue(
    world: World, artist_client: Client, django_assert_max_num_queries, extra_works: int
) -> None:
    works = f.WorkFactory.create_batch(extra_works, primary_artist=world.artist)
    for work in works[:40]:
        say(world, Side.ARTIST, Answer.GRANTED, work)
    # The product page reads its rows' releases and the party's bulk answer in progress
    # too, its page's ids before their rows, what each work earned, and the conditions
    # a yes carries.
    with django_assert_max_num_queries(24):
        assert artist_client.get(matrix_url(world), {"state": "waiting"}).status_code == 200
    # The home's cards read the products' conditions, the licences' shares per use,
    # what each product paid in the last year and its models' breaches of withdrawals,
    # how many uses are permitted now, and use without permission no one has seen.
    with django_assert_max_num_queries(24):
        assert artist_client.get(reverse("artist_home", args=[world.artist.pk])).status_code == 200


def test_a_toggle_query_count_does_not_grow_with_the_catalogue(
    world: World, artist_client: Client
) -> None:
    """The same number of queries with 3 works as with 500 more (the ceiling covers
    SQLite too, where the webhook and notification tasks run in process; it counts the
    label's tallies kept in the answer's transaction, the labels' policies read, and the
    conditions a yes carries: those of the yes it repeats, or the party's default)."""

    def toggle(work: Work, answer: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = artist_client.post(
                decide_url(world, work.pk), {"use": "training", "answer": answer}, **HTMX
            )
        assert response.status_code == 200
        return len(queries)

    small = toggle(world.works[0], Answer.GRANTED)
    f.WorkFactory.create_batch(500, primary_artist=world.artist)
    large = toggle(world.works[1], Answer.GRANTED)
    assert large == small <= 44
