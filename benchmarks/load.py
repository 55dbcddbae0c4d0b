"""Fifty artists at once, over HTTP: the portal as production serves it, under a crowd.

gunicorn as the Procfile's `web` (3 sync workers, its default) on loopback, one Celery
worker with beat inside (production's delivery timings: a sweep every 10 s), PostgreSQL
and Redis as they are, and the receiver of `benchmarks.delivery` in a thread here,
verifying every webhook's signature and counting each change it acknowledges once, by
seq.

The stage makes a world of its own, so every change it counts is one the load caused: a
product (two uses, licensed by the demo label, its webhook endpoint at the receiver) and
50 artists on the label's roster with 60 works each, the label's side already granted for
all of them, so that an artist's yes or no flips a permission and sends a change. Each
artist is a thread with its own connection (http.client, keep-alive where the server
allows it; the sync workers close after each answer), signed in by a session made
beforehand with `Client.force_login`, so no password hasher is in the figures. For 60 s
each visits as a browser would: home, the product's matrix (a page, a search or a
filter), three answers sent as the htmx cell sends them (HX-Request, X-CSRFToken from
`hx-headers`, a random work, use and yes/no), the last answered work's history, the
earnings page (empty: these artists have no usage; `benchmarks.earnings` measures a full
one); 0.2 to 1 s of thinking between clicks.

Figures: requests, requests/s and p50/p95/p99 per kind, for browsing, for toggles and
overall, as the artists saw them and as spent in a gunicorn worker (its access log): the
difference is the wait for a free worker. Errors: anything but a 200 showing what the
page should, and connection errors (aim: none). Answers sent and changed, permission
changes recorded; then, the load stopped, the wait (at most 2 minutes) until the receiver
has acknowledged every change of the product: its own count, against the changes in the
database and the endpoint's `delivered_seq`; when the last arrived after the load ended,
and each change's time from being recorded to being received. An error or a change not
received makes the stage a crash, after its figures are printed.

Alone: `python -m benchmarks.load` seeds the demo world at 1 (BENCH_SCALE to change it):
the stage's own world is the same at any scale.
"""

import math
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPException
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from benchmarks.api import SERVER_SETTINGS, gunicorn, server_skip_reason, tail, wait_until
from benchmarks.delivery import Arrivals, celery_worker, endpoint_idle, latest_seq, receiving
from benchmarks.measure import duration, ms

ARTISTS = 50
WORKS_PER_ARTIST = 60
USES = ("training", "style_generation")
LOAD_SECONDS = 60.0
THINK_SECONDS = (0.2, 1.0)
TOGGLES_PER_VISIT = 3
# The Procfile's WEB_CONCURRENCY default.
WEB_WORKERS = 3
REQUEST_TIMEOUT = 30.0
SIGN_IN_TIMEOUT = 60.0
DRAIN_TIMEOUT = 120.0
PRODUCT_SLUG = "loadline"
PRODUCT_NAME = "Loadline"
KINDS = {
    "home": "artist home",
    "matrix": "product matrix (page, search, filter)",
    "history": "work history",
    "earnings": "earnings",
    "toggle": "toggle (htmx POST decide)",
}
CSRF = re.compile(rb'"X-CSRFToken": "([^"]+)"')
# gunicorn's access log, a line a request: method, path, status, and the microseconds it
# spent in a worker (read to answered), which leaves out the wait for a free worker.
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"
ROUTES = (
    ("toggle", re.compile(r"POST /artists/\d+/products/[\w-]+/works/\d+/decide/")),
    ("matrix", re.compile(r"GET /artists/\d+/products/[\w-]+/")),
    ("earnings", re.compile(r"GET /artists/\d+/earnings/")),
    ("history", re.compile(r"GET /works/\d+/history/")),
    ("home", re.compile(r"GET /artists/\d+/")),
)


# ------------------------------------------------------------------------------
# The world: a product, 50 artists and their works, the label's side granted
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkLinks:
    title: str
    decide: str
    history: str


@dataclass(frozen=True)
class Persona:
    """One simulated artist: the session it signs in with and the addresses it visits."""

    name: str
    session: str
    home: str
    matrix: str
    earnings: str
    search: str
    works: tuple[WorkLinks, ...]


@dataclass(frozen=True)
class World:
    product: Any
    personas: list[Persona]


