"""Staff edit artists' teams in admin through the team services: the history records it as
staff's act, the team's admins are told, and a team always keeps an admin. A change the
rule refuses is an error on the page and saves nothing."""

from typing import Any

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.test import Client
from django.urls import reverse

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership
from portal.notifications.models import Notification
from portal.teams import selectors
from portal.teams.models import TeamEvent
from portal.teams.services import NotEntitled, TeamError, membership_add
from tests import factories as f
from tests.conftest import World, logged_in

Role = ArtistMembership.Role
MEMBERS = "artistmembership_set"
STAFF_NAME = "(platform staff)"


@pytest.fixture
def staff(world: World) -> Client:
    return logged_in(world.staff)


def page(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def values(form: Any) -> dict[str, Any]:
    """What a browser sends back for `form` unchanged."""
    data: dict[str, Any] = {}
    for bound in form:
        if bound.field.disabled:
            continue
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = "" if value is None else str(value)
    return data


def as_shown(client: Client, url: str) -> dict[str, Any]:
    """The change page's own data, as a browser would post it back untouched."""
    response = client.get(url)
    assert response.status_code == 200
    data = values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(values(formset.management_form))
        for form in formset.forms:
            data.update(values(form))
    return data


def row(data: dict[str, Any], membership: ArtistMembership) -> str:
    """The prefix of `membership`'s row in the posted data."""
    for key, value in data.items():
        if key.startswith(MEMBERS) and key.endswith("-id") and value == str(membership.pk):
            return key.removesuffix("-id")
    raise AssertionError(f"{membership} is not on the page")


def new_row(data: dict[str, Any], **fields: object) -> None:
    n = int(data[f"{MEMBERS}-TOTAL_FORMS"])
    data[f"{MEMBERS}-TOTAL_FORMS"] = str(n + 1)
    data.update({f"{MEMBERS}-{n}-{name}": str(value) for name, value in fields.items()})


def errors(response: Any) -> str:
    """Every error the admin page shows, form and formsets alike, as text."""
    lists = [*response.context["adminform"].form.errors.values()]
    for inline in response.context["inline_admin_formsets"]:
        lists.append(inline.formset.non_form_errors())
        lists += [errors for form in inline.formset.forms for errors in form.errors.values()]
    return " ".join(message for errors in lists for message in errors)


def notes(user: User) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("message", flat=True))


