from django.urls import path

from portal.signals import views

urlpatterns = [
    path("w/<str:isrc>", views.work_page, name="work_page"),
    path("w/<str:isrc>/cawg-training-mining.json", views.work_cawg, name="work_cawg"),
    path(".well-known/tdmrep.json", views.tdmrep, name="tdmrep"),
    path("tdm/policy.json", views.tdm_policy, name="tdm_policy"),
    path("robots.txt", views.robots, name="robots"),
]
