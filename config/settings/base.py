"""Settings shared by every environment. Everything that differs comes from the environment."""

import json
import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
SECRET_KEY = env("SECRET_KEY")
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# ------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "pgtrigger",
    "portal.accounts",
    "portal.catalogue",
    "portal.licensing",
    "portal.consent",
    "portal.notifications",
    "portal.teams",
    "portal.earnings",
    "portal.training",
    "portal.fans",
    "portal.signals",
    "portal.api",
    "portal.delivery",
    "portal.imports",
    "portal.receipts",
    "portal.ops",
    "portal.ui",
    # The demo world (`manage.py seed_demo`) sits above every other app: it uses them all.
    "portal.demo",
]

# The request id comes first, so every log line of a request carries it, redirects and
# errors from the middleware below included; then the timer, so it measures all of them.
MIDDLEWARE = [
    "portal.ops.middleware.RequestIdMiddleware",
    "portal.ops.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.api.middleware.MachineApiMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.ops.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.outage.CacheOutageMiddleware",
    "portal.accounts.middleware.RequireMfaMiddleware",
    "portal.accounts.middleware.TimeZoneMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.ops.inputs.ControlCharactersMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.accounts.context_processors.signup",
                "portal.notifications.context_processors.unread",
                "portal.ui.context_processors.choices",
            ],
        },
    }
]

# ------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------
# PostgreSQL in CI and production; SQLite is the embedded default for `make run`.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue
    # instead of one failing with "database is locked" halfway through.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A covering index's INCLUDE columns are a PostgreSQL speed-up; SQLite indexes the keys.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    # The catalogue's tables outgrow memory on SSD storage, where a random read costs
    # little more than a sequential one. At PostgreSQL's default (4, for spinning disks)
    # the planner sorts a million works to show a page that an index walk gives in
    # milliseconds (a product page sorted by artist, docs/product-page.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c random_page_cost=1.1"

# ------------------------------------------------------------------------------
# Authentication (django-allauth): email is the login, there are no usernames
# ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "portal.teams.adapter.InvitationAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD: str | None = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Consent Portal] "
# Artists and managers join by invitation; open sign-up is off unless asked for.
ACCOUNT_ALLOW_SIGNUPS = env_bool("ACCOUNT_ALLOW_SIGNUPS")
# A password reset for an address with no account sends nothing, so the form cannot be
# used to learn who has one (the page reads the same either way).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
MFA_ADAPTER = "portal.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Consent Portal"
# TOTP secrets and recovery-code seeds are encrypted at rest with this key when set, else
# with one derived from SECRET_KEY; older keys still decrypt (portal/encryption.py).
MFA_SECRET_KEY = env("MFA_SECRET_KEY")
MFA_SECRET_KEY_FALLBACKS = env_list("MFA_SECRET_KEY_FALLBACKS")
# allauth counts failed sign-ins per client address. Behind proxies, REMOTE_ADDR is the
# proxy's, so every visitor would share one count and one stranger could lock everyone
# out: name how many proxies of ours append to X-Forwarded-For (the client is the entry
# that many from the right), or the header one of them sets to the client's address.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER") or None

# ------------------------------------------------------------------------------
# Content Security Policy: our own scripts and styles only, no inline code anywhere
# ------------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# ------------------------------------------------------------------------------
# Email: SMTP when EMAIL_HOST is set, else the console. Production refuses to start
# without EMAIL_HOST unless EMAIL_CONSOLE=true says printing mail is meant.
# ------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Consent Portal <noreply@consent.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_CONSOLE = env_bool("EMAIL_CONSOLE")
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# ------------------------------------------------------------------------------
# Static files (WhiteNoise serves them; no CDN anywhere)
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "imports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("IMPORTS_ROOT", str(BASE_DIR / "var" / "imports"))},
    },
}

# ------------------------------------------------------------------------------
# Catalogue imports: uploads wait under IMPORTS_ROOT (STORAGES["imports"]), which the
# web processes and the workers must share; an upload larger than this is refused.
# ------------------------------------------------------------------------------
IMPORT_MAX_UPLOAD_BYTES = int(env("IMPORT_MAX_UPLOAD_BYTES", str(2 * 1024**3)))

