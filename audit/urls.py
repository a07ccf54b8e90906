from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("export/", views.event_export, name="event_export"),
    path("events/<int:seq>/", views.event_detail, name="event_detail"),
    path("cases/<str:reference>/", views.case_history, name="case_history"),
    path("access/", views.access_review, name="access_review"),
    path("access/export/", views.access_export, name="access_export"),
    path("verify/", views.verify, name="verify"),
]
