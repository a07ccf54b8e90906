from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.referral_create, name="referral_create"),
]