# ------------------------------------------------------------------------------
# Celery (Redis broker)
# ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
# Without REDIS_URL (`make run`) there is no broker, worker or beat: each task runs in the
# process that queues it, when it is queued (a webhook is sent as its change commits, an
# email in the request that caused it), and nothing periodic runs, so nothing retries a
# failed webhook. Logged at start-up (portal/ops/apps.py); production refuses to start
# without REDIS_URL.
TASKS_IN_PROCESS = not REDIS_URL
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = TASKS_IN_PROCESS
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only once it has run, and handed back if its worker dies,
# so a crash means a retry rather than a lost task.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Webhook sends stop starting batches after 50 s and each request ends by 15 s, so they
# finish well inside these.
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
# An unacknowledged message (its worker vanished) goes back to the queue after 5 min;
# longer than any task runs, so a slow task is never run twice at once. Delivery does
# not wait for it: the sweeper re-queues within a minute. A broker that does not
# answer fails a connect in 3 s, so a publish on commit cannot hold a web request long.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300, "socket_connect_timeout": 3}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Webhook deliveries have a queue of their own, so a burst of other work (emails, expiry
# sweeps) never stands between a "no" and the product hearing it. A worker started
# without -Q consumes both queues; `-Q webhooks` makes one that only delivers.
CELERY_TASK_QUEUES: dict[str, dict[str, str]] = {"celery": {}, "webhooks": {}}
CELERY_TASK_ROUTES = {"portal.delivery.tasks.*": {"queue": "webhooks"}}
CELERY_BEAT_SCHEDULE = {
    "announce-lapses": {"task": "portal.consent.tasks.announce_lapses", "schedule": 60.0},
    # A bulk answer's job row is its record: one whose message was lost is queued again.
    "bulk-answers-resume": {"task": "portal.consent.tasks.bulk_answers_resume", "schedule": 300.0},
    # The record of truth is the database: this re-queues every product whose changes
    # are committed but not acknowledged and whose next attempt is due, so a lost task,
    # a wiped Redis or a dead worker delays a delivery by seconds, never loses it. It is
    # also what brings retries back (no Celery countdowns). See docs/delivery.md.
    "deliveries-sweep": {"task": "portal.delivery.tasks.deliveries_sweep", "schedule": 10.0},
    # Idempotency-Key records are kept 24 hours, then dropped.
    "purge-idempotency-records": {
        "task": "portal.api.tasks.purge_idempotency_records",
        "schedule": 3600.0,
    },
}

# ------------------------------------------------------------------------------
# Webhook delivery (docs/delivery.md)
# ------------------------------------------------------------------------------
# Overrides of the delivery schedule's knobs (`portal.delivery.conf.DeliveryConf`, whose
# defaults are production's); the test settings shrink the timings.
WEBHOOK_DELIVERY: dict[str, object] = {}
# Encrypts webhook signing secrets at rest; defaults to one derived from SECRET_KEY.
WEBHOOK_SECRET_KEY = env("WEBHOOK_SECRET_KEY")
# Previous WEBHOOK_SECRET_KEYs while rotating it (portal/encryption.py).
WEBHOOK_SECRET_KEY_FALLBACKS = env_list("WEBHOOK_SECRET_KEY_FALLBACKS")
# Webhooks go over https to public addresses only (docs/delivery.md); on for local receivers.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES")

# ------------------------------------------------------------------------------
# Caches: Redis at REDIS_URL when set (CI and production, where it is required), so every
# web process on every machine counts in the same place; per-process memory otherwise,
# for `make run` alone.
#
# `default` holds what sign-in counts: allauth's rate limits (failed passwords, password
# resets, sign-ups) and its record of spent TOTP codes. Counted per process, a worker
# would check its own five wrong passwords and accept a code another had already used.
# Without Redis these fail closed: sign-in answers 503 until it is back (docs/operations.md).
#
# `api` holds the machine API's rate limits, with short timeouts: a slow or absent Redis
# must not hold a consent check up, so the API fails open instead.
# ------------------------------------------------------------------------------
API_CACHE = "api"
API_RATE_LIMIT = env("API_RATE_LIMIT", "600/minute")
REDIS_CACHE = "portal.accounts.cache.RedisCache"
CACHES = (
    {
        "default": {
            "BACKEND": REDIS_CACHE,
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "portal"),
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        },
        API_CACHE: {
            "BACKEND": REDIS_CACHE,
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "api",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        },
    }
    if REDIS_URL
    else {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        API_CACHE: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"},
    }
)

