from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# Staff reach admin through the allauth login, so MFA and rate limits apply there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's way
admin.site.site_header = "Consent Portal operations"
admin.site.site_title = "Consent Portal"

# The API first: its consent check is the most frequent request by far, and each pattern
# tried before it costs it time.
urlpatterns = [
    path("api/v1/", include("portal.api.urls")),
    path("", include("portal.ops.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("portal.accounts.urls")),
    path("", include("portal.receipts.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("", include("portal.teams.urls")),
    path("", include("portal.earnings.urls")),
    path("", include("portal.imports.urls")),
    path("", include("portal.fans.urls")),
    path("", include("portal.signals.urls")),
    path("", include("portal.consent.urls")),
]

# JSON for API paths, Django's pages elsewhere: a product never gets an HTML error page,
# even for failures before a view runs.
handler400 = "portal.api.views.handler400"
handler403 = "portal.api.views.handler403"
handler404 = "portal.api.views.handler404"
handler500 = "portal.api.views.handler500"
