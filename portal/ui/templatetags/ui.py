"""The portal's own template library: `{% load ui %}`.

Money and counts in the reader's locale (see portal.earnings.formats):
`{% money amount currency %}`, `{% number count %}`, `{% month date %}` and
`{% month date short=True %}`.

Dates and times, one way everywhere, in the reader's time zone (portal.words): `{{ x|day }}`
"10 May 2026", `{{ x|moment }}` "10 May 2026, 14:00 CET", `{{ x|until }}` the end of
something in force ("until 31 Dec 2026"); `{{ x|month_value }}` "2026-05" for URLs and
form values. When something happened, as a `<time>` element: `{% timestamp entry.at %}`.
No template formats a date any other way (tests/ui/test_template_rules.py).

A select's options from (value, label) pairs, the chosen one selected, drawn at once
rather than looped over (a roster of hundreds): `{% options choices chosen %}`.

The empty state, which wraps content of its own (templates/components/empty_state.html):

    {% empty_state %}
      {% heading %}No works match
      {% explanation %}Try another title or ISRC, or <a href="?">show all works</a>.
      {% action %}<a href="...">Show every work</a>
    {% endempty_state %}
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, TextNode, Token, token_kwargs
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from portal import words
from portal.earnings import formats

register = template.Library()


def _locale(context: template.Context) -> Any:
    return formats.locale_of(context.get("request"))


@register.simple_tag(takes_context=True)
def money(context: template.Context, amount: Decimal | None, currency: str) -> str:
    return formats.money(amount, currency, _locale(context))


@register.simple_tag(takes_context=True)
def number(context: template.Context, value: int | Decimal | None) -> str:
    return formats.number(value, _locale(context))


@register.simple_tag(takes_context=True, name="month")
def month_tag(context: template.Context, value: date, short: bool = False) -> str:
    return formats.month(value, _locale(context), short=short)


@register.filter
def day(value: date | None) -> str:
    return words.day_words(value) if value else ""


@register.filter
def moment(value: datetime | None) -> str:
    return words.moment_words(value) if value else ""


@register.filter
def until(value: date | None) -> str:
    return words.until_words(value) if value else ""


@register.filter
def month_value(value: date | None) -> str:
    """ "2026-05": a month for a URL or a form's value (isoformat: %Y would leave a year
    before 1000 unpadded)."""
    return value.isoformat()[:7] if value else ""


@register.simple_tag(name="day")
def day_tag(value: date | None) -> str:
    """`{% day x %}`, the same as `{{ x|day }}`."""
    return day(value)


@register.simple_tag
def timestamp(value: datetime | None) -> SafeString:
    """`<time datetime="2026-11-02T14:02:00+00:00">2 Nov 2026, 14:02 UTC</time>`: the
    moment for machines, and for people as `|moment` says it, in the reader's zone;
    nothing for no moment."""
    if value is None:
        return SafeString("")
    return format_html(
        '<time datetime="{}">{}</time>',
        timezone.localtime(value).isoformat(timespec="seconds"),
        words.moment_words(value),
    )


@register.simple_tag
def options(choices: Any, chosen: object) -> SafeString:
    """`<option value="7" selected>Ada Lane</option>…` for each (value, label) of
    `choices`; a value is compared as text with `chosen` (a form's raw data)."""
    chosen = "" if chosen is None else str(chosen)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) == chosen else "", label) for value, label in choices),
    )


_EMPTY_STATE_PARTS = ("heading", "explanation", "action")


class EmptyStateNode(template.Node):
    def __init__(
        self,
        level: FilterExpression | None,
        heading: NodeList | None,
        explanations: list[NodeList],
        action: NodeList | None,
    ) -> None:
        self.level = level
        self.heading = heading
        self.explanations = explanations
        self.action = action

    def render(self, context: template.Context) -> SafeString:
        def text(nodes: NodeList | None) -> str:
            # Rendered, and so escaped, like any other template text; only trimmed here.
            return mark_safe(nodes.render(context).strip()) if nodes else ""  # noqa: S308

        component = context.render_context.get(self)
        if component is None:
            # Set whenever a template renders its nodes.
            assert context.template is not None
            component = context.template.engine.get_template("components/empty_state.html")
            context.render_context[self] = component
        values = {
            "level": self.level.resolve(context) if self.level else 2,
            "heading": text(self.heading),
            "explanations": [t for t in map(text, self.explanations) if t],
            "action": text(self.action),
        }
        return component.render(context.new(values))


@register.tag
def empty_state(parser: Parser, token: Token) -> EmptyStateNode:
    """What a page shows when it has nothing to list: a `{% heading %}` (optional;
    `{% empty_state level=3 %}` inside a section), one `{% explanation %}` per paragraph
    and an optional `{% action %}`, the next step."""
    bits = token.split_contents()[1:]
    kwargs = token_kwargs(bits, parser)
    if bits or set(kwargs) - {"level"}:
        raise template.TemplateSyntaxError("empty_state takes only level=N")
    until = (*_EMPTY_STATE_PARTS, "endempty_state")
    lead = parser.parse(until)
    if any(not isinstance(node, TextNode) or node.s.strip() for node in lead):
        raise template.TemplateSyntaxError("empty_state: text goes in heading or explanation")
    parts: dict[str, list[NodeList]] = {name: [] for name in _EMPTY_STATE_PARTS}
    while (name := parser.next_token().contents) != "endempty_state":
        parts[name].append(parser.parse(until))
    if len(parts["heading"]) > 1 or len(parts["action"]) > 1:
        raise template.TemplateSyntaxError("empty_state has one heading and one action")
    return EmptyStateNode(
        kwargs.get("level"),
        next(iter(parts["heading"]), None),
        parts["explanation"],
        next(iter(parts["action"]), None),
    )
