"""The machine API under load, as production serves it.

- In-process (django.test.Client): the single consent check's SQL statements (aim: one),
  and the bulk check of 1,000 items with none, half and all of them permitted, server
  time over 40 runs of each (aim: p95 under 50 ms whatever the mix).
- Over HTTP: gunicorn (sync workers, as the Procfile runs it) on loopback with the bench
  database and Redis; the single check's throughput and p50/p99 latency at 4 and at 32
  concurrent clients, against a bare Django JSON view on the same server (the framework
  floor, `benchmarks.urls.floor`, through the site's whole middleware), and against the
  same view on the API's path (through the API's shorter stack). Aims: the check at 80%
  of the floor or more, p99 under 5 ms at 4 clients and under 20 ms at 32; the API
  path's floor is printed beside it, with no aim. The load comes from wrk; without wrk, from a
  small Python load generator (threads, http.client), which is named in the output and
  saturates long before the server does.

The server needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL); without them that part
is skipped and the report says why. Also the helpers `benchmarks.delivery` uses to start
processes of its own.

Alone: `python -m benchmarks.api` seeds a fresh database (BENCH_SCALE, default 2,500:
a label of 100,000 works) and runs only this stage.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from benchmarks.measure import Series, ms, requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVER_SETTINGS = "benchmarks.settings"
# High enough that the rate limit never answers 429 in the bench; still counted in Redis.
RATE_LIMIT = "1000000000/minute"
CLIENTS = (4, 32)
LOAD_SECONDS = 10
WARM_UP_SECONDS = 3
BULK_ITEMS = 1000
BULK_SAMPLES = 40
CHECK_SAMPLES = 50
EACH_ONCE_WORKS = 100_000
EACH_ONCE = "label's works, each asked once"
FLOOR, API_FLOOR = "floor", "API floor"
FLOOR_NAMES = {
    FLOOR: "bare Django JSON view (the floor)",
    API_FLOOR: "the same on the API's path",
}
USE = "training"


# ------------------------------------------------------------------------------
# Processes of our own: environment, ports, waiting, stopping
# ------------------------------------------------------------------------------
def server_skip_reason() -> str | None:
    """Why gunicorn and the Celery worker cannot run against this bench, or None."""
    from django.db import connection

    missing = []
    if connection.vendor != "postgresql":
        missing.append("DATABASE_URL (PostgreSQL; SQLite cannot be shared by processes)")
    if not os.environ.get("REDIS_URL"):
        missing.append("REDIS_URL (Redis: rate limits, the Celery broker)")
    return f"needs {' and '.join(missing)}" if missing else None


def database_url() -> str:
    """The bench database (`consent_bench`) as a URL, for the processes we start."""
    from django.db import connection

    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{quote(db['NAME'], safe='')}"


def production_environment() -> dict[str, str]:
    """What an operator sets for the production settings module, with throwaway secrets
    (`benchmarks.settings_production`: production's, less the HTTPS redirect)."""
    from portal.receipts.keys import development_jwk

    secret = f"bench-{os.getpid()}-{time.time_ns()}-not-a-secret-but-long-enough"
    return {
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings_production",
        "SECRET_KEY": secret,
        "RECEIPT_SIGNING_KEYS": json.dumps([development_jwk(secret)]),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_CONSOLE": "true",
        "LOG_LEVEL": "WARNING",
    }


def server_environment(**extra: str) -> dict[str, str]:
    from django.conf import settings

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SERVER_SETTINGS,
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "API_RATE_LIMIT": RATE_LIMIT,
        # This run's own queue: the bench process publishes to it, our worker reads it.
        "WEBHOOK_QUEUE": settings.WEBHOOK_QUEUE,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A child in a process group of its own, so stopping it stops its children too."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(proc: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """SIGTERM to the child's own process group, SIGKILL if it has not gone in `grace`."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    # Pool children can outlive a parent that exited; the group is ours alone.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def tail(log: Path, chars: int = 3000) -> str:
    try:
        return log.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def web_workers() -> int:
    """Sync workers as the Procfile runs them (`WEB_CONCURRENCY`, 3 unless set)."""
    return int(os.environ.get("WEB_CONCURRENCY", "3"))


@contextlib.contextmanager
def gunicorn(
    workdir: Path,
    workers: int | None = None,
    access_format: str | None = None,
    environment: dict[str, str] | None = None,
) -> Iterator[str]:
    """gunicorn as the Procfile's `web`, on a free loopback port; yields its base URL.
    `workers` sync workers, by default `web_workers()`; the access log, `access.log` in
    `workdir`, in gunicorn's own format unless `access_format` is given."""
    port, log = free_port(), workdir / "gunicorn.log"
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers or web_workers()),
        "--access-logfile",
        str(workdir / "access.log"),
    ]
    if access_format:
        command += ["--access-logformat", access_format]
    proc = start(command, log, server_environment(**(environment or {})))
    base = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            if proc.poll() is not None:
                return True
            try:
                with urllib.request.urlopen(f"{base}/bench/floor", timeout=2) as response:  # noqa: S310
                    return bool(response.status == 200)
            except OSError:
                return False

        if not wait_until(ready, timeout=30, every=0.2) or proc.poll() is not None:
            raise RuntimeError(f"gunicorn did not come up:\n{tail(log)}")
        yield base
    finally:
        stop(proc)


