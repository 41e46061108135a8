"""The missions' pages, mounted at /missions/."""

from django.urls import path

from missions import views

urlpatterns = [
    path("", views.mission_list, name="mission-list"),
    path("contributions/", views.contribution_list, name="contribution-list"),
    path("<slug:slug>/", views.mission_detail, name="mission-detail"),
]
