from functools import cache
from typing import Any, ClassVar
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models

from portal.text import validate_name


class UserManager(DjangoUserManager["User"]):
    """Users are identified by email alone."""

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]  # email alone: Django's asks a username first
        self, email: str, password: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(  # type: ignore[override]  # email alone, as create_user
        self, email: str, password: str | None = None, **extra: Any
    ) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


@cache
def time_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows ("Europe/Berlin", "UTC")."""
    return frozenset(available_timezones())


def site_time_zone() -> str:
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    if value not in time_zones():
        raise ValidationError("Choose a time zone from the list, such as Europe/Berlin.")


class User(AbstractUser):
    # None is how a model drops a field it inherits; the stubs know these only as str.
    username = None  # type: ignore[assignment]  # dropped: email identifies
    first_name = None  # type: ignore[assignment]  # dropped: one free-form name
    last_name = None  # type: ignore[assignment]  # dropped: one free-form name
    email = models.EmailField("email address", unique=True)
    name = models.CharField(
        max_length=150,
        blank=True,
        validators=[validate_name],
        help_text="Shown in histories and receipts.",
    )
    email_notifications = models.BooleanField(
        default=True, help_text="Also send notifications by email."
    )
    time_zone = models.CharField(
        max_length=64,
        default=site_time_zone,
        validators=[validate_time_zone],
        help_text="Dates and times are shown in this zone (an IANA name, e.g. Europe/Berlin).",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email