# ------------------------------------------------------------------------------
# Load generators
# ------------------------------------------------------------------------------
@dataclass
class Load:
    """One load run against one URL."""

    target: str
    clients: int
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    bad: int = 0  # non-2xx answers
    errors: int = 0  # socket errors and timeouts


def load_generator() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        return "python threads + http.client (wrk not installed; figures bounded by the client)"
    try:
        version = subprocess.run(
            [wrk, "--version"], capture_output=True, text=True, timeout=5
        ).stdout.split()
        return f"wrk {version[1] if len(version) > 1 else ''}".strip()
    except (OSError, subprocess.TimeoutExpired):
        return "wrk"


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str, target: str, clients: int) -> Load:
    load = Load(target, clients)
    for percent, value in re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE):
        if percent == "50":
            load.p50 = _seconds(value)
        else:
            load.p99 = _seconds(value)
    done = re.search(r"(\d+) requests in ([\d.]+\w+)", output)
    if done:
        load.requests, load.seconds = int(done.group(1)), _seconds(done.group(2))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    load.rps = float(rps.group(1)) if rps else 0.0
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    load.bad = int(bad.group(1)) if bad else 0
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    load.errors = sum(int(n) for n in errors.groups()) if errors else 0
    if not load.requests:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    return load


def wrk(
    url: str,
    headers: dict[str, str],
    clients: int,
    seconds: int,
    target: str,
    script: Path | None = None,
) -> Load:
    command = ["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout, target, clients)


def python_load(url: str, headers: dict[str, str], clients: int, seconds: int, target: str) -> Load:
    """`clients` threads, each a keep-alive http.client connection (reopened when the
    server closes it, as gunicorn's sync workers do), for `seconds`."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[list[float]] = [[] for _ in range(clients)]
    counts = {"bad": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(mine: list[float]) -> None:
        connection = HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.perf_counter() < deadline:
            begin = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                mine.append(time.perf_counter() - begin)
                if not 200 <= response.status < 300:
                    with lock:
                        counts["bad"] += 1
            except OSError:
                with lock:
                    counts["errors"] += 1
                connection.close()
                connection = HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(mine,)) for mine in latencies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    elapsed = time.perf_counter() - started
    every = sorted(t for mine in latencies for t in mine)
    if not every:
        raise RuntimeError(f"no request to {url} succeeded")
    return Load(
        target,
        clients,
        requests=len(every),
        seconds=elapsed,
        rps=len(every) / elapsed,
        p50=every[len(every) // 2],
        p99=every[min(len(every) - 1, int(0.99 * len(every)))],
        bad=counts["bad"],
        errors=counts["errors"],
    )


def run_load(url: str, headers: dict[str, str], clients: int, seconds: int, target: str) -> Load:
    generate = wrk if shutil.which("wrk") else python_load
    return generate(url, headers, clients, seconds, target)


# Each wrk thread walks its own half of the list, so within a run no work is asked twice
# (and no process can answer from what it kept).
EACH_ONCE_LUA = """
local isrcs = {%s}
local threads = 0
function setup(thread)
  thread:set("part", threads)
  threads = threads + 1
end
function init(args)
  i = part * math.floor(#isrcs / 2)
end
function request()
  i = i %% #isrcs + 1
  return wrk.format("GET", "%s?isrc=" .. isrcs[i] .. "&use=%s")
end
"""


def each_once_script(workdir: Path, isrcs: Sequence[str]) -> Path:
    from django.urls import reverse

    script = workdir / "each-once.lua"
    listed = ",".join(f'"{isrc}"' for isrc in isrcs)
    script.write_text(EACH_ONCE_LUA % (listed, reverse("api_check"), USE))
    return script


# ------------------------------------------------------------------------------
# The stage
# ------------------------------------------------------------------------------
@dataclass
class ApiFigures:
    floor: Series | None = None
    # Each kind of single check, with what it answered.
    checks: list[tuple[Series, str]] = field(default_factory=list)
    # The bulk check on each mix, with what it answered.
    bulks: list[tuple[Series, str]] = field(default_factory=list)
    server: str = ""
    generator: str = ""
    loads: list[Load] = field(default_factory=list)
    # Works in the each-asked-once list, by concurrency.
    distinct: dict[int, int] = field(default_factory=dict)
    skipped: str = ""


@dataclass(frozen=True)
class Targets:
    """The works a product asks about, one of each kind: permitted now (a stored row
    answers), never permitted (no row: under opt-in, the common answer), a no after a
    yes (a stored row that says not permitted), and an ISRC not in the catalogue."""

    permitted: str
    never: str
    withdrawn: str
    unknown: str = "USRC17607839"
    # Many works, each asked once: the label's catalogue in turn (mostly never permitted).
    many: tuple[str, ...] = ()

    def urls(self) -> dict[str, str]:
        return {
            "permitted": check_address(self.permitted),
            "never permitted": check_address(self.never),
            "a no after a yes": check_address(self.withdrawn),
            "ISRC not in catalogue": check_address(self.unknown),
        }


def targets(demo: Any) -> Targets:
    from portal.consent.models import AnnouncedPermission, Answer, Side
    from portal.consent.services import decision_set

    permitted = permitted_work(demo)
    # Never permitted: no announced row (whatever one side may have answered).
    announced = AnnouncedPermission.objects.filter(
        product=demo.product, use_type=demo.use_type
    ).values("work_id")
    never, withdrawn = demo.label.works.exclude(pk__in=announced).order_by("pk")[:2]
    # Answered by the portal itself, as the demo's history is: whoever's works they are.
    for side in (Side.ARTIST, Side.RIGHTS_HOLDER):
        decision_set(
            actor=None,
            product=demo.product,
            work=withdrawn,
            use_type=demo.use_type,
            side=side,
            answer=Answer.GRANTED,
        )
    decision_set(
        actor=None,
        product=demo.product,
        work=withdrawn,
        use_type=demo.use_type,
        side=Side.ARTIST,
        answer=Answer.DENIED,
    )
    many = tuple(demo.label.works.order_by("?").values_list("isrc", flat=True)[:EACH_ONCE_WORKS])
    return Targets(permitted.isrc, never.isrc, withdrawn.isrc, many=many)


def permitted_work(demo: Any) -> Any:
    """The demo artist's first work, with both sides granting training: a check of it is
    answered from the announced permission row, the hot path products call most."""
    from portal.consent.models import Answer, Side
    from portal.consent.services import decision_set

    work = demo.artist.works.order_by("pk").first()
    for actor, side in ((demo.artist_user, Side.ARTIST), (demo.manager, Side.RIGHTS_HOLDER)):
        decision_set(
            actor=actor,
            product=demo.product,
            work=work,
            use_type=demo.use_type,
            side=side,
            answer=Answer.GRANTED,
        )
    return work


def issue_key(demo: Any, name: str) -> str:
    from portal.api.services import api_key_issue

    _, raw = api_key_issue(product=demo.product, name=name)
    return raw


def check_address(isrc: str) -> str:
    from django.urls import reverse

    return f"{reverse('api_check')}?isrc={isrc}&use={USE}"


def in_process(figures: ApiFigures, demo: Any, kinds: Targets) -> None:
    """Queries per check of each kind and the bulk check's server time, through the test
    client."""
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        plain = Client()
        figures.floor = requests(
            "bare JSON view, in-process (the floor)",
            1,
            lambda i: plain.get("/bench/floor"),
            samples=CHECK_SAMPLES,
        )

    client = Client(headers={"Authorization": f"Bearer {issue_key(demo, 'bench, in-process')}"})
    for kind, address in kinds.urls().items():
        series = requests(
            f"check, {kind}, in-process",
            1,
            lambda i, address=address: client.get(address),
            samples=CHECK_SAMPLES,
        )
        answer = json.loads(client.get(address).content)
        said = answer.get("reasons") or answer.get("error", {}).get("code") or "permitted"
        figures.checks.append((series, f"answers {said}"))

    bulk = reverse("api_check")
    for mix, isrcs in bulk_mixes(demo).items():
        body = json.dumps({"items": [{"isrc": isrc, "use": USE} for isrc in isrcs]})
        series = requests(
            f"bulk check, {mix}, {len(isrcs):,} items, in-process",
            len(isrcs),
            lambda i, body=body: client.post(bulk, body, content_type="application/json"),
            samples=BULK_SAMPLES,
        )
        results = json.loads(client.post(bulk, body, content_type="application/json").content)
        permitted = sum(1 for result in results.get("results", []) if result["permitted"])
        figures.bulks.append((series, f"{permitted:,} of {len(isrcs):,} permitted"))


def bulk_mixes(demo: Any) -> dict[str, list[str]]:
    """The label's works, 1,000 at a time: none permitted now (each answered by the rule,
    which names the reasons), half (alternately), and all (each answered by its stored
    row). Picked from the seeded answers, so the database is left as it was."""
    from django.utils import timezone

    from portal.consent.models import AnnouncedPermission

    permitted = AnnouncedPermission.objects.filter(
        product=demo.product, use_type=demo.use_type
    ).permitted_at(timezone.now())
    works = demo.label.works.order_by("pk")
    yes = list(works.filter(pk__in=permitted.values("work_id")).values_list("isrc", flat=True))
    no = list(works.exclude(pk__in=permitted.values("work_id")).values_list("isrc", flat=True))
    half = BULK_ITEMS // 2
    return {
        "none permitted": no[:BULK_ITEMS],
        "half permitted": [
            isrc for pair in zip(yes[:half], no[:half], strict=False) for isrc in pair
        ],
        "all permitted": yes[:BULK_ITEMS],
    }


def over_http(figures: ApiFigures, demo: Any, kinds: Targets) -> None:
    """gunicorn on loopback with the production settings module; the floor and each kind
    of check at each concurrency, same run."""
    key = issue_key(demo, "bench, load")
    headers = {"Authorization": f"Bearer {key}"}
    figures.generator = load_generator()
    figures.server = (
        f"gunicorn {web_workers()} sync workers (Procfile's web), 127.0.0.1, "
        f"benchmarks.settings_production (production's, less the HTTPS redirect), "
        f"API_RATE_LIMIT={RATE_LIMIT} (still counted in Redis)"
    )
    with (
        tempfile.TemporaryDirectory(prefix="consent-bench-web-") as workdir,
        gunicorn(Path(workdir), environment=production_environment()) as base,
    ):
        floor, api_floor = f"{base}/bench/floor", f"{base}/api/bench/floor"
        checks = {kind: base + address for kind, address in kinds.urls().items()}
        request = urllib.request.Request(checks["permitted"], headers=headers)  # noqa: S310
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            answer = json.load(response)
        if answer.get("permitted") is not True:
            raise RuntimeError(f"the check does not answer permitted: {answer}")
        # Every worker process imports, connects and warms its caches first.
        for url in (floor, api_floor, *checks.values()):
            run_load(url, headers, max(CLIENTS), WARM_UP_SECONDS, "warm-up")
        # Each concurrency asks about works of its own, none asked in the warm-up.
        parts = [kinds.many[i :: len(CLIENTS)] for i in range(len(CLIENTS))]
        for clients, part in zip(CLIENTS, parts, strict=True):
            figures.loads.append(run_load(floor, {}, clients, LOAD_SECONDS, FLOOR))
            figures.loads.append(run_load(api_floor, {}, clients, LOAD_SECONDS, API_FLOOR))
            for kind, url in checks.items():
                figures.loads.append(run_load(url, headers, clients, LOAD_SECONDS, kind))
            if shutil.which("wrk") and part:
                script = each_once_script(Path(workdir), part)
                load = wrk(floor, headers, clients, LOAD_SECONDS, EACH_ONCE, script=script)
                figures.loads.append(load)
                figures.distinct[clients] = len(part)


def measure(report: Any, demo: Any) -> None:
    figures = ApiFigures()
    kinds = targets(demo)
    report.attempt("API in-process", lambda: in_process(figures, demo, kinds))
    figures.skipped = server_skip_reason() or ""
    if not figures.skipped:
        report.attempt("API over HTTP", lambda: over_http(figures, demo, kinds))
    report.sections.append(section(figures))


# ------------------------------------------------------------------------------
# The printed section
# ------------------------------------------------------------------------------
def _aim(met: bool) -> str:
    return "met" if met else "MISSED"


def section(figures: ApiFigures) -> str:
    lines = ["", "Machine API: consent checks (tunesmith, training)"]
    in_process_rows = [
        (figures.floor, "no SQL, no cache", "the framework floor"),
        *((series, note, "aim: 1 query per check") for series, note in figures.checks),
        *((series, note, "aim: p95 under 50 ms") for series, note in figures.bulks),
    ]
    header = f"  {'request':<52}{'n':>4}{'median':>11}{'p95':>11}{'queries':>9}{'status':>8}  note"
    lines.append(header)
    for series, note, aim in in_process_rows:
        if series is None:
            continue
        statuses = ",".join(str(s) for s in sorted(series.statuses))
        lines.append(
            f"  {series.name:<52}{len(series.seconds):>4}{ms(series.median):>11}"
            f"{ms(series.p95):>11}{series.query_range:>9}{statuses:>8}  {note}; {aim}"
        )
    for series, _ in figures.checks:
        most = max(series.queries)
        lines.append(f"  {series.name}: {most} queries at most ({_aim(most <= 1)}: at most 1)")
    for series, _ in figures.bulks:
        lines.append(
            f"  {series.name}: p95 {ms(series.p95)} server time "
            f"({_aim(series.p95 < 0.050)}: under 50 ms)"
        )
    if figures.skipped:
        lines.append(f"  Over HTTP (gunicorn + load generator): skipped, {figures.skipped}.")
        return "\n".join(lines)
    if not figures.loads:
        lines.append("  Over HTTP: no figures (see the crash below).")
        return "\n".join(lines)
    lines += [
        "",
        "Machine API over HTTP, same server, one run",
        f"  server     {figures.server}",
        f"  load       {figures.generator}, {LOAD_SECONDS} s per run, loopback",
        f"  machine    one for all: the load generator, PostgreSQL and Redis share its "
        f"{os.cpu_count()} CPUs with the server",
        f"  {'GET':<40}{'clients':>8}{'req/s':>10}{'p50':>10}{'p99':>10}"
        f"{'non-2xx':>9}{'errors':>8}{'of floor':>10}{'of API floor':>14}",
    ]
    floors = {
        (load.target, load.clients): load for load in figures.loads if load.target in FLOOR_NAMES
    }

    def share(load: Load, floor: str) -> float:
        base = floors.get((floor, load.clients))
        return load.rps / base.rps if base and base.rps else 0.0

    aims = []
    for load in figures.loads:
        checked = load.target not in FLOOR_NAMES
        name = f"check, {load.target}" if checked else FLOOR_NAMES[load.target]
        shares = (
            f"{share(load, FLOOR):>10.2f}{share(load, API_FLOOR):>14.2f}"
            if checked
            else f"{'':>10}{'':>14}"
        )
        lines.append(
            f"  {name:<40}{load.clients:>8}{load.rps:>10,.0f}{ms(load.p50):>10}"
            f"{ms(load.p99):>10}{load.bad:>9,}{load.errors:>8,}{shares}"
        )
        if checked:
            p99_aim = 0.005 if load.clients <= 4 else 0.020
            aims.append(
                f"  {load.target} at {load.clients} clients: {share(load, FLOOR):.2f} of the "
                f"floor ({_aim(share(load, FLOOR) >= 0.8)}: 0.8 or more), p99 {ms(load.p99)} "
                f"({_aim(load.p99 < p99_aim)}: under {p99_aim * 1000:.0f} ms); "
                f"{share(load, API_FLOOR):.2f} of the API path's floor"
            )
    lines += aims
    lines.append(
        "  The floor is a bare view through the site's whole middleware, as pages are "
        "served; the API's path skips the middleware that serves people "
        "(portal.api.middleware), so its floor is the lower bar for what a check adds."
    )
    for clients, works in figures.distinct.items():
        lines.append(
            f"  {EACH_ONCE} at {clients} clients: {works:,} works in turn, so none is asked "
            "twice unless the run makes more requests than that"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------------
# Alone
# ------------------------------------------------------------------------------
def standalone(*stages: Callable[[Any, Any], None], scales: Sequence[int] = ()) -> int:
    """A fresh database and only these stages: all at BENCH_SCALE (default 2,500), or,
    unless BENCH_SCALE is set, each at its own of `scales`, the database topped up in
    turn."""
    import django

    from benchmarks.database import fresh_database, prepare_environment

    started = time.perf_counter()
    tmpdir = prepare_environment()
    django.setup()
    from benchmarks import run

    report = run.Report()
    if not scales or "BENCH_SCALE" in os.environ:
        scales = [int(os.environ.get("BENCH_SCALE", run.LABEL_SCALE))] * len(stages)
    with fresh_database(tmpdir) as database:
        report.database = database.description
        seeded = 0
        for stage, scale in zip(stages, scales, strict=True):
            if scale != seeded:
                print(f"Seeding {scale * 20:,} works per artist...", file=sys.stderr)
                run.seed(report, scale)
                seeded = scale
            report.attempt(stage.__module__, lambda stage=stage: stage(report, run.Demo.load()))
    run.print_report(report, time.perf_counter() - started)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(standalone(measure))
