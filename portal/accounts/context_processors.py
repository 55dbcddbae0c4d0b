from collections.abc import Callable
from functools import partial

from allauth.account.adapter import get_adapter
from django.http import HttpRequest


def signup(request: HttpRequest) -> dict[str, Callable[[], bool]]:
    """Whether this visitor may sign up (open sign-up, or an invitation in hand), so pages
    do not offer what the portal refuses. Lazy: asked only by pages that show it."""
    return {"signup_open": partial(get_adapter(request).is_open_for_signup, request)}
