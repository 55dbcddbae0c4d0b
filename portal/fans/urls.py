from django.urls import path

from portal.fans import views

urlpatterns = [
    path("a/<slug:slug>/", views.fan_page, name="fan_page"),
    path("a/<slug:slug>/report/", views.misuse_report, name="misuse_report"),
    path("artists/<int:artist_id>/fan-page/", views.fan_page_settings, name="fan_page_settings"),
    path("artists/<int:artist_id>/misuse-reports/", views.misuse_reports, name="misuse_reports"),
    path(
        "artists/<int:artist_id>/misuse-reports/<int:report_id>/handled/",
        views.misuse_report_handled,
        name="misuse_report_handled",
    ),
]