def shown(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def ada(world: World) -> ArtistMembership:
    """Ada Lane's only admin."""
    return ArtistMembership.objects.get(artist=world.artist, user=world.artist_user)


# --- adding, changing, removing through the services ----------------------------------


def test_staff_add_a_member_on_the_artists_page_and_the_history_and_admins_know(
    world: World, staff: Client
) -> None:
    newcomer = f.UserFactory(email="newcomer@example.test")
    url = page(Artist, "change", world.artist.pk)
    data = as_shown(staff, url)
    new_row(data, user=newcomer.pk, role=Role.EDITOR)

    response = staff.post(url, data)

    assert response.status_code == 302, errors(response)
    assert ArtistMembership.objects.get(artist=world.artist, user=newcomer).role == Role.EDITOR
    event = TeamEvent.objects.get(kind=TeamEvent.Kind.ADDED)
    assert (event.actor, event.subject, event.role) == (world.staff, newcomer.email, "editor")
    assert STAFF_NAME in event.actor_name
    told = f"{event.actor_name} put {newcomer.display_name} (newcomer@example.test) on Ada Lane"
    assert [note.startswith(told) for note in notes(world.artist_user)] == [True]
    assert [note.startswith(told) for note in notes(newcomer)] == [True]
    team = logged_in(world.artist_user).get(reverse("team", args=[world.artist.pk]))
    assert "put newcomer@example.test on the team as editor" in team.content.decode()


def test_staff_change_a_role_on_the_membership_page_through_the_service(
    world: World, staff: Client
) -> None:
    editor = f.ArtistMembershipFactory(artist=world.artist, role=Role.EDITOR)

    response = staff.post(page(ArtistMembership, "change", editor.pk), {"role": Role.READER})

    assert response.status_code == 302, errors(response)
    editor.refresh_from_db()
    assert editor.role == Role.READER
    event = TeamEvent.objects.get(kind=TeamEvent.Kind.ROLE_CHANGED)
    assert (event.actor, event.previous_role, event.role) == (world.staff, "editor", "reader")
    assert STAFF_NAME in event.actor_name
    assert len(notes(world.artist_user)) == 1 and len(notes(editor.user)) == 1


def test_staff_add_a_member_on_the_membership_page_through_the_service(
    world: World, staff: Client
) -> None:
    newcomer = f.UserFactory()

    response = staff.post(
        page(ArtistMembership, "add"),
        {"artist": world.artist.pk, "user": newcomer.pk, "role": Role.READER},
    )

    assert response.status_code == 302, errors(response)
    assert ArtistMembership.objects.filter(artist=world.artist, user=newcomer).exists()
    assert TeamEvent.objects.filter(kind=TeamEvent.Kind.ADDED, actor=world.staff).count() == 1


def test_staff_take_someone_off_a_team_on_the_users_page_through_the_service(
    world: World, staff: Client
) -> None:
    editor = f.ArtistMembershipFactory(artist=world.artist, role=Role.EDITOR)
    url = page(User, "change", editor.user.pk)
    data = as_shown(staff, url)
    data[f"{row(data, editor)}-DELETE"] = "on"

    response = staff.post(url, data)

    assert response.status_code == 302, errors(response)
    assert not ArtistMembership.objects.filter(pk=editor.pk).exists()
    event = TeamEvent.objects.get(kind=TeamEvent.Kind.REMOVED)
    assert (event.actor, event.subject, event.previous_role) == (
        world.staff,
        editor.user.email,
        "editor",
    )
    assert STAFF_NAME in event.actor_name
    assert len(notes(world.artist_user)) == 1


def test_staff_delete_memberships_from_the_list_through_the_service(
    world: World, staff: Client
) -> None:
    editors = [f.ArtistMembershipFactory(artist=world.artist, role=Role.EDITOR) for _ in "ab"]

    response = staff.post(
        page(ArtistMembership, "changelist"),
        {"action": "delete_selected", "post": "yes", "_selected_action": [m.pk for m in editors]},
    )

    assert response.status_code == 302
    assert not ArtistMembership.objects.filter(pk__in=[m.pk for m in editors]).exists()
    assert TeamEvent.objects.filter(kind=TeamEvent.Kind.REMOVED, actor=world.staff).count() == 2


def test_promoting_someone_and_demoting_the_only_admin_in_one_save_is_allowed(
    world: World, staff: Client
) -> None:
    editor = f.ArtistMembershipFactory(artist=world.artist, role=Role.EDITOR)
    url = page(Artist, "change", world.artist.pk)
    data = as_shown(staff, url)
    data[f"{row(data, ada(world))}-role"] = Role.READER
    data[f"{row(data, editor)}-role"] = Role.ADMIN

    response = staff.post(url, data)

    assert response.status_code == 302, errors(response)
    assert dict(ArtistMembership.objects.filter(artist=world.artist).values_list("pk", "role")) == {
        ada(world).pk: Role.READER,
        editor.pk: Role.ADMIN,
    }
    assert TeamEvent.objects.filter(kind=TeamEvent.Kind.ROLE_CHANGED).count() == 2


# --- a team always keeps an admin ---------------------------------------------------------


def assert_nothing_changed(before: list[tuple[int, str]]) -> None:
    assert list(ArtistMembership.objects.order_by("pk").values_list("pk", "role")) == before
    assert not TeamEvent.objects.exists()
    assert not Notification.objects.exists()


def memberships() -> list[tuple[int, str]]:
    return list(ArtistMembership.objects.order_by("pk").values_list("pk", "role"))


def test_demoting_the_only_admin_on_the_membership_page_is_a_form_error(
    world: World, staff: Client
) -> None:
    before = memberships()

    response = staff.post(page(ArtistMembership, "change", ada(world).pk), {"role": Role.EDITOR})

    assert response.status_code == 200
    assert "the only admin of Ada Lane's team" in errors(response)
    assert_nothing_changed(before)


def test_taking_the_only_admin_off_on_the_artists_page_is_an_error_and_saves_nothing(
    world: World, staff: Client
) -> None:
    before = memberships()
    url = page(Artist, "change", world.artist.pk)
    data = as_shown(staff, url)
    data[f"{row(data, ada(world))}-DELETE"] = "on"
    data["name"] = "Ada Lane (renamed)"

    response = staff.post(url, data)

    assert response.status_code == 200
    assert "is the only admin of Ada Lane" in errors(response)
    assert_nothing_changed(before)
    assert Artist.objects.get(pk=world.artist.pk).name == "Ada Lane"


def test_demoting_both_admins_in_one_save_is_refused(world: World, staff: Client) -> None:
    second = f.ArtistMembershipFactory(artist=world.artist, role=Role.ADMIN)
    before = memberships()
    url = page(Artist, "change", world.artist.pk)
    data = as_shown(staff, url)
    data[f"{row(data, ada(world))}-role"] = Role.EDITOR
    data[f"{row(data, second)}-role"] = Role.READER

    response = staff.post(url, data)

    assert response.status_code == 200
    assert "a team always needs one" in errors(response)
    assert_nothing_changed(before)


def test_deleting_the_only_admin_on_the_membership_page_says_why_and_keeps_them(
    world: World, staff: Client
) -> None:
    before = memberships()

    response = staff.post(
        page(ArtistMembership, "delete", ada(world).pk), {"post": "yes"}, follow=True
    )

    assert response.redirect_chain[-1][0] == page(ArtistMembership, "change", ada(world).pk)
    assert any("the only admin of Ada Lane's team" in m for m in shown(response))
    assert_nothing_changed(before)
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def test_deleting_selected_memberships_that_include_the_only_admin_deletes_none(
    world: World, staff: Client
) -> None:
    editor = f.ArtistMembershipFactory(artist=world.artist, role=Role.EDITOR)
    before = memberships()

    response = staff.post(
        page(ArtistMembership, "changelist"),
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [editor.pk, ada(world).pk],
        },
        follow=True,
    )

    assert response.status_code == 200
    assert any("the only admin of Ada Lane's team" in m for m in shown(response))
    assert_nothing_changed(before)
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def test_a_team_changed_while_the_form_was_checked_is_refused_and_nothing_is_saved(
    world: World, staff: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form judged by a team that has changed since: the service, under the team's
    lock, refuses, and the page says so rather than failing."""
    before = memberships()
    url = page(Artist, "change", world.artist.pk)
    data = as_shown(staff, url)
    data[f"{row(data, ada(world))}-role"] = Role.EDITOR
    data["name"] = "Ada Lane (renamed)"
    monkeypatch.setattr(selectors, "keeps_an_admin", lambda **kwargs: True)

    response = staff.post(url, data, follow=True)

    assert response.redirect_chain[-1][0] == url
    assert any(m.startswith("Nothing was saved.") for m in shown(response))
    assert_nothing_changed(before)
    assert Artist.objects.get(pk=world.artist.pk).name == "Ada Lane"


def test_a_membership_is_not_moved_to_another_person_on_the_artists_page(
    world: World, staff: Client
) -> None:
    editor = f.ArtistMembershipFactory(artist=world.artist, role=Role.EDITOR)
    before = memberships()
    url = page(Artist, "change", world.artist.pk)
    data = as_shown(staff, url)
    data[f"{row(data, editor)}-user"] = str(f.UserFactory().pk)

    response = staff.post(url, data)

    assert response.status_code == 200
    assert "delete it and add another" in errors(response)
    assert_nothing_changed(before)


# --- the service itself ---------------------------------------------------------------------


def test_only_staff_add_members_directly(world: World) -> None:
    with pytest.raises(NotEntitled):
        membership_add(
            actor=world.manager, artist=world.artist, user=f.UserFactory(), role=Role.EDITOR
        )
    assert not TeamEvent.objects.exists()


def test_someone_already_on_the_team_is_not_added_twice(world: World) -> None:
    with pytest.raises(TeamError, match="already on Ada Lane's team"):
        membership_add(
            actor=world.staff, artist=world.artist, user=world.artist_user, role=Role.READER
        )
    assert ada(world).role == Role.ADMIN
