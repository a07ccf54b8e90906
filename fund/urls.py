from django.urls import path

from fund import views

app_name = "fund"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("approvals/", views.approval_queue, name="approval_queue"),
    path("payments/", views.payment_queue, name="payment_queue"),
]