# ------------------------------------------------------------------------------
# Logging: every record carries `request_id` (a Celery task's id in a worker), and none
# a one-time token (invitation links, password-reset keys: portal/ops/logs.py). LOG_FORMAT
# is "text" (readable, the default here) or "json" (one object a line, production's
# default). Celery workers use this too, not their own (config/celery.py).
# ------------------------------------------------------------------------------
LOG_FORMAT = env("LOG_FORMAT", "text")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "portal.ops.logs.RequestIdFilter"},
        "redact": {"()": "portal.ops.logs.RedactFilter"},
        "api_answers": {"()": "portal.ops.logs.ApiAnswerFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "portal.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact"],
            "formatter": LOG_FORMAT,
        }
    },
    "loggers": {"django.request": {"filters": ["api_answers"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

# ------------------------------------------------------------------------------
# Operations: probes and metrics (docs/operations.md)
# ------------------------------------------------------------------------------
# Load balancers and Prometheus reach an instance directly over plain HTTP, so these are
# never redirected to HTTPS when SECURE_SSL_REDIRECT is on (production).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# /metrics answers a bearer token equal to this; unset, only direct requests from this host.
METRICS_TOKEN = env("METRICS_TOKEN")
# Each Celery worker stamps a heartbeat in Redis this often; /readyz counts it gone after
# MAX_AGE seconds without one.
OPS_HEARTBEAT_KEY = env("OPS_HEARTBEAT_KEY", "ops:worker-heartbeats")
OPS_HEARTBEAT_INTERVAL = 15.0
OPS_HEARTBEAT_MAX_AGE = 60.0
# /readyz fails once an active webhook endpoint's oldest unacknowledged change is older
# than this many seconds (0: report it, never fail on it).
OPS_DELIVERY_LAG_LIMIT = int(env("OPS_DELIVERY_LAG_LIMIT", "900"))
# How long a probe waits for Redis.
OPS_REDIS_TIMEOUT = 0.5

# ------------------------------------------------------------------------------
# The portal
# ------------------------------------------------------------------------------
PORTAL_PAGE_SIZE = 50
# Consent receipts (docs/receipts.md). Private signing keys, newest first: a JSON list of
# JWKs or PEM strings. Empty: a development key derived from SECRET_KEY.
RECEIPT_SIGNING_KEYS = json.loads(env("RECEIPT_SIGNING_KEYS", "[]"))
RECEIPT_JURISDICTION = env("RECEIPT_JURISDICTION", "EU")
RECEIPT_POLICY_URL = env("RECEIPT_POLICY_URL", "")  # empty: PORTAL_BASE_URL + "/"
# Where links in emails (notifications, invitations, delivery alerts) point; set but empty
# counts as unset.
PORTAL_BASE_URL = (env("PORTAL_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")

# ------------------------------------------------------------------------------
# Fans: the public "AI and me" pages and their misuse reports (docs/fans.md)
# ------------------------------------------------------------------------------
# How long browsers and shared caches may keep a public page: an answer that changes
# shows there within this many seconds.
FANS_PAGE_MAX_AGE = 60
# A report sent sooner than this after its form was shown is a machine's; one whose form
# is older than FANS_REPORT_MAX_AGE is refused (the form is shown again, fresh).
FANS_REPORT_MIN_SECONDS = 3
FANS_REPORT_MAX_AGE = 24 * 3600
# Reports per client address, counted in the default cache as sign-in's limits are.
FANS_REPORT_RATE_LIMIT = env("FANS_REPORT_RATE_LIMIT", "5/h")
# Encrypts the email address a fan leaves with a report; follows SECRET_KEY unless set.
FANS_CONTACT_KEY = env("FANS_CONTACT_KEY")
FANS_CONTACT_KEY_FALLBACKS = env_list("FANS_CONTACT_KEY_FALLBACKS")

# ------------------------------------------------------------------------------
# Signals: each recording's public AI-use preferences at /w/<ISRC> (docs/signals.md)
# ------------------------------------------------------------------------------
# How long crawlers and shared caches may keep a work page or its assertion.
SIGNALS_MAX_AGE = 300
