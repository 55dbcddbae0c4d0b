"""The product page as a label's manager reads it: each row's artist and both sides'
answers, the filters in the URL (each one, and forged ones), sorting, numbered pages, and
a bulk answer over everything a filter matches."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.catalogue.models import Release, Track
from portal.consent.models import Answer, Decision, Delegation, Side
from portal.consent.selectors import counting
from portal.consent.selectors.filtering import WorkFilter, works_filtered, works_sorted
from portal.consent.services import delegation_grant
from tests import factories as f
from tests.conftest import World, say


def page_url(world: World, kind: str = "labels", party_id: int | None = None) -> str:
    kwargs = {
        "kind": kind,
        "party_id": party_id or world.label.pk,
        "product_slug": "tunesmith",
    }
    return reverse("matrix", kwargs=kwargs)


def bulk_url(world: World) -> str:
    kwargs = {"kind": "labels", "party_id": world.label.pk, "product_slug": "tunesmith"}
    return reverse("bulk", kwargs=kwargs)


def text(response: object) -> str:
    return unescape(response.content.decode())  # type: ignore[attr-defined]


def titles(response: object) -> list[str]:
    return re.findall(r'<span class="title">([^<]+)</span>', text(response))


def matching(world: World, **kwargs: object) -> set[str]:
    works = works_filtered(
        works=world.label.works.all(),
        product_id=world.product.pk,
        side=Side.RIGHTS_HOLDER,
        use_type_ids=[world.training.pk, world.style.pk],
        f=WorkFilter(**kwargs),  # type: ignore[arg-type]
        now=timezone.now(),
    )
    return set(works.values_list("title", flat=True))


# --- rows -------------------------------------------------------------------------


def test_each_row_names_the_artist_and_what_the_artist_answered(
    world: World, manager_client: Client
) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)  # Night Drive 0, training
    page = text(manager_client.get(page_url(world)))
    row = page[page.index("Night Drive 0") :].split("</tr>")[0]
    assert '<span class="artist">Ada Lane</span>' in row
    assert "Artist: <strong>Yes</strong>" in row
    assert "Artist: <strong>Not yet</strong>" in row  # style generation
    assert "Waiting for you" in row or "Not permitted" in row


def test_an_expired_yes_reads_expired(world: World, manager_client: Client) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    Decision.objects.filter(side=Side.ARTIST).update(expires_at=timezone.now() - timedelta(days=1))
    page = text(manager_client.get(page_url(world)))
    assert "Artist: <strong>Expired " in page


def test_a_delegated_artist_links_to_answering_for_them(
    world: World, manager_client: Client
) -> None:
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    page = text(manager_client.get(page_url(world)))
    delegated = page_url(world, "delegations", delegation.pk)
    assert f'href="{delegated}?q={world.works[0].isrc}&use=training"' in page
    assert "Answer for Ada Lane" in page
    # Bo Reed delegated nothing.
    row = page[page.index("Paper Moons") :].split("</tr>")[0]
    assert "Answer for" not in row


def test_the_delegated_page_shows_the_labels_answer_and_counts_only_the_artists_works(
    world: World, manager_client: Client
) -> None:
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    url = page_url(world, "delegations", delegation.pk)
    page = text(manager_client.get(url, {"use": "training", "label_answer": "yes"}))
    assert "Northern Lights Records: <strong>Yes</strong>" in page
    assert "1 work " in page
    assert text(manager_client.get(url)).count('<span class="title">') == 3
    assert Delegation.objects.count() == 1


# --- filters ----------------------------------------------------------------------


def test_the_artist_answer_filters(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, world.works[0])
    say(world, Side.ARTIST, Answer.DENIED, world.works[1])
    say(
        world,
        Side.ARTIST,
        Answer.GRANTED,
        world.works[2],
        expires_at=timezone.now() + timedelta(days=1),
    )
    Decision.objects.filter(work=world.works[2]).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    t = world.training.pk
    assert matching(world, use_type_id=t, artist_answer="yes") == {"Night Drive 0"}
    assert matching(world, use_type_id=t, artist_answer="no") == {"Night Drive 1"}
    assert matching(world, use_type_id=t, artist_answer="expired") == {"Night Drive 2"}
    assert matching(world, use_type_id=t, artist_answer="none") == {"Paper Moons"}
    # Any use: style generation is unanswered everywhere.
    assert len(matching(world, artist_answer="none")) == 4


def test_the_label_answer_and_state_filters_hold_for_the_same_use(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, world.works[0])
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, world.works[0])
    say(world, Side.ARTIST, Answer.GRANTED, world.works[1])
    t = world.training.pk
    assert matching(world, use_type_id=t, label_answer="yes") == {"Night Drive 0"}
    assert matching(world, use_type_id=t, artist_answer="yes", label_answer="none") == {
        "Night Drive 1"
    }
    assert matching(world, use_type_id=t, state="permitted") == {"Night Drive 0"}
    assert "Night Drive 0" not in matching(world, use_type_id=t, state="waiting")
    assert matching(world, use_type_id=t, state="not_permitted") == {
        "Night Drive 1",
        "Night Drive 2",
        "Paper Moons",
    }
    # Without a use, "artist yes and label not yet" must hold for one use at once: for
    # Night Drive 0 the artist said yes to training, where the label answered too.
    assert matching(world, artist_answer="yes", label_answer="none") == {"Night Drive 1"}


def test_waiting_without_a_use_is_waiting_in_any_use(world: World) -> None:
    for use in (world.training, world.style):
        say(world, Side.RIGHTS_HOLDER, Answer.DENIED, world.works[0], use)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, world.works[1], world.style)
    say(world, Side.ARTIST, Answer.GRANTED, world.works[2], world.style)
    # Night Drive 0 is answered in both uses; Night Drive 1 still waits for training.
    assert matching(world, state="waiting") == {"Night Drive 1", "Night Drive 2", "Paper Moons"}
    assert matching(world, state="waiting", use_type_id=world.style.pk) == {
        "Night Drive 2",
        "Paper Moons",
    }


def test_a_count_the_tallies_cannot_give_stops_at_the_limit(
    world: World, manager_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counting, "COUNT_LIMIT", 3)
    f.WorkFactory.create_batch(4, primary_artist=world.artist, title="Moonrise")
    page = text(manager_client.get(page_url(world), {"q": "moon"}))  # and Paper Moons
    assert "More than 3 works matching “moon”" in page
    assert "The pages list the first 3" in page
    assert "Answer every work matching “moon”" in page
    assert len(titles(manager_client.get(page_url(world), {"q": "moon"}))) == 3
    # Counted from the tallies, a filter says its exact count whatever the limit.
    page = text(manager_client.get(page_url(world), {"artist": world.artist.pk}))
    assert "7 works" in page and "More than" not in page


def test_the_artist_release_and_search_filters(world: World) -> None:
    release = Release.objects.create(label=world.label, title="Harbour")
    Track.objects.create(release=release, work=world.works[1])
    assert matching(world, artist_id=world.other_artist.pk) == {"Paper Moons"}
    assert matching(world, release_id=release.pk) == {"Night Drive 1"}
    assert matching(world, q="paper") == {"Paper Moons"}


def test_sorts_by_title_artist_and_release_date(world: World) -> None:
    works = world.label.works.all()
    by_title = list(works_sorted(works, "title").values_list("title", flat=True))
    assert by_title == sorted(by_title)
    assert (
        next(iter(works_sorted(works, "-artist").values_list("primary_artist__name", flat=True)))
        == "Bo Reed"
    )
    f.WorkFactory(primary_artist=world.artist, title="Zed", release_date="2001-01-01")
    oldest = works_sorted(world.label.works.all(), "release_date").first()
    assert oldest is not None and oldest.title == "Zed"


def test_the_page_filters_by_url_and_keeps_the_filter_in_its_links(
    world: World, manager_client: Client
) -> None:
    f.WorkFactory.create_batch(60, primary_artist=world.other_artist)
    response = manager_client.get(
        page_url(world), {"artist": world.other_artist.pk, "sort": "-title"}
    )
    assert response.status_code == 200
    page = text(response)
    assert "61 works by Bo Reed" in page
    assert f"?artist={world.other_artist.pk}&sort=-title&page=2" in page
    assert f'<option value="{world.other_artist.pk}" selected>Bo Reed</option>' in page


@pytest.mark.parametrize(
    "params, error",
    [
        ({"artist": "outsider"}, "That artist is not on this roster."),
        ({"artist": "abc"}, "That artist is not on this roster."),
        ({"release": "999999"}, "None of these works is on that release."),
        ({"use": "voice"}, "This product does not ask for that use."),
        ({"artist_answer": "maybe"}, "Select a valid choice"),
    ],
)
def test_a_forged_filter_is_an_error_and_offers_no_bulk_answer(
    world: World, manager_client: Client, params: dict[str, str], error: str
) -> None:
    if params.get("artist") == "outsider":
        params = {"artist": str(world.outsider_artist.pk)}
    response = manager_client.get(page_url(world), params)
    assert response.status_code == 400
    page = text(response)
    assert error in page
    assert "bulk-form" not in page
    assert "Far Shore" not in page


def test_another_labels_release_is_refused(world: World, manager_client: Client) -> None:
    release = Release.objects.create(label=world.other_label, title="Elsewhere")
    Track.objects.create(release=release, work=world.outsider_works[0])
    response = manager_client.get(page_url(world), {"release": release.pk})
    assert response.status_code == 400


def test_the_page_is_numbered_and_can_jump(world: World, manager_client: Client) -> None:
    f.WorkFactory.create_batch(240, primary_artist=world.artist)
    page = text(manager_client.get(page_url(world), {"page": 3}))
    assert 'aria-current="page" href="?page=3"' in page
    assert 'href="?page=5"' in page  # the last page, 244 works at 50
    assert 'name="page" id="jump-page" min="1" max="5"' in page
    assert len(titles(manager_client.get(page_url(world), {"per_page": 200}))) == 200


@pytest.mark.parametrize("extra", [5, 300])
def test_the_page_reads_a_constant_number_of_queries(
    world: World, manager_client: Client, django_assert_max_num_queries, extra: int
) -> None:
    works = f.WorkFactory.create_batch(extra, primary_artist=world.other_artist)
    for work in works[:5]:
        say(world, Side.ARTIST, Answer.GRANTED, work)
    delegation_grant(actor=world.artist_user, artist=world.artist)
    params = {"use": "training", "artist_answer": "yes", "label_answer": "none", "sort": "artist"}
    # 31: the count from the tallies (the works, the cells, the expired answers), the
    # labels' policies, the page's ids before its rows, what each work earned, and the
    # conditions a yes carries.
    with django_assert_max_num_queries(31):
        assert manager_client.get(page_url(world), params).status_code == 200
    with django_assert_max_num_queries(30):
        assert manager_client.get(page_url(world), {"per_page": 200}).status_code == 200


# --- bulk over the filter -----------------------------------------------------------


def test_the_bulk_form_sits_above_the_rows_and_says_what_it_covers(
    world: World, manager_client: Client
) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, world.works[0])
    say(world, Side.ARTIST, Answer.GRANTED, world.works[1])
    page = text(manager_client.get(page_url(world), {"use": "training", "artist_answer": "yes"}))
    assert page.index('id="bulk-form"') < page.index('class="matrix"')
    assert "Answer the 2 works where the artist said yes for training" in page
    assert "It is applied at once when you confirm." in page


def test_the_preview_is_exact_and_the_answer_covers_what_the_filter_matched(
    world: World, manager_client: Client
) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, world.works[0])
    say(world, Side.ARTIST, Answer.GRANTED, world.works[1])
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, world.works[1])
    scope = {
        "use": "training",
        "filter-use": "training",
        "filter-artist_answer": "yes",
        "scope": "filtered",
        "answer": "granted",
    }
    preview = text(manager_client.post(bulk_url(world), scope))
    assert "for <strong>1 work</strong> (1 already granted)" in preview
    assert "<strong>1</strong> of them becomes permitted at once" in preview
    assert "Night Drive 0" in preview and "Night Drive 1" in preview
    assert "Paper Moons" not in preview
    token = re.search(r'name="token" value="([0-9a-f]{32})"', preview)
    assert token
    response = manager_client.post(
        bulk_url(world), {**scope, "confirm": "yes", "token": token.group(1)}, follow=True
    )
    assert "Training granted for 1 work (1 already was). 1 permission changed." in text(response)
    decided = Decision.objects.filter(side=Side.RIGHTS_HOLDER, answer=Answer.GRANTED)
    assert set(decided.values_list("work__title", flat=True)) == {"Night Drive 0", "Night Drive 1"}


def test_the_preview_speaks_of_the_party_not_to_the_artist(
    world: World, manager_client: Client
) -> None:
    world.training.explanation = "Your recordings are used to teach a model."
    world.training.save()
    preview = text(
        manager_client.post(
            bulk_url(world), {"use": "training", "scope": "filtered", "answer": "granted"}
        )
    )
    assert "Northern Lights Records' recordings are used to teach a model." in preview
    assert "Your recordings" not in preview


def test_the_footer_speaks_to_the_manager(world: World, manager_client: Client) -> None:
    page = text(manager_client.get(page_url(world)))
    assert "a yes from the artist and from Northern Lights Records" in page
    assert "from you and from your label" not in page


def test_a_labels_answer_by_htmx_keeps_the_artists_answer_and_the_delegation_link(
    world: World, manager_client: Client
) -> None:
    delegation_grant(actor=world.artist_user, artist=world.artist)
    say(world, Side.ARTIST, Answer.GRANTED)
    url = reverse(
        "decide",
        kwargs={
            "kind": "labels",
            "party_id": world.label.pk,
            "product_slug": "tunesmith",
            "work_id": world.works[0].pk,
        },
    )
    response = manager_client.post(
        url, {"use": "training", "answer": "granted"}, headers={"HX-Request": "true"}
    )
    cell = text(response)
    assert "Artist: <strong>Yes</strong>" in cell
    assert "Answer for Ada Lane" in cell
    assert "Permitted" in cell
