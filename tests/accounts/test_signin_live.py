"""Sign-in under more than one process, with nothing faked: gunicorn started as the
Procfile's `web` with two sync workers, against this run's PostgreSQL database and Redis,
behind a (pretend) proxy that reports the client in X-Forwarded-For.

Each worker is its own process, so whatever sign-in counts must live outside them: the
failed passwords an address may try, and the TOTP codes already spent. The requests are
steered to alternate between the two workers (one worker is kept busy with an idle
connection while the other answers), and the access log's pid column proves they did.
"""

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from itertools import pairwise
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from allauth.mfa import app_settings as mfa_settings
from django.conf import settings as django_settings
from django.db import connection

from tests import factories as f
from tests.mfa import totp_code, totp_enable

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or connection.vendor != "postgresql",
        reason="web processes sharing sign-in state need Redis (REDIS_URL) and a database "
        "they can share with the test (PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery"
LOGIN = "/accounts/login/"
MFA = "/accounts/2fa/authenticate/"
# allauth's default: five failed passwords per address in five minutes.
FAILED_LOGIN_LIMIT = 5
PID = re.compile(r" pid=<(\d+)>$")


def database_url() -> str:
    """The test database (`test_<name>`) as a URL, for the server the tests start."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def eventually(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def procfile_web() -> list[str]:
    """The Procfile's `web` command, as arguments."""
    line = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    return shlex.split(line.split("exec ", 1)[1])


def with_options(args: list[str], options: dict[str, str]) -> list[str]:
    """`args` with the value after each of `options`' flags replaced."""
    args = list(args)
    for flag, value in options.items():
        args[args.index(flag) + 1] = value
    return args


# --- the server ------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    access_log: Path
    output: Path
    # Where the current test's part of each log starts.
    access_start: int = 0
    output_start: int = 0

    def begin_test(self) -> None:
        self.access_start = len(self.access_log.read_bytes())
        self.output_start = len(self.output.read_bytes())

    def access_text(self) -> str:
        """The access log, since the current test began."""
        return self.access_log.read_bytes()[self.access_start :].decode(errors="replace")

    def output_text(self) -> str:
        """What the server printed (its own and Django's logs), since the test began."""
        return self.output.read_bytes()[self.output_start :].decode(errors="replace")

    def access_lines(self, path: str, method: str = "POST") -> list[str]:
        """The access log's lines for `method path` in this test, oldest first."""
        marker = f'"{method} {path} '
        return [line for line in self.access_text().splitlines() if marker in line]

    def pids(self, path: str, count: int, method: str = "POST") -> list[int]:
        """The pids of the workers that answered the `count` requests for `method path`.
        A worker logs a request after it has answered, so this waits for the lines."""
        eventually(lambda: len(self.access_lines(path, method)) >= count, timeout=10)
        pids = []
        for line in self.access_lines(path, method):
            match = PID.search(line)
            assert match, line
            pids.append(int(match.group(1)))
        return pids

    def waiting(self) -> int | None:
        """Connections waiting to be accepted by a worker (Linux: the listening socket's
        receive queue in /proc/net/tcp), or None where that cannot be read."""
        try:
            rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
        except OSError:
            return None
        for row in rows:
            fields = row.split()
            local, state, queues = fields[1], fields[3], fields[4]
            if state == "0A" and int(local.split(":")[1], 16) == self.port:
                return int(queues.split(":")[1], 16)
        return None


