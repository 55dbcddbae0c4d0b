from django.urls import path

from portal.imports.views import label

urlpatterns = [
    path("labels/<int:label_id>/imports/", label.label_imports, name="label_imports"),
    path(
        "labels/<int:label_id>/imports/<int:import_id>/",
        label.label_import,
        name="label_import",
    ),
]
