"""CSV downloads never carry a formula a spreadsheet would run."""

import csv
import io
from decimal import Decimal

from django.urls import reverse

from portal.exports import cell
from tests.conftest import World, logged_in


def test_text_that_would_start_a_formula_stays_text():
    for risky in ('=HYPERLINK("http://x")', "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert cell(risky) == "'" + risky
    assert cell("Night Drive") == "Night Drive"
    assert cell(Decimal("-1.00")) == Decimal("-1.00")  # numbers are numbers
    assert cell(12) == 12


def test_a_title_written_as_a_formula_is_exported_as_text(world: World):
    work = world.works[0]
    work.title = '=HYPERLINK("https://evil.example","Click")'
    work.save()
    response = logged_in(world.manager).get(reverse("label_export", args=[world.label.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    titles = {row[rows[0].index("title")] for row in rows[1:]}
    assert "'" + work.title in titles
    assert work.title not in titles