@pytest.fixture(scope="module")
def web(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The Procfile's `web`, with two workers on a free loopback port, the access log in
    a file in its own format plus each line's worker pid. One for the module: each test
    signs in as people of its own, from addresses of its own."""
    port = free_port()
    tmp_path = tmp_path_factory.mktemp("web")
    access_log, output = tmp_path / "access.log", tmp_path / "server.log"
    args = procfile_web()
    access_format = args[args.index("--access-logformat") + 1] + " pid=%(p)s"
    args = with_options(
        args,
        {
            "--bind": f"127.0.0.1:{port}",
            "--workers": "2",
            "--access-logfile": str(access_log),
            "--access-logformat": access_format,
        },
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        # The same cache keys as this test process, shared by both workers.
        "CACHE_KEY_PREFIX": django_settings.CACHES["default"].get("KEY_PREFIX", ""),
        # The proxy in front appends the client's address to X-Forwarded-For.
        "TRUSTED_PROXY_COUNT": "1",
        "PYTHONUNBUFFERED": "1",
    }
    with output.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own server with fixed arguments
            [str(BIN / args[0]), *args[1:]],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(port=port, access_log=access_log, output=output)
    try:

        def up() -> bool:
            if proc.poll() is not None:
                return True
            try:
                return Browser(server, "127.0.0.1").get("/healthz").status == 200
            except OSError:
                return False

        assert eventually(up, timeout=30) and proc.poll() is None, output.read_text()[-3000:]
        yield server
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # gunicorn's quick shutdown
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture
def server(web: Server) -> Server:
    web.begin_test()
    return web


class Alternate:
    """Sends each request to the other worker than the one before.

    A sync worker serves one connection at a time, so a connection that sends nothing
    keeps its worker busy and the next request goes to the other one. Before each
    request the held connection changes hands: a new one is opened (it can only land on
    the idle worker, the one that answered last), then the old one is closed, which
    frees the worker that did not.
    """

    def __init__(self, server: Server) -> None:
        self.server = server
        self.held: socket.socket | None = None

    def next(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        accepted = eventually(lambda: self.server.waiting() in (0, None), timeout=10)
        assert accepted, "no worker took the connection"
        if self.server.waiting() is None:
            time.sleep(0.2)  # no /proc to ask: give the idle worker a moment to take it
        if self.held is not None:
            self.held.close()
        self.held = sock

    def release(self) -> None:
        if self.held is not None:
            self.held.close()
            self.held = None


@pytest.fixture
def alternate(server: Server) -> Iterator[Alternate]:
    steer = Alternate(server)
    yield steer
    steer.release()


# --- a browser, over plain HTTP --------------------------------------------------------


@dataclass
class Answer:
    status: int
    location: str
    body: str


class Browser:
    """One person's browser: its own cookies, a new connection per request, behind the
    proxy that reports it as `ip`."""

    def __init__(self, server: Server, ip: str) -> None:
        self.server = server
        self.ip = ip
        self.cookies: SimpleCookie = SimpleCookie()

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, **headers: str
    ) -> Answer:
        conn = HTTPConnection("127.0.0.1", self.server.port, timeout=20)
        sent = {"X-Forwarded-For": self.ip, **headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    self.cookies.load(value)
            return Answer(
                response.status,
                response.getheader("Location") or "",
                response.read().decode(errors="replace"),
            )
        finally:
            conn.close()

    def get(self, path: str, **headers: str) -> Answer:
        return self.request("GET", path, **headers)

    def csrf(self, path: str) -> str:
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert match, page.body[:500]
        return match.group(1)

    def post(self, path: str, form: dict[str, str], token: str) -> Answer:
        return self.request("POST", path, {**form, "csrfmiddlewaretoken": token})

    def sign_in(self, email: str, password: str = PASSWORD) -> Answer:
        return self.post(LOGIN, {"login": email, "password": password}, self.csrf(LOGIN))


def outcome(answer: Answer) -> str:
    if "Too many failed login attempts" in answer.body:
        return "refused"
    if "are not correct" in answer.body:
        return "checked"
    return f"unexpected {answer.status}"


# --- the tests -----------------------------------------------------------------------


def test_failed_passwords_are_counted_across_workers(server: Server, alternate: Alternate) -> None:
    user = f.UserFactory(email="target@example.test")
    attacker = Browser(server, "203.0.113.7")
    token = attacker.csrf(LOGIN)

    outcomes = []
    for guess in range(12):
        alternate.next()
        answer = attacker.post(
            LOGIN, {"login": user.email, "password": f"wrong guess {guess}"}, token
        )
        outcomes.append(outcome(answer))

    # Both workers took turns, and together checked only as many as one may.
    pids = server.pids(LOGIN, 12)
    assert len(pids) == 12
    assert len(set(pids)) == 2
    assert all(a != b for a, b in pairwise(pids)), pids
    assert outcomes == ["checked"] * FAILED_LOGIN_LIMIT + ["refused"] * (12 - FAILED_LOGIN_LIMIT)
    # The address is locked for a while, whichever worker and whatever client asks.
    for _ in range(2):
        alternate.next()
        assert outcome(Browser(server, "198.51.100.20").sign_in(user.email)) == "refused"


def test_a_totp_code_signs_in_once_across_workers(server: Server, alternate: Alternate) -> None:
    user = f.UserFactory(email="manager@example.test")
    secret = totp_enable(user)
    first, second = Browser(server, "198.51.100.31"), Browser(server, "198.51.100.32")
    for browser in (first, second):
        answer = browser.sign_in(user.email)
        assert (answer.status, answer.location) == (302, MFA), answer.body[:500]
    tokens = [browser.csrf(MFA) for browser in (first, second)]

    # Two requests to a loaded CI machine's gunicorn take well under 20 s; with less of
    # the 30 s period left, this waits for the next one.
    code = totp_code(secret, valid_for=20)
    period = int(time.time()) // mfa_settings.TOTP_PERIOD
    alternate.next()
    accepted = first.post(MFA, {"code": code}, tokens[0])
    alternate.next()
    replayed = second.post(MFA, {"code": code}, tokens[1])
    # Still the code's own period: the second was refused as used, not as stale.
    assert int(time.time()) // mfa_settings.TOTP_PERIOD == period

    first_pid, second_pid = server.pids(MFA, 2)
    assert first_pid != second_pid
    assert accepted.status == 302
    assert replayed.status == 200
    assert "Incorrect code" in replayed.body
    assert first.get("/accounts/email/").status == 200
    assert second.get("/accounts/email/").location.startswith(LOGIN)


def test_one_time_tokens_stay_out_of_the_access_log(server: Server) -> None:
    invitation = "inv1TationT0kenSecret_abc"
    reset_key = "cz3x9k-8f2d1c0b9a8e7d6c5b4a"
    browser = Browser(server, "198.51.100.40")
    browser.get(f"/invitations/{invitation}/")
    browser.get(f"{LOGIN}?next=%2Finvitations%2F{invitation}%2F")
    browser.get(f"/accounts/password/reset/key/1-{reset_key}/")
    browser.get(f"/healthz?token={invitation}")

    eventually(lambda: len(server.access_text().splitlines()) == 4, timeout=10)
    lines = server.access_text()
    assert "GET /invitations/[redacted]/ HTTP/1.1" in lines
    assert "/accounts/password/reset/key/[redacted]/" in lines
    assert "?token=[redacted]" in lines
    assert invitation not in lines
    assert reset_key not in lines
    # Django's own log line for the unknown invitation ("Not Found: ...") too.
    output = server.output_text()
    assert "/invitations/[redacted]/" in output
    assert invitation not in output
