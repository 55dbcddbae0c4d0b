from django.urls import path

from portal.notifications import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("read/", views.notifications_read_all, name="notifications_read_all"),
    path("<int:notification_id>/read/", views.notification_read, name="notification_read"),
    path("email/", views.email_preference, name="notification_email_preference"),
]
