from django.urls import URLPattern, path

from portal.receipts import views

urlpatterns: list[URLPattern] = [
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path(
        "works/<int:work_id>/receipts/<int:position>/",
        views.receipt_download,
        name="receipt_download",
    ),
]
