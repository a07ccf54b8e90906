from django.urls import path

from standards import views

app_name = "standards"

urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("intake/template.<str:fmt>", views.intake_template, name="intake_template"),
]
