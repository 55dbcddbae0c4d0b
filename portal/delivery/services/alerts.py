"""Alerts: staff hear by email when an endpoint has been failing a while, is disabled, or
is delivered to again. Each alert goes out once per episode."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from portal.delivery.conf import DeliveryConf, delivery_conf
from portal.delivery.models import Attempt, Endpoint
from portal.delivery.selectors import delivery_lag

log = logging.getLogger(__name__)


def _staff_emails() -> list[str]:
    admins = {email for _, email in settings.ADMINS}
    staff = (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(admins | set(staff))


def _admin_link(endpoint_id: int) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return base + reverse("admin:delivery_endpoint_change", args=[endpoint_id])


def _email_staff(subject: str, body: str) -> None:
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
    recipients = _staff_emails()
    if recipients:
        send_mass_mail([(prefix + subject, body, None, [to]) for to in recipients])


def endpoints_alert(*, now: datetime | None = None, conf: DeliveryConf | None = None) -> int:
    """Email staff once about each endpoint that has been failing for `alert_after`, and
    at once about each that was disabled. Returns how many alerts went out.

    Each alert is claimed with a conditional UPDATE before it is sent, so two sweepers
    never send the same one, and handed back if the mail server refused it.
    """
    conf = conf or delivery_conf()
    now = now or timezone.now()
    pending = (
        Endpoint.objects.filter(
            Q(status=Endpoint.Status.DISABLED)
            | Q(
                status=Endpoint.Status.FAILING,
                failing_since__lte=now - timedelta(seconds=conf.alert_after),
            )
        )
        .exclude(alerted=F("status"))
        .select_related("product")
    )
    sent = 0
    for endpoint in pending:
        taken = Endpoint.objects.filter(
            pk=endpoint.pk, status=endpoint.status, alerted=endpoint.alerted
        ).update(alerted=endpoint.status)
        if not taken:
            continue
        try:
            _email_staff(*_alert_text(endpoint, now=now))
        except Exception:
            log.exception("Could not email staff about endpoint %s", endpoint.pk)
            Endpoint.objects.filter(pk=endpoint.pk, alerted=endpoint.status).update(
                alerted=endpoint.alerted
            )
            continue
        sent += 1
    return sent


def _alert_text(endpoint: Endpoint, *, now: datetime) -> tuple[str, str]:
    product = endpoint.product.name
    last = Attempt.objects.filter(delivery__endpoint=endpoint).order_by("-at", "-pk").first()
    lag = delivery_lag(endpoint=endpoint, now=now)
    lines = [f"Webhook endpoint: {endpoint.url}"]
    if endpoint.failing_since:
        lines.append(f"Failing since: {endpoint.failing_since:%Y-%m-%d %H:%M:%S} UTC")
    lines.append(f"Failed attempts in a row: {endpoint.failures}")
    if last is not None:
        lines.append(f"Last attempt: {last.error or last.status_code}")
    if lag is not None:
        lines.append(f"Oldest undelivered change waiting: {duration_text(lag)}")
    if endpoint.status == Endpoint.Status.DISABLED:
        subject = f"Webhooks to {product} are disabled"
        lines.insert(0, f"{endpoint.disabled_reason} Nothing more is sent until it is re-enabled.")
    else:
        subject = f"Webhooks to {product} are failing"
        nxt = endpoint.next_attempt_at
        lines.insert(0, "Deliveries are being retried with backoff; nothing is skipped.")
        if nxt:
            lines.append(f"Next attempt: {nxt:%Y-%m-%d %H:%M:%S} UTC")
    lines.append(f"\nSee and act on it in admin: {_admin_link(endpoint.pk)}")
    return subject, "\n".join(lines) + "\n"


def alert_recovered(endpoint_id: int) -> None:
    """Tell staff a failing endpoint they were alerted about acknowledged a delivery again."""
    endpoint = Endpoint.objects.select_related("product").get(pk=endpoint_id)
    try:
        _email_staff(
            f"Webhooks to {endpoint.product.name} are delivered again",
            f"{endpoint.url} acknowledged a delivery; the backlog follows in order.\n\n"
            f"{_admin_link(endpoint.pk)}\n",
        )
    except Exception:
        log.exception("Could not email staff about endpoint %s recovering", endpoint_id)


def duration_text(span: timedelta) -> str:
    """A span as staff read it: "90 s", "12 min", "5 h", "3 days"."""
    seconds = int(span.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
