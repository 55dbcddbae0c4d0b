from django.http import HttpRequest

from portal.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, int]:
    """The unread count shown in the navigation: one indexed count, for signed-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user=user)}
