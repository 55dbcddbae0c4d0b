"""Names staff and imports enter hold no control characters and no text-direction marks:
one U+202E in a title turns the rest of every page and CSV line that shows it around."""

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from portal.catalogue.identifiers import iswc_normalise
from portal.catalogue.models import Artist, Label
from portal.text import control_in, name_control_in
from tests import factories as f
from tests.conftest import World, logged_in

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"]
BIDI += ["\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]
CONTROLS = ["\x00", "\x01", "\t", "\n", "\r", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]

NAMED: list[tuple[Callable[[], models.Model], str]] = [
    (lambda: f.LabelFactory.build(), "name"),
    (lambda: f.ArtistFactory.build(label=None), "name"),
    (lambda: f.WorkFactory(), "title"),
    (lambda: f.WorkFactory(), "release_title"),
    (lambda: f.CreditFactory(), "name"),
    (lambda: f.UseTypeFactory.build(slug="karaoke"), "name"),
    (lambda: f.LicenseeFactory.build(), "name"),
    (lambda: f.ProductFactory(), "name"),
    (lambda: f.UserFactory.build(), "name"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "field"), NAMED)
@pytest.mark.parametrize("char", ["\u202e", "\u2067", "\u200f", "\x00", "\n", "\x85"])
def test_a_name_with_a_direction_mark_or_control_is_refused_by_full_clean(
    make: Callable[[], models.Model], field: str, char: str
) -> None:
    instance = make()
    setattr(instance, field, f"Night {char}evirD")
    with pytest.raises(ValidationError) as raised:
        instance.full_clean()
    assert field in raised.value.message_dict
    assert f"U+{ord(char):04X}" in " ".join(raised.value.message_dict[field])


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "field"), NAMED)
def test_names_in_any_script_are_taken(make: Callable[[], models.Model], field: str) -> None:
    instance = make()
    # Right-to-left scripts need no marks to show as they should; nor do accents or emoji.
    setattr(instance, field, "ليلى Sigur Rós — 夜のドライブ 🎧")
    instance.full_clean()


def test_staff_see_the_error_in_admin_and_nothing_is_saved(world: World) -> None:
    staff = logged_in(world.staff)
    response = staff.post(reverse("admin:catalogue_label_add"), {"name": "Evil \u202eseldnaC"})
    assert response.status_code == 200
    assert "text-direction marks (U+202E)" in response.content.decode()
    assert not Label.objects.filter(name__contains="Evil").exists()
    response = staff.post(
        reverse("admin:catalogue_artist_change", args=[world.artist.pk]),
        {"name": "Ada \u2066Lane", "isni": "", "label": world.label.pk},
    )
    assert response.status_code == 200 and "U+2066" in response.content.decode()
    assert Artist.objects.get(pk=world.artist.pk).name == "Ada Lane"


@pytest.mark.parametrize("char", BIDI)
def test_every_direction_mark_is_refused_in_names_but_not_in_other_text(char: str) -> None:
    assert name_control_in(f"a{char}b") == char
    assert control_in(f"a{char}b", multiline=True) is None


@pytest.mark.parametrize("char", CONTROLS)
def test_every_control_is_refused_in_names_and_lines(char: str) -> None:
    assert name_control_in(f"a{char}b") == char
    assert control_in(f"a{char}b") == char
    free_text = control_in(f"a{char}b", multiline=True)
    assert free_text == (None if char in "\t\n\r" else char)


def test_an_iswc_is_ascii_digits_only() -> None:
    assert iswc_normalise("T-034.524.680-1") == "T0345246801"
    arabic = "T-034.524.680-1".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    with pytest.raises(ValidationError):
        iswc_normalise(arabic)