def product_of_its_own(label: Any) -> Any:
    """An active product asking for USES, licensed by `label` since a month ago. Nobody
    has answered for it yet, so there is nothing for `licence_announce` to announce."""
    from datetime import timedelta

    from django.utils import timezone

    from portal.licensing.models import Licence, Licensee, Product, ProductUse, UseType

    now = timezone.now()
    licensee = Licensee.objects.create(name=f"{PRODUCT_NAME} Audio")
    product = Product.objects.create(
        licensee=licensee,
        slug=PRODUCT_SLUG,
        name=PRODUCT_NAME,
        summary="The load test's product.",
        status=Product.Status.ACTIVE,
        status_changed_at=now,
    )
    use_types = list(UseType.objects.filter(slug__in=USES))
    ProductUse.objects.bulk_create(
        ProductUse(product=product, use_type=use_type, purpose="Load test.")
        for use_type in use_types
    )
    licence = Licence.objects.create(
        licensee=licensee,
        label=label,
        reference="LOAD-001",
        starts_on=now.date() - timedelta(days=30),
        artist_share=50,
        label_share=40,
        platform_share=10,
    )
    licence.use_types.set(use_types)
    return product


def title(artist: int, work: int) -> str:
    from portal.demo.catalogue import ADJECTIVES, NOUNS

    adjective = ADJECTIVES[(work * 7 + artist) % len(ADJECTIVES)]
    return f"{adjective} {NOUNS[(work * 11 + artist * 3) % len(NOUNS)]}"


def roster_of_its_own(label: Any) -> list[tuple[Any, Any]]:
    """ARTISTS artists on the label's roster, each with a user (no password: they sign
    in by session) and WORKS_PER_ARTIST works. Returns (artist, user) pairs."""
    from django.contrib.auth.hashers import make_password

    from portal.accounts.models import User
    from portal.catalogue.models import Artist, ArtistMembership, Work

    users = User.objects.bulk_create(
        User(email=f"load-artist-{i:02d}@bench.test", password=make_password(None))
        for i in range(ARTISTS)
    )
    artists = Artist.objects.bulk_create(
        Artist(name=f"Load Artist {i:02d}", label=label) for i in range(ARTISTS)
    )
    ArtistMembership.objects.bulk_create(
        ArtistMembership(artist=artist, user=user, role=ArtistMembership.Role.ADMIN)
        for artist, user in zip(artists, users, strict=True)
    )
    # Registrants L00-L49 under QZ: nothing the demo seeds (GB, AU) can hold them.
    Work.objects.bulk_create(
        Work(
            isrc=f"QZL{i:02d}25{j + 1:05d}",
            title=title(i, j),
            primary_artist=artist,
            label=label,
        )
        for i, artist in enumerate(artists)
        for j in range(WORKS_PER_ARTIST)
    )
    return list(zip(artists, users, strict=True))


def label_says_yes(demo: Any, product: Any, artists: list[Any]) -> None:
    """The label's side granted for every use of every work: flips nothing yet, since no
    artist has answered, and makes every artist's answer from now on flip one."""
    from portal.catalogue.models import Work
    from portal.consent.models import Answer, Side
    from portal.consent.services import decisions_set
    from portal.licensing.models import UseType

    for use_type in UseType.objects.filter(slug__in=USES):
        decisions_set(
            actor=demo.manager,
            product=product,
            use_type=use_type,
            side=Side.RIGHTS_HOLDER,
            answer=Answer.GRANTED,
            works=Work.objects.filter(primary_artist__in=artists),
        )


def session_of(user: Any) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def persona_of(artist: Any, user: Any) -> Persona:
    from django.urls import reverse

    party = {"kind": "artists", "party_id": artist.pk, "product_slug": PRODUCT_SLUG}
    works = tuple(
        WorkLinks(
            title=work.title,
            decide=reverse("decide", kwargs={**party, "work_id": work.pk}),
            history=reverse("work_history", args=[work.pk]),
        )
        for work in artist.works.order_by("pk")
    )
    return Persona(
        name=artist.name,
        session=session_of(user),
        home=reverse("artist_home", args=[artist.pk]),
        matrix=reverse("matrix", kwargs=party),
        earnings=reverse("artist_earnings", args=[artist.pk]),
        search=works[0].title.split()[-1].lower(),
        works=works,
    )


