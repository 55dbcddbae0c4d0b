"""The public "AI and me" page and its report form; the team's page settings and inbox.

The public page is for anyone, signed in or not, and shows nothing that depends on who
asks, so caches may share it for `FANS_PAGE_MAX_AGE`. The team's pages start from
`party_view(PartyKind.ARTISTS)`: another artist's are a 404 before the view runs.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts.http import AuthedRequest
from portal.accounts.outage import OUTAGES, RETRY_AFTER_SECONDS
from portal.consent.access import READ_ONLY, Party, PartyKind, party_view
from portal.fans import guard, jsonld, selectors
from portal.fans.forms import FanPageForm, MisuseReportForm
from portal.fans.models import SLUG_MAX_LENGTH, FanPage, MisuseReport
from portal.fans.services import (
    FanPageError,
    fan_page_publish,
    fan_page_unpublish,
    misuse_report_file,
    misuse_reports_mark_handled,
)

NOT_ADMIN = "Only the team's admins can publish or change the public page."
TOO_MANY = (
    "You have sent several reports from here in a short time, so this one was not sent. "
    "Please try again in an hour; reports already sent have reached the team."
)
UNAVAILABLE = (
    "Reports cannot be received for a moment, so this one was not sent. "
    "Please try again in a minute."
)
REPORTS_PER_PAGE = 20


# --- the public page ------------------------------------------------------------------------


def _page(
    request: HttpRequest,
    page: FanPage,
    *,
    form: MisuseReportForm,
    status: int = 200,
    refusal: str = "",
) -> HttpResponse:
    artist = page.artist
    offers = selectors.offers_for(artist=artist, now=timezone.now())
    url = settings.PORTAL_BASE_URL + reverse("fan_page", kwargs={"slug": page.slug})
    context = {
        "artist": artist,
        "page": page,
        "offers": offers,
        "url": url,
        "description": _description(artist.name, offers),
        "jsonld": jsonld.script(jsonld.page_data(artist=artist, url=url, offers=offers)),
        "form": form,
        "token": guard.form_token(artist_id=artist.pk),
        "refusal": refusal,
        "reported": request.method == "GET" and request.GET.get("reported") == "1",
        "Kind": MisuseReport.Kind,
    }
    response = render(request, "fans/page.html", context, status=status)
    if status == 200 and request.method == "GET":
        patch_cache_control(response, public=True, max_age=settings.FANS_PAGE_MAX_AGE)
    return response


def _description(name: str, offers: list[selectors.Offer]) -> str:
    if not offers:
        return (
            f"{name} takes part in no AI product yet; anything claiming otherwise is not "
            "authorised."
        )
    products = ", ".join(offer.product.name for offer in offers)
    return (
        f"The AI products {name} takes part in: {products}. Everything else is not "
        f"authorised by {name}."
    )


@require_GET
def fan_page(request: HttpRequest, slug: str) -> HttpResponse:
    """/a/<slug>/: what the artist takes part in, for fans. Unpublished or unknown: 404."""
    page = get_object_or_404(selectors.fan_pages_published(), slug=slug)
    return _page(request, page, form=MisuseReportForm())


@require_POST
def misuse_report(request: HttpRequest, slug: str) -> HttpResponse:
    """A fan's report from the page. Refused: the page again with the reasons (422), or
    429 over the rate limit; nothing is stored either way."""
    page = get_object_or_404(selectors.fan_pages_published(), slug=slug)
    form = MisuseReportForm(request.POST)
    if not form.is_valid():
        return _page(request, page, form=form, status=422)
    try:
        guard.form_token_check(token=form.cleaned_data["started"], artist_id=page.artist_id)
    except guard.FormRefused as exc:
        form.add_error(None, str(exc))
        return _page(request, page, form=form, status=422)
    try:
        allowed = guard.report_allowed(request)
    except OUTAGES:
        response = _page(request, page, form=form, status=503, refusal=UNAVAILABLE)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if not allowed:
        return _page(request, page, form=form, status=429, refusal=TOO_MANY)
    misuse_report_file(
        artist=page.artist,
        url=form.cleaned_data["url"],
        kind=form.cleaned_data["kind"],
        description=form.cleaned_data["description"],
        contact=form.cleaned_data["contact"],
        ip_hash=guard.ip_hash(guard.client_ip(request)),
    )
    return redirect(reverse("fan_page", kwargs={"slug": page.slug}) + "?reported=1#report")


# --- the team's settings and inbox ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@party_view(PartyKind.ARTISTS)
def fan_page_settings(request: AuthedRequest, party: Party) -> HttpResponse:
    """Publish the page, change its address, or take it down. Everyone on the team sees
    it; only the team's admins change it."""
    artist = party.artist
    assert artist is not None
    page = selectors.fan_page_of(artist=artist)
    suggested = slugify(artist.name)[:SLUG_MAX_LENGTH].strip("-")
    form = FanPageForm(request.POST or None, initial={"slug": page.slug if page else suggested})
    if request.method == "POST":
        if not party.can_manage:
            messages.error(request, NOT_ADMIN)
            return redirect("fan_page_settings", artist_id=artist.pk)
        if request.POST.get("action") == "unpublish":
            if (gone := fan_page_unpublish(actor=request.user, artist=artist)) is not None:
                messages.success(
                    request,
                    f"Your public page is down: /a/{gone.slug}/ now answers “not found” "
                    "(a browser that opened it in the last minute may still show its copy).",
                )
            return redirect("fan_page_settings", artist_id=artist.pk)
        if form.is_valid():
            try:
                done = fan_page_publish(
                    actor=request.user, artist=artist, slug=form.cleaned_data["slug"]
                )
            except FanPageError as exc:
                form.add_error("slug", str(exc))
            else:
                address = reverse("fan_page", kwargs={"slug": done.page.slug})
                moved = (
                    f" Links to /a/{done.previous_slug}/ no longer work."
                    if done.previous_slug
                    else ""
                )
                messages.success(request, f"Your public page is live at {address}.{moved}")
                return redirect("fan_page_settings", artist_id=artist.pk)
    context = {"party": party, "page": page, "form": form, "suggested": suggested}
    return render(request, "fans/settings.html", context, status=422 if form.errors else 200)


@require_GET
@party_view(PartyKind.ARTISTS)
def misuse_reports(request: AuthedRequest, party: Party) -> HttpResponse:
    """What fans reported, newest first, for everyone on the team."""
    assert party.artist is not None
    reports = Paginator(selectors.misuse_reports_for(artist=party.artist), REPORTS_PER_PAGE)
    page = reports.get_page(request.GET.get("page"))
    context = {
        "party": party,
        "page": page,
        "reports": selectors.reports_shown(list(page.object_list)),
        "Status": MisuseReport.Status,
    }
    return render(request, "fans/inbox.html", context)


@require_POST
@party_view(PartyKind.ARTISTS)
def misuse_report_handled(request: AuthedRequest, party: Party, report_id: int) -> HttpResponse:
    """Mark one report handled: the team's admins and editors."""
    assert party.artist is not None
    report = get_object_or_404(selectors.misuse_reports_for(artist=party.artist), pk=report_id)
    if not party.can_decide:
        messages.error(request, READ_ONLY)
    elif misuse_reports_mark_handled(actor=request.user, reports=[report]):
        messages.success(request, f"Marked handled: the report of {report.url}.")
    target = reverse("misuse_reports", kwargs={"artist_id": party.artist.pk})
    page = request.POST.get("page", "")
    return redirect(f"{target}?page={page}" if page.isdigit() else target)
