"""A usage report uploaded as CSV by staff: read into the dict the API takes, judged by
the same validation, stored whole or not at all, every mistake named by its row."""

from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from portal.api.services import api_key_issue
from portal.earnings.admin import reports as reports_admin
from portal.earnings.csv_upload import (
    CsvInvalid,
    Origin,
    Problem,
    problems_in,
    usage_report_from_csv,
)
from portal.earnings.models import Allocation, UsageLine, UsageReport
from portal.licensing.models import Licence
from tests import factories as f
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, logged_in
from tests.mfa import totp_enable

UPLOAD = "admin:earnings_usagereport_upload"


def read(text: str | bytes) -> dict:
    data = text.encode() if isinstance(text, str) else text
    return usage_report_from_csv(
        reference="r", period_start="2026-10-01", period_end="2026-10-31", currency="EUR", data=data
    ).data


def refusal(text: str | bytes) -> list[str]:
    with pytest.raises(CsvInvalid) as caught:
        read(text)
    return [str(problem) for problem in caught.value.problems]


# --- reading the file ---------------------------------------------------------------------


def test_a_csv_becomes_the_report_the_api_takes() -> None:
    data = read(
        "\ufeffisrc,use,units,gross,credit\r\n"
        "USRC17607839,stems_remix,1200,120.00,Ada Lane\r\n"
        '\r\nUSRC17607840, lyrics ,40,3.5,"Ada Lane, feat. ""Bo"" Reed"\r\n'
    )
    assert data == {
        "reference": "r",
        "period": {"start": "2026-10-01", "end": "2026-10-31"},
        "currency": "EUR",
        "lines": [
            {
                "isrc": "USRC17607839",
                "use": "stems_remix",
                "units": 1200,
                "gross": "120.00",
                "credit": "Ada Lane",
            },
            {
                "isrc": "USRC17607840",
                "use": "lyrics",
                "units": 40,
                "gross": "3.5",
                "credit": 'Ada Lane, feat. "Bo" Reed',
            },
        ],
    }


def test_the_columns_may_come_in_any_order_and_case() -> None:
    lines = read("Credit,GROSS,units,use,isrc\nAda,1.00,3,training,USRC17607839\n")["lines"]
    assert lines == [
        {"isrc": "USRC17607839", "use": "training", "units": 3, "gross": "1.00", "credit": "Ada"}
    ]


@pytest.mark.parametrize("units", ["-3", "1.5", "1,200", "", "99999999999999999999"])
def test_units_that_are_not_a_whole_number_stay_text_for_the_validation(units: str) -> None:
    lines = read(f'isrc,use,units,gross,credit\nUSRC17607839,training,"{units}",1,\n')["lines"]
    assert lines[0]["units"] == units


def test_each_line_remembers_its_row_and_the_file_line_it_starts_on() -> None:
    found = usage_report_from_csv(
        reference="r",
        period_start="2026-10-01",
        period_end="2026-10-31",
        currency="EUR",
        data=(
            b"isrc,use,units,gross,credit\n"
            b'USRC17607839,training,1,1,"two\nlines"\n'
            b"\n"
            b"USRC17607840,training,1,1,\n"
        ),
    )
    assert found.origins == [Origin(1, 2), Origin(2, 5)]


def test_a_file_that_is_not_utf8_is_refused() -> None:
    assert refusal("isrc,use,units,gross,credit\nX,training,1,1,Zoë\n".encode("latin-1")) == [
        "The file is not UTF-8 text (byte 46 cannot be read). Save it as “CSV UTF-8” and "
        "upload it again."
    ]


def test_a_binary_file_is_refused() -> None:
    assert refusal(b"PK\x03\x04\x00\x00binary") == [
        "This is not a CSV file: it contains binary data."
    ]


def test_a_file_with_more_rows_than_a_report_may_have_is_refused_as_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from portal.earnings import csv_upload

    monkeypatch.setattr(csv_upload, "MAX_LINES", 3)
    rows = "".join("USRC17607839,training,1,1,\n" for _ in range(4))
    assert refusal("isrc,use,units,gross,credit\n" + rows) == [
        "The file has more than 3 rows; split it into several reports."
    ]


