"""What is wrong inside a readable file: a bad ISRC or name rejects that recording (the
others are read), a bad optional value is dropped with a warning. The same rules hold
in ERN 4, ERN 3.8 and the CSV, since they share `assemble`."""

import pytest

from portal.imports.records import Problem, Recording, Release, Severity
from tests.imports.formats.messages import ern4_album, items_of, of_type

WHERE = "/NewReleaseMessage/ResourceList/SoundRecording[1]"


def only_problem(items: list[object]) -> Problem:
    [problem] = [item for item in items if isinstance(item, Problem)]
    return problem


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"first_isrc": "USRC1760783"}, "invalid_isrc"),
        ({"first_isrc": "US-RC1-76-07839X"}, "invalid_isrc"),
        ({"first_isrc": ""}, "missing_isrc"),
        ({"first_title": ""}, "missing_title"),
        ({"first_title": "Harbour\u202eLights"}, "control_character"),
        ({"first_title": "x" * 301}, "too_long"),
        ({"ada": "Ada \u2066Moss"}, "control_character"),
        ({"ada": "Ada\u0085Moss"}, "control_character"),
        ({"first_title": "Harbour\tLights"}, "control_character"),
    ],
)
def test_a_recording_with_a_bad_isrc_or_name_is_rejected_and_the_others_are_read(
    change: dict[str, str], code: str
) -> None:
    items = items_of(ern4_album(**change))

    recordings = of_type(items, Recording)
    problems = of_type(items, Problem)
    if change.get("ada"):
        # Ada is the artist of every recording: each is rejected, and so are the
        # releases left with nothing to carry.
        assert recordings == []
        assert {p.code for p in problems} == {code, "empty_release"}
        return
    assert [r.isrc for r in recordings] == ["GBAYE0601498", "FRZ039800212"]
    [problem] = [p for p in problems if p.code == code]
    assert (problem.where, problem.severity) == (WHERE, Severity.REJECTED)
    assert problem.isrc == change.get("first_isrc", "USRC17607839")
    # The album is still read, without the rejected track; the single has no other.
    [album] = of_type(items, Release)
    assert [track.isrc for track in album.tracks] == ["GBAYE0601498", "FRZ039800212"]
    assert [p.code for p in problems] == [code, "empty_release"]


@pytest.mark.parametrize(
    ("change", "code", "field", "left"),
    [
        ({"iswc": "T-000.000.000-0"}, "invalid_iswc", "iswc", ""),
        ({"duration": "PT0S"}, "invalid_duration", "duration", None),
        ({"duration": "PT49H"}, "invalid_duration", "duration", None),
        ({"duration": "three minutes"}, "invalid_duration", "duration", None),
        ({"year": "1066"}, "invalid_year", "p_line_year", None),
        ({"year": "2999"}, "invalid_year", "p_line_year", None),
    ],
)
def test_a_bad_optional_value_is_dropped_with_a_warning_and_the_recording_kept(
    change: dict[str, str], code: str, field: str, left: object
) -> None:
    items = items_of(ern4_album(**change))

    first = of_type(items, Recording)[0]
    assert getattr(first, field) == left
    problem = only_problem(items)
    assert (problem.code, problem.severity, problem.isrc) == (
        code,
        Severity.WARNING,
        "USRC17607839",
    )
    assert problem.message.endswith("It was left out.")
    # The warning follows its recording.
    assert items.index(problem) == items.index(first) + 1


def test_a_bad_isni_is_dropped_and_the_person_kept() -> None:
    document = ern4_album().replace(
        "<PartyId><ISNI>0000000368356153</ISNI></PartyId>",
        "<PartyId><ISNI>0000000368356154</ISNI></PartyId>",
    )

    items = items_of(document)

    first = of_type(items, Recording)[0]
    assert [(p.name, p.isni) for p in first.contributors][:2] == [("Jo Vale", "")] * 2
    warnings = [p for p in of_type(items, Problem) if p.code == "invalid_isni"]
    assert {p.isrc for p in warnings} == {"USRC17607839", "GBAYE0601498"}
    assert all(p.severity == Severity.WARNING for p in warnings)


def test_a_bad_release_identifier_or_date_is_dropped_with_a_warning() -> None:
    document = (
        ern4_album()
        .replace("<ICPN>5060123456783</ICPN>", "<ICPN>5060123456784</ICPN>")
        .replace("<ReleaseDate>2019-05-03</ReleaseDate>", "<ReleaseDate>0019-05-03</ReleaseDate>")
    )

    items = items_of(document)

    album = of_type(items, Release)[0]
    assert [i.kind for i in album.ids] == ["grid", "proprietary"]
    assert album.release_date is None
    assert [(p.code, p.where) for p in of_type(items, Problem)] == [
        ("invalid_icpn", "/NewReleaseMessage/ReleaseList/Release[1]"),
        ("invalid_date", "/NewReleaseMessage/ReleaseList/Release[1]"),
    ]


def test_a_release_title_with_a_direction_mark_rejects_the_release() -> None:
    document = ern4_album().replace(
        "<DisplayTitleText>Northern Tides</DisplayTitleText>",
        "<DisplayTitleText>Northern \u200fTides</DisplayTitleText>",
    )

    items = items_of(document)

    assert [r.title for r in of_type(items, Release)] == ["Harbour Lights"]
    problem = only_problem(items)
    assert (problem.code, problem.severity) == ("control_character", Severity.REJECTED)
    assert "U+200F" in problem.message
