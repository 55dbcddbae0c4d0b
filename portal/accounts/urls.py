from django.urls import path

from portal.accounts import views

urlpatterns = [
    path("", views.account_security, name="account_security"),
    path("time-zone/", views.account_time_zone, name="account_time_zone"),
]