def test_a_file_without_the_header_is_refused() -> None:
    assert refusal("USRC17607839,training,1,1.00,Ada\n") == [
        "The first line must be the header isrc,use,units,gross,credit; it is "
        "'USRC17607839,training,1,1.00,Ada'."
    ]


@pytest.mark.parametrize(
    ("header", "fault"),
    [
        ("isrc,use,units,gross", "lacks credit"),
        ("isrc,use,units,gross,credit,territory", "has territory, which the upload does not take"),
        ("isrc,use,units,gross,credit,", "has (blank), which the upload does not take"),
        ("isrc,use,units,gross,credit,isrc", "repeats isrc"),
        ("isrc,usage,units,gross,credit", "lacks use; has usage, which the upload does not take"),
    ],
)
def test_a_wrong_header_says_what_is_wrong(header: str, fault: str) -> None:
    assert refusal(f"{header}\nUSRC17607839,training,1,1,\n") == [
        f"The header {fault}. Use exactly these columns: isrc,use,units,gross,credit."
    ]


def test_rows_with_too_many_or_too_few_values_are_named_by_row_and_line() -> None:
    assert refusal(
        "isrc,use,units,gross,credit\n"
        "USRC17607839,training,1,1,\n"
        "USRC17607840,training,1,1\n"
        "USRC17607841,training,1,1,Ada,extra\n"
    ) == [
        "Row 2 (line 3 of the file): it has 4 values; the header has 5.",
        "Row 3 (line 4 of the file): it has 6 values; the header has 5.",
    ]


@pytest.mark.parametrize(
    "bad",
    [
        'USRC17607839,training,1,1,"Ada" Lane\n',
        'USRC17607839,training,1,1,"Ada Lane\n',
    ],
)
def test_bad_quotes_are_refused_with_their_line(bad: str) -> None:
    (problem,) = refusal(f"isrc,use,units,gross,credit\nUSRC17607840,training,1,1,\n{bad}")
    assert problem.startswith("Line 3 of the file cannot be read as CSV")
    assert "double quotes" in problem


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("\n\n", "The file is empty"),
        ("isrc,use,units,gross,credit\n", "The file has a header but no rows under it."),
    ],
)
def test_an_empty_file_is_refused(text: str, message: str) -> None:
    assert refusal(text)[0].startswith(message)


def test_validation_mistakes_are_pinned_to_the_rows_they_came_from() -> None:
    origins = [Origin(1, 2), Origin(2, 4)]
    details = [
        {"line": None, "field": "period.end", "message": "Report a period once it has ended."},
        {"line": 1, "field": "isrc", "message": "Repeats line 0: one line per ISRC and use."},
    ]
    assert problems_in(details, origins) == [
        Problem(None, "Report a period once it has ended.", "period.end"),
        Problem(Origin(2, 4), "Repeats row 1 (line 2): one row per ISRC and use.", "isrc"),
    ]
    assert str(problems_in(details, origins)[1]) == (
        "Row 2 (line 4 of the file), isrc: Repeats row 1 (line 2): one row per ISRC and use."
    )


# --- the admin page -----------------------------------------------------------------------


@pytest.fixture
def staff_client(world: World) -> Client:
    Licence.objects.update(starts_on=date(2026, 1, 1))
    return logged_in(world.staff)


def csv_file(world: World, *rows: str, name: str = "october.csv") -> SimpleUploadedFile:
    default = [
        f"{world.works[0].isrc},training,1200,120.00,Ada Lane",
        f"{world.works[1].isrc},style_generation,3,0.10,",
    ]
    body = "\n".join(["isrc,use,units,gross,credit", *(rows or default)]) + "\n"
    return SimpleUploadedFile(name, body.encode(), content_type="text/csv")


def upload(client: Client, world: World, file: SimpleUploadedFile | None = None, **fields):
    data = {
        "product": world.product.pk,
        "reference": "2026-10-upload",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "currency": "EUR",
        "file": file or csv_file(world),
        **fields,
    }
    return client.post(reverse(UPLOAD), data)


def nothing_stored() -> bool:
    return not (
        UsageReport.objects.exists() or UsageLine.objects.exists() or Allocation.objects.exists()
    )


