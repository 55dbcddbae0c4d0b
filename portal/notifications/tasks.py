from celery import shared_task

from portal.notifications.services import notification_emails_send


# SMTP errors are OSErrors. Retrying is safe: what was sent is recorded and skipped.
@shared_task(
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_notification_emails(*, notification_ids: list[int]) -> int:
    """After commit: email the notifications whose users want email."""
    return notification_emails_send(notification_ids=notification_ids)
