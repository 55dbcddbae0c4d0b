from django.urls import URLPattern, path, re_path

from portal.api import views

urlpatterns: list[URLPattern] = [
    path("", views.index_view, name="api_index"),
    path("openapi.json", views.openapi_view, name="api_openapi"),
    path("permissions/check", views.check_view, name="api_check"),
    path("permissions/changes", views.changes_view, name="api_changes"),
    path("usage-reports", views.usage_reports_view, name="api_usage_reports"),
    path("usage-reports/<int:report_id>", views.usage_report_view, name="api_usage_report"),
    # Anything else under /api/v1/ is a JSON 404, never the site's HTML page.
    re_path(r"^.*$", views.not_found_view),
]
