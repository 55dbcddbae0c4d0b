"""`make run`: SQLite, tasks in-process, console email. Never for production."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY", "local-development-only-not-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
# The demo receiver listens on http://127.0.0.1.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
# Demo accounts are seeded with verified addresses; new ones can confirm from the console.