def world_of_its_own(demo: Any) -> World:
    from django.db import connection, transaction

    with transaction.atomic():
        product = product_of_its_own(demo.label)
        pairs = roster_of_its_own(demo.label)
        label_says_yes(demo, product, [artist for artist, _ in pairs])
    # As `run.seed` does: a small seed's statistics would not know these works exist.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return World(product, [persona_of(artist, user) for artist, user in pairs])


# ------------------------------------------------------------------------------
# The crowd: one thread per artist, each a browser
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    kind: str
    seconds: float
    error: str = ""


class Visitor:
    """One artist in a browser: a connection, a cookie jar, and htmx's CSRF header."""

    def __init__(self, persona: Persona, base: str, seed: int) -> None:
        from django.conf import settings

        parts = urlsplit(base)
        self.persona = persona
        self.connection = HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT)
        self.cookies = {settings.SESSION_COOKIE_NAME: persona.session}
        self.csrf = ""
        self.rng = random.Random(seed)
        self.last = persona.works[0]
        self.samples: list[Sample] = []
        self.failure = ""

    def send(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            self.connection.request(
                method, path, body=body, headers={"Cookie": cookie, **(headers or {})}
            )
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, HTTPException):
            self.connection.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, content

    def timed(
        self,
        kind: str,
        method: str,
        path: str,
        shows: str,
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """One request, kept as a sample: an error unless a 200 that shows `shows`."""
        begin = time.perf_counter()
        try:
            status, content = self.send(method, path, body, headers)
        except (OSError, HTTPException) as exc:
            self.samples.append(Sample(kind, time.perf_counter() - begin, type(exc).__name__))
            return
        seconds = time.perf_counter() - begin
        error = "" if status == 200 else f"HTTP {status}"
        if not error and shows.encode() not in content:
            error = f"200 without {shows!r}"
        self.samples.append(Sample(kind, seconds, error))

    def sign_in(self) -> None:
        """The first page, not measured: it sets the CSRF cookie and gives the token
        htmx sends, and warms the workers."""
        status, content = self.send("GET", self.persona.matrix)
        found = CSRF.search(content)
        if status != 200 or found is None:
            raise RuntimeError(f"{self.persona.name}: HTTP {status}, no CSRF token")
        self.csrf = found.group(1).decode()

    def matrix_query(self) -> str:
        return self.rng.choice(
            ["", "?page=2", "?state=waiting", "?state=permitted", f"?q={self.persona.search}"]
        )

    def toggle(self) -> None:
        work = self.rng.choice(self.persona.works)
        body = urlencode(
            {
                "use": self.rng.choice(USES),
                "answer": self.rng.choice(("granted", "denied")),
                "back": "",
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "HX-Request": "true",
            "X-CSRFToken": self.csrf,
        }
        self.timed("toggle", "POST", work.decide, "Saved:", body, headers)
        self.last = work

    def visit(self, until: float) -> None:
        """One visit, click by click, thinking between clicks; stops at `until`."""
        persona = self.persona
        clicks: list[Callable[[], None]] = [
            lambda: self.timed("home", "GET", persona.home, persona.name),
            lambda: self.timed("matrix", "GET", persona.matrix + self.matrix_query(), PRODUCT_NAME),
            *[self.toggle] * TOGGLES_PER_VISIT,
            lambda: self.timed("history", "GET", self.last.history, self.last.title),
            lambda: self.timed("earnings", "GET", persona.earnings, persona.name),
        ]
        for click in clicks:
            if time.monotonic() >= until:
                return
            click()
            time.sleep(self.rng.uniform(*THINK_SECONDS))

    def run(self, ready: threading.Barrier, window: "Window") -> None:
        try:
            self.sign_in()
        except (OSError, HTTPException, RuntimeError) as exc:
            self.failure = str(exc) or type(exc).__name__
        try:
            ready.wait()
        except threading.BrokenBarrierError:
            return
        window.opened.wait()
        # Arriving over a second or so, not all in the same instant.
        time.sleep(self.rng.uniform(*THINK_SECONDS))
        while not self.failure and time.monotonic() < window.until:
            self.visit(window.until)
        self.connection.close()


@dataclass
class Window:
    """When the load runs: every visitor starts on `opened` and stops at `until`."""

    opened: threading.Event = field(default_factory=threading.Event)
    until: float = 0.0


def crowd(world: World, base: str, seconds: float) -> tuple[list[Sample], float, float]:
    """Every persona at once for `seconds`, after all have signed in. Returns the samples,
    when the load started and when its last request ended (monotonic)."""
    visitors = [Visitor(persona, base, seed) for seed, persona in enumerate(world.personas)]
    ready = threading.Barrier(len(visitors) + 1, timeout=SIGN_IN_TIMEOUT)
    window = Window()
    threads = [
        threading.Thread(target=visitor.run, args=(ready, window), daemon=True)
        for visitor in visitors
    ]
    for thread in threads:
        thread.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        raise RuntimeError(f"the artists did not sign in within {SIGN_IN_TIMEOUT:.0f} s") from None
    failures = [visitor.failure for visitor in visitors if visitor.failure]
    started = time.monotonic()
    window.until = started + (0 if failures else seconds)
    window.opened.set()
    if failures:
        raise RuntimeError(f"{len(failures)} artists could not sign in: {failures[0]}")
    for thread in threads:
        thread.join(max(0.0, window.until - time.monotonic()) + REQUEST_TIMEOUT + 5)
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError(f"requests still running {REQUEST_TIMEOUT:.0f} s after the load")
    ended = time.monotonic()
    return [sample for visitor in visitors for sample in visitor.samples], started, ended


# ------------------------------------------------------------------------------
# The stage
# ------------------------------------------------------------------------------
@dataclass
class LoadFigures:
    skipped: str = ""
    server: str = ""
    worker: str = ""
    setup: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0
    answers_changed: int = 0
    changes: int = 0
    latest: int = 0
    received: int = 0
    highest: int = 0
    repeats: int = 0
    rejected: int = 0
    webhook_requests: int = 0
    delivered_seq: int = 0
    # The last change received, from the end of the load (negative: before it ended);
    # None: not all arrived.
    catch_up: float | None = None
    # CPU this process (the artists' threads, the receiver) used during the load.
    client_cpu: float = 0.0
    lags: list[float] = field(default_factory=list)
    in_worker: dict[str, list[float]] = field(default_factory=dict)
    server_log: str = ""

    @property
    def errors(self) -> list[Sample]:
        return [sample for sample in self.samples if sample.error]

    def problems(self) -> list[str]:
        found = []
        if self.errors:
            found.append(f"{len(self.errors):,} requests failed")
        if self.received < self.changes or self.delivered_seq < self.latest:
            found.append(
                f"{self.received:,} of {self.changes:,} changes received in "
                f"{DRAIN_TIMEOUT:.0f} s after the load"
            )
        return found


def server_times(access_log: Path) -> dict[str, list[float]]:
    """Seconds in a worker per request, by kind. The first ARTISTS matrix requests are the
    sign-ins, answered before the load started."""
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    sign_ins = ARTISTS
    for line in access_log.read_text(errors="replace").splitlines():
        method, path, _, micros = line.split(" ")
        kind = next((k for k, route in ROUTES if route.fullmatch(f"{method} {path}")), None)
        if kind == "matrix" and sign_ins:
            sign_ins -= 1
        elif kind:
            times[kind].append(int(micros) / 1e6)
    return times


def received_everything(arrivals: Arrivals, endpoint_id: int, product_id: int) -> bool:
    latest = latest_seq(product_id)
    with arrivals.changed:
        received = all(seq in arrivals.at for seq in range(1, latest + 1))
    return received and endpoint_idle(endpoint_id, latest)


def tally(
    figures: LoadFigures, world: World, arrivals: Arrivals, endpoint_id: int, ended: float
) -> None:
    """What the database recorded against what the receiver counted."""
    from portal.consent.models import LedgerEntry, PermissionChange, Side
    from portal.delivery.models import Endpoint

    product = world.product
    figures.answers_changed = LedgerEntry.objects.filter(product=product, side=Side.ARTIST).count()
    recorded = list(
        PermissionChange.objects.filter(product=product).order_by("seq").values_list("seq", "at")
    )
    figures.changes = len(recorded)
    figures.latest = latest_seq(product.pk)
    figures.delivered_seq = Endpoint.objects.get(pk=endpoint_id).delivered_seq
    # The receiver noted arrivals on the monotonic clock; changes carry wall-clock times.
    wall = time.time() - time.monotonic()
    with arrivals.changed:
        arrived = dict(arrivals.at)
        figures.highest = arrivals.highest
        figures.repeats = arrivals.repeats
        figures.rejected = arrivals.rejected
        figures.webhook_requests = arrivals.requests
    figures.received = sum(1 for seq, _ in recorded if seq in arrived)
    figures.lags = [arrived[seq] + wall - at.timestamp() for seq, at in recorded if seq in arrived]
    if recorded and figures.received == figures.changes:
        figures.catch_up = max(arrived[seq] for seq, _ in recorded) - ended


def run_load(figures: LoadFigures, demo: Any) -> None:
    from portal.delivery.services.endpoints import endpoint_create

    print(f"  load: {ARTISTS} artists, {WORKS_PER_ARTIST} works each...", file=sys.stderr)
    begin = time.perf_counter()
    world = world_of_its_own(demo)
    figures.setup = time.perf_counter() - begin
    with (
        tempfile.TemporaryDirectory(prefix="consent-bench-load-") as workdir,
        receiving() as arrivals,
    ):
        endpoint, secret = endpoint_create(product=world.product, url=arrivals.receiver.url)
        arrivals.use_secret(secret)
        with (
            celery_worker(Path(workdir)),
            gunicorn(Path(workdir), WEB_WORKERS, ACCESS_FORMAT) as base,
        ):
            print(f"  load: {LOAD_SECONDS:.0f} s against {base}...", file=sys.stderr)
            cpu = time.process_time()
            figures.samples, started, ended = crowd(world, base, LOAD_SECONDS)
            figures.client_cpu = time.process_time() - cpu
            figures.seconds = ended - started
            if figures.errors:
                figures.server_log = tail(Path(workdir) / "gunicorn.log")
            print("  load: waiting for every change to be delivered...", file=sys.stderr)
            wait_until(
                lambda: received_everything(arrivals, endpoint.pk, world.product.pk),
                DRAIN_TIMEOUT,
                every=0.1,
            )
        figures.in_worker = server_times(Path(workdir) / "access.log")
        tally(figures, world, arrivals, endpoint.pk, ended)


def measure(report: Any, demo: Any) -> None:
    figures = LoadFigures(skipped=server_skip_reason() or "")
    if figures.skipped:
        report.sections.append(section(figures))
        return
    figures.server = (
        f"gunicorn {WEB_WORKERS} sync workers (the Procfile's web), 127.0.0.1, {SERVER_SETTINGS}"
    )
    figures.worker = (
        "1 Celery worker (--concurrency 1, beat inside: sweep every 10 s), production "
        "delivery timings; receiver in a thread here, verifying signatures"
    )
    try:
        run_load(figures, demo)
    finally:
        report.sections.append(section(figures))
    problems = figures.problems()
    if problems:
        raise RuntimeError("; ".join(problems))


# ------------------------------------------------------------------------------
# The printed section
# ------------------------------------------------------------------------------
def _nearest_rank(values: list[float], p: float) -> float:
    """As `Series.p95`: of 50 samples, p99 is the largest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def _row(name: str, samples: list[Sample], seconds: float, in_worker: list[float]) -> str:
    times = [sample.seconds for sample in samples]
    errors = sum(1 for sample in samples if sample.error)
    worker = (
        f"{ms(statistics.median(in_worker)):>11}{ms(_nearest_rank(in_worker, 0.99)):>11}"
        if in_worker
        else f"{'-':>11}{'-':>11}"
    )
    return (
        f"  {name:<38}{len(times):>6,}{len(times) / seconds:>7,.1f}"
        f"{ms(statistics.median(times)):>11}{ms(_nearest_rank(times, 0.95)):>11}"
        f"{ms(_nearest_rank(times, 0.99)):>11}{ms(max(times)):>11}{worker}{errors:>7,}"
    )


def _aim(met: bool) -> str:
    return "met" if met else "MISSED"


def _requests(figures: LoadFigures) -> list[str]:
    lines = [
        f"  {'':<38}{'':>6}{'':>7}{'as the artists saw it':>44}{'in a worker':>22}",
        f"  {'request':<38}{'n':>6}{'req/s':>7}{'p50':>11}{'p95':>11}{'p99':>11}"
        f"{'max':>11}{'p50':>11}{'p99':>11}{'errors':>7}",
    ]
    worker = figures.in_worker
    for kind, name in KINDS.items():
        samples = [s for s in figures.samples if s.kind == kind]
        if samples:
            lines.append(_row(name, samples, figures.seconds, worker.get(kind, [])))
    browse = [s for s in figures.samples if s.kind != "toggle"]
    browse_worker = [t for kind, times in worker.items() if kind != "toggle" for t in times]
    if browse:
        lines.append(_row("browse (every page)", browse, figures.seconds, browse_worker))
    every = [t for times in worker.values() for t in times]
    lines.append(_row("all", figures.samples, figures.seconds, every))
    lines.append(
        f"  workers    {sum(every) / figures.seconds:.2f} of {WEB_WORKERS} busy on average "
        "(their time answering / the load's)"
    )
    errors = figures.errors
    kinds = Counter(f"{KINDS[s.kind]}: {s.error}" for s in errors)
    listed = "; ".join(f"{what} x{n:,}" for what, n in kinds.most_common(5))
    lines.append(
        f"  errors     {len(errors):,} of {len(figures.samples):,} ({_aim(not errors)}: none)"
        + (f": {listed}" if listed else "")
    )
    return lines


def _deliveries(figures: LoadFigures) -> list[str]:
    toggles = sum(1 for s in figures.samples if s.kind == "toggle" and not s.error)
    gapless = figures.changes == figures.latest
    lines = [
        f"  answers    {toggles:,} toggles answered: {figures.answers_changed:,} answers changed, "
        f"{figures.changes:,} permission changes recorded (seq 1-{figures.latest:,}, "
        f"{'no gaps' if gapless else 'GAPS'})",
        f"  delivered  {figures.received:,} of {figures.changes:,} changes acknowledged, "
        f"counted by the receiver by seq ({_aim(figures.received == figures.changes)}: all); "
        f"{figures.webhook_requests:,} webhook requests, highest seq {figures.highest:,}, "
        f"{figures.repeats:,} seqs received again, {figures.rejected:,} unverified; "
        f"the endpoint's delivered_seq {figures.delivered_seq:,}",
    ]
    if figures.catch_up is not None:
        when = "after" if figures.catch_up >= 0 else "before"
        lines.append(
            f"  catch-up   the last change arrived {duration(abs(figures.catch_up))} {when} "
            "the load ended"
        )
    else:
        lines.append(f"  catch-up   not every change arrived within {DRAIN_TIMEOUT:.0f} s")
    if figures.lags:
        lines.append(
            f"  lag        recorded -> received, per change under load: p50 "
            f"{ms(statistics.median(figures.lags))}, p99 {ms(_nearest_rank(figures.lags, 0.99))}"
            f", max {ms(max(figures.lags))}"
        )
    return lines


def section(figures: LoadFigures) -> str:
    lines = ["", f"Load: {ARTISTS} artists browsing and answering at once ({PRODUCT_NAME})"]
    if figures.skipped:
        lines.append(f"  skipped: {figures.skipped}.")
        return "\n".join(lines)
    lines += [
        f"  server     {figures.server}",
        f"  delivery   {figures.worker}",
        f"  artists    {ARTISTS} threads here, one connection each (http.client), signed in by "
        f"pre-made sessions (Client.force_login); {WORKS_PER_ARTIST} works each, {len(USES)} "
        f"uses, the label's side granted; {THINK_SECONDS[0]}-{THINK_SECONDS[1]} s between clicks",
        f"  machine    one for all: the artists' threads, the worker, PostgreSQL and Redis "
        f"share its {os.cpu_count()} CPUs with the server",
    ]
    if not figures.samples:
        lines.append("  no figures (see the crash below).")
        return "\n".join(lines)
    works = ARTISTS * WORKS_PER_ARTIST
    lines += [
        f"  set-up     {duration(figures.setup)}: {ARTISTS} users and artists, {works:,} "
        f"works, the label's {works * len(USES):,} answers, the sessions",
        f"  load       {figures.seconds:.1f} s, loopback; the artists' threads and the "
        f"receiver used {figures.client_cpu:.1f} s of CPU "
        f"({figures.client_cpu / figures.seconds:.2f} of a core)",
    ]
    lines += _requests(figures)
    lines += _deliveries(figures)
    if figures.server_log:
        lines += ["  gunicorn's log, last lines:", figures.server_log]
    return "\n".join(lines)


if __name__ == "__main__":
    from benchmarks.api import standalone

    sys.exit(standalone(measure, scales=(1,)))
