"""The production settings module, as `make bench` serves the consent check: the same
middleware, security settings, logging and caches as production, with only what a
loopback bench must change: no HTTPS redirect (there is no TLS in front), the floor view
of `benchmarks.urls` beside the site, and the bench's own database and Redis from the
environment (`benchmarks.api.production_environment` sets throwaway secrets)."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
SECURE_SSL_REDIRECT = False
