"""The missions' pages, mounted at /missions/."""

from django.urls import path

from missions import views

urlpatterns = [
    path("", views.mission_list, name="mission-list"),
    path("<slug:slug>/", views.mission_detail, name="mission-detail"),
]
