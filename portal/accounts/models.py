from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
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

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email
