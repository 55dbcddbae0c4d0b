from django.urls import URLPattern, path, re_path

from portal.api import views
from portal.api.views import snapshot, training

# The consent check first: it is asked far more often than anything else.
urlpatterns: list[URLPattern] = [
    path("permissions/check", views.check_view, name="api_check"),
    path("", views.index_view, name="api_index"),
    path("openapi.json", views.openapi_view, name="api_openapi"),
    path("permissions/changes", views.changes_view, name="api_changes"),
    path("permissions/snapshot", snapshot.snapshot_view, name="api_snapshot"),
    path("usage-reports", views.usage_reports_view, name="api_usage_reports"),
    path("usage-reports/<int:report_id>", views.usage_report_view, name="api_usage_report"),
    path("training-manifests", training.manifests_view, name="api_manifests"),
    path(
        "training-manifests/<int:manifest_id>/items",
        training.manifest_items_view,
        name="api_manifest_items",
    ),
    path(
        "training-manifests/<int:manifest_id>/complete",
        training.manifest_complete_view,
        name="api_manifest_complete",
    ),
    path("obligations", training.obligations_view, name="api_obligations"),
    # Anything else under /api/v1/ is a JSON 404, never the site's HTML page.
    re_path(r"^.*$", views.not_found_view),
]