def test_the_changelist_links_to_the_upload(world: World, staff_client: Client) -> None:
    page = staff_client.get(reverse("admin:earnings_usagereport_changelist")).content.decode()
    assert f'href="{reverse(UPLOAD)}"' in page
    assert "Upload a usage report (CSV)" in page


def test_an_uploaded_report_is_stored_and_allocated_like_one_from_the_api(
    world: World, staff_client: Client
) -> None:
    response = upload(staff_client, world)
    report = UsageReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:earnings_usagereport_change", args=[report.pk])
    assert (report.product, report.reference, report.currency) == (
        world.product,
        "2026-10-upload",
        "EUR",
    )
    lines = list(UsageLine.objects.order_by("pk").values_list("work", "units", "gross", "credit"))
    assert lines == [
        (world.works[0].pk, 1200, Decimal("120.00"), "Ada Lane"),
        (world.works[1].pk, 3, Decimal("0.10"), ""),
    ]
    assert Allocation.objects.filter(report=report).count() == 2
    page = unescape(staff_client.get(response["Location"]).content.decode())
    assert "Stored Tunesmith's report “2026-10-upload”: 2 lines, allocated." in page


def test_the_upload_is_logged_as_the_staff_members_addition(
    world: World, staff_client: Client
) -> None:
    upload(staff_client, world)
    report = UsageReport.objects.get()
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (
        world.staff,
        ADDITION,
        str(report.pk),
    )
    assert entry.content_type.model_class() is UsageReport
    assert entry.change_message == "Uploaded as CSV (october.csv): 2 lines."


def test_a_bad_isrc_stores_nothing_and_names_its_row(world: World, staff_client: Client) -> None:
    response = upload(
        staff_client,
        world,
        csv_file(
            world,
            f"{world.works[0].isrc},training,1,1.00,",
            "XX-NOT-AN-ISRC,training,1,1.00,",
            "ZZTST2699999,training,1,1.00,",
        ),
    )
    assert response.status_code == 200
    assert [str(p) for p in response.context["problems"]] == [
        "Row 2 (line 3 of the file), isrc: 'XX-NOT-AN-ISRC' is not a valid ISRC.",
        "Row 3 (line 4 of the file), isrc: ZZTST2699999 is not in the catalogue.",
    ]
    assert "Nothing was stored: the file has 2 mistakes." in response.content.decode()
    assert nothing_stored()


def test_an_unknown_use_stores_nothing_and_names_its_row(
    world: World, staff_client: Client
) -> None:
    response = upload(
        staff_client, world, csv_file(world, f"{world.works[0].isrc},karaoke,1,1.00,")
    )
    assert [str(p) for p in response.context["problems"]] == [
        "Row 1 (line 2 of the file), use: 'karaoke' is not a use type the portal knows."
    ]
    assert nothing_stored()


def test_every_bad_row_is_named_at_once(world: World, staff_client: Client) -> None:
    response = upload(
        staff_client,
        world,
        csv_file(
            world,
            f"{world.works[0].isrc},training,many,1.00,",
            f"{world.works[1].isrc},training,1,1.005,",
            f"{world.works[1].isrc},training,1,1.00,",
        ),
    )
    assert [str(p) for p in response.context["problems"]] == [
        "Row 1 (line 2 of the file), units: Units must be a whole number, 0 or more.",
        "Row 2 (line 3 of the file), gross: Gross must be an amount of 0 or more in at most "
        '2 decimal places, as "123.45".',
        "Row 3 (line 4 of the file), isrc: Repeats row 2 (line 3): one row per ISRC and use.",
    ]
    assert nothing_stored()


def test_a_bad_header_stores_nothing(world: World, staff_client: Client) -> None:
    file = SimpleUploadedFile("r.csv", b"isrc,use,units,gross\nUSRC17607839,training,1,1\n")
    response = upload(staff_client, world, file)
    assert [str(p) for p in response.context["problems"]] == [
        "The header lacks credit. Use exactly these columns: isrc,use,units,gross,credit."
    ]
    assert nothing_stored()


def test_a_file_that_is_not_utf8_stores_nothing(world: World, staff_client: Client) -> None:
    body = f"isrc,use,units,gross,credit\n{world.works[0].isrc},training,1,1.00,Zoë\n"
    response = upload(staff_client, world, SimpleUploadedFile("r.csv", body.encode("cp1252")))
    assert "The file is not UTF-8 text" in str(response.context["problems"][0])
    assert nothing_stored()


