"""The emails the suite's locmem backend caught."""

from django.core import mail


def sent_to(address: str) -> list[mail.EmailMessage]:
    """The messages sent to `address`. Without Redis, tasks run at once, so the team
    admins' notification emails sit in the outbox beside an invitation."""
    return [message for message in mail.outbox if address in message.to]
