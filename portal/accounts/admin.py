"""Admin for users, identified by email alone (no username, no first or last name), and
for their two-factor methods.

The apps built on accounts add what they know to the user's page: the labels managed
(`portal.catalogue.admin`) and the artists' teams (`portal.teams.admin`)."""

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest

from portal.accounts.models import User


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        # Logins match email case-insensitively, so two spellings would be one person.
        if User.objects.filter(email__iexact=email).exists():
            raise self.instance.unique_error_message(User, ["email"])
        return email


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = [
            "email",
            "password",
            "name",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        ]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "name", "is_staff", "is_superuser", "is_active", "last_login")
    search_fields = ("email", "name")
    ordering = ("email",)

    def get_inline_instances(
        self, request: HttpRequest, obj: User | None = None
    ) -> list[InlineModelAdmin]:
        # Teams and labels (the other apps' inlines) are added once the user exists, as
        # with the other options.
        return super().get_inline_instances(request, obj) if obj is not None else []


# allauth's own admin for authenticators shows `data`, which holds the TOTP secret and
# the recovery-code seed: anyone with admin access could copy a person's second factor.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Whose two-factor methods, which kind, made and last used when; never their data.

    Staff can delete one (a person who lost their phone sets it up again), but never see,
    add or edit one: only its owner can, through the portal.
    """

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    list_select_related = ("user",)
    search_fields = ("user__email", "user__name")
    ordering = ("-created_at",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Authenticator | None = None) -> bool:
        return False