@pytest.mark.parametrize("name", ["report.xlsx", "report", "report.csv.exe"])
def test_a_file_that_is_not_csv_is_refused(world: World, staff_client: Client, name: str) -> None:
    response = upload(staff_client, world, SimpleUploadedFile(name, b"isrc,use\n"))
    assert response.context["form"].errors["file"] == [
        "Upload a .csv file (from a spreadsheet: “Save as… CSV UTF-8”)."
    ]
    assert nothing_stored()


def test_a_file_over_the_limit_is_refused(
    world: World, staff_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reports_admin, "MAX_UPLOAD_BYTES", 10)
    response = upload(staff_client, world)
    assert "larger than 32 MiB" in response.context["form"].errors["file"][0]
    assert nothing_stored()


def test_bad_quotes_are_a_clear_error_not_a_crash(world: World, staff_client: Client) -> None:
    file = SimpleUploadedFile("r.csv", b'isrc,use,units,gross,credit\nA,training,1,1,"open\n')
    response = upload(staff_client, world, file)
    assert response.status_code == 200
    assert "Line 2 of the file cannot be read as CSV" in str(response.context["problems"][0])
    assert nothing_stored()


def test_mistakes_in_the_reports_header_go_on_the_form(world: World, staff_client: Client) -> None:
    response = upload(staff_client, world, currency="XXX", period_end="2099-12-31")
    errors = response.context["form"].errors
    assert errors["currency"] == ["Give an ISO 4217 currency code such as EUR."]
    assert errors["period_end"] == ["Report a period once it has ended (UTC)."]
    assert nothing_stored()


def test_the_same_report_again_is_recognised_and_stored_once(
    world: World, staff_client: Client
) -> None:
    upload(staff_client, world)
    again = upload(
        staff_client,
        world,
        csv_file(world, name="again.csv"),
    )
    report = UsageReport.objects.get()
    assert again["Location"] == reverse("admin:earnings_usagereport_change", args=[report.pk])
    page = unescape(staff_client.get(again["Location"]).content.decode())
    assert "was already received on" in page and "nothing was stored again" in page
    assert UsageLine.objects.count() == 2
    assert LogEntry.objects.count() == 1


def test_a_different_report_under_a_used_reference_is_refused(
    world: World, staff_client: Client
) -> None:
    upload(staff_client, world)
    changed = csv_file(world, f"{world.works[0].isrc},training,1,999.00,")
    response = upload(staff_client, world, changed)
    assert response.status_code == 200
    (message,) = response.context["form"].errors["reference"]
    assert message.startswith("A different report with the reference '2026-10-upload' was received")
    assert UsageLine.objects.count() == 2
    assert LogEntry.objects.count() == 1


def test_a_reference_is_only_matched_against_the_same_products_reports(
    world: World, staff_client: Client
) -> None:
    other = f.ProductFactory(licensee=world.product.licensee, name="Echovox")
    upload(staff_client, world)
    response = upload(staff_client, world, product=other.pk)
    assert response.status_code == 302
    assert UsageReport.objects.filter(reference="2026-10-upload").count() == 2
    # Each product's key reads its own report only.
    mine = UsageReport.objects.get(product=world.product)
    key = api_key_issue(product=other)[1]
    theirs = Client(headers={"Authorization": f"Bearer {key}"})
    assert theirs.get(f"/api/v1/usage-reports/{mine.pk}").status_code == 404


def test_staff_without_the_add_permission_cannot_upload(world: World) -> None:
    clerk = f.UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_usagereport"))
    totp_enable(clerk, recovery_codes=False)
    client = logged_in(clerk)
    changelist = client.get(reverse("admin:earnings_usagereport_changelist")).content.decode()
    assert "Upload a usage report" not in changelist
    assert client.get(reverse(UPLOAD)).status_code == 403
    assert upload(client, world).status_code == 403
    assert nothing_stored()


def test_people_who_are_not_staff_never_reach_the_upload(
    world: World, manager_client: Client
) -> None:
    response = manager_client.post(reverse(UPLOAD), {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert nothing_stored()
