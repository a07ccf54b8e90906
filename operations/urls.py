from django.urls import path

from operations import views

app_name = "operations"

urlpatterns = [
    path("schedules/", views.schedule_list, name="schedules"),
]
