from django.http import HttpRequest


def unread(request: HttpRequest) -> dict[str, int]:
    """The unread count shown in the navigation."""
    return {}
