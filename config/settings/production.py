"""Production: everything secret or site-specific comes from the environment."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env, env_bool

DEBUG = False
if not SECRET_KEY:  # noqa: F405
    raise RuntimeError("SECRET_KEY must be set in production")
if not RECEIPT_SIGNING_KEYS:  # noqa: F405
    raise RuntimeError("RECEIPT_SIGNING_KEYS must be set in production (docs/receipts.md)")
# Sign-in's rate limits and spent TOTP codes must be shared by every web process, and
# Celery needs its broker: without Redis each process would count on its own.
if not REDIS_URL:  # noqa: F405
    raise RuntimeError("REDIS_URL must be set in production (sign-in limits, Celery)")
# Invitations and password resets are emails: printing them to a log by accident would
# both lose them and leak their links.
if not env("EMAIL_HOST") and not EMAIL_CONSOLE:  # noqa: F405
    raise RuntimeError(
        "EMAIL_HOST must be set in production (or EMAIL_CONSOLE=true to print mail instead)"
    )

# ------------------------------------------------------------------------------
# HTTPS, cookies and the proxy in front
# ------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production runs behind one TLS-terminating proxy (README), so the client's address is
# the last X-Forwarded-For entry unless the operator says otherwise.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "1"))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# ------------------------------------------------------------------------------
# Logging: one JSON object a line for the log collector, unless LOG_FORMAT says otherwise
# ------------------------------------------------------------------------------
LOG_FORMAT = env("LOG_FORMAT", "json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
