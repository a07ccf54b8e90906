from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("cases/<uuid:case_id>/upload/", views.upload, name="upload"),
    path("<uuid:pk>/download/", views.download, name="download"),
]
