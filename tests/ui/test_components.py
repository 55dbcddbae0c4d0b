"""The `{% load ui %}` library's components and the choices every template compares with."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import TemplateSyntaxError, engines
from django.test import RequestFactory
from django.utils import timezone

from portal.consent.models import Answer
from portal.licensing.models import Product


def render(source: str, **context: object) -> str:
    request = RequestFactory().get("/")
    return engines["django"].from_string("{% load ui %}" + source).render(context, request)


def squeeze(html: str) -> str:
    return " ".join(html.split())


def test_an_empty_state_has_its_heading_explanations_and_action() -> None:
    html = render(
        """{% empty_state %}
             {% heading %}No works match
             {% explanation %}Try another title.
             {% explanation %}Or ask your label.
             {% action %}<a href="?">Show all works</a>
           {% endempty_state %}"""
    )
    assert squeeze(html) == (
        '<div class="empty"> <h2>No works match</h2> <p>Try another title.</p>'
        '<p>Or ask your label.</p> <p><a href="?">Show all works</a></p> </div>'
    )


def test_an_empty_state_may_be_only_an_explanation() -> None:
    html = render("{% empty_state %}{% explanation %}No artist yet.{% endempty_state %}")
    assert squeeze(html) == '<div class="empty"> <p>No artist yet.</p> </div>'


def test_a_part_that_renders_nothing_is_left_out() -> None:
    html = render(
        "{% empty_state %}{% heading %}None{% explanation %}Why."
        "{% action %}{% if staff %}<a href='/admin/'>Operations</a>{% endif %}"
        "{% endempty_state %}",
        staff=False,
    )
    assert "<p></p>" not in html
    assert html.count("<p>") == 1


def test_an_empty_state_inside_a_section_takes_the_sections_heading_level() -> None:
    html = render("{% empty_state level=3 %}{% heading %}Nobody yet{% endempty_state %}")
    assert "<h3>Nobody yet</h3>" in html


def test_what_an_empty_state_shows_is_escaped() -> None:
    html = render(
        "{% empty_state %}{% heading %}{{ q }}{% explanation %}“{{ q }}”{% endempty_state %}",
        q="<script>",
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "source",
    [
        "{% empty_state %}Loose text{% heading %}H{% endempty_state %}",
        "{% empty_state %}{% heading %}A{% heading %}B{% endempty_state %}",
        "{% empty_state %}{% action %}A{% action %}B{% endempty_state %}",
        "{% empty_state colour=1 %}{% heading %}H{% endempty_state %}",
    ],
)
def test_an_empty_state_written_wrong_is_a_template_error(source: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        render(source)


def test_a_timestamp_is_a_time_element_in_the_portals_words() -> None:
    at = datetime(2026, 11, 2, 14, 2, 5, tzinfo=UTC)
    assert render("{% timestamp at %}", at=at) == (
        '<time datetime="2026-11-02T14:02:05+00:00">2 Nov 2026, 14:02 UTC</time>'
    )
    with timezone.override(ZoneInfo("Europe/Berlin")):
        assert render("{% timestamp at %}", at=at) == (
            '<time datetime="2026-11-02T15:02:05+01:00">2 Nov 2026, 15:02 CET</time>'
        )


def test_options_select_the_chosen_value_and_escape_their_labels() -> None:
    choices = [(7, "Ada Lane"), (12, "Bo <Reed>")]
    assert render("{% options choices chosen %}", choices=choices, chosen="12") == (
        '<option value="7">Ada Lane</option><option value="12" selected>Bo &lt;Reed&gt;</option>'
    )
    assert " selected" not in render("{% options choices chosen %}", choices=choices, chosen=None)


def test_money_is_in_the_readers_locale() -> None:
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="de-DE")
    template = engines["django"].from_string("{% load ui %}{% money amount 'EUR' %}")
    assert template.render({"amount": Decimal("1234.50")}, request) == "1.234,50\xa0€"


def test_templates_compare_choices_through_their_enums() -> None:
    source = (
        "{% if status == ProductStatus.SUSPENDED %}suspended{% endif %}"
        "{% if answer == Answer.GRANTED %} yes{% endif %}"
    )
    assert render(source, status=Product.Status.SUSPENDED.value, answer=Answer.GRANTED.value) == (
        "suspended yes"
    )
