from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.referral_create, name="referral_create"),
    path("<uuid:case_id>/", views.case_detail, name="case_detail"),
    path("<uuid:case_id>/reveal/", views.case_reveal, name="case_reveal"),
    path("<uuid:case_id>/transitions/<slug:name>/", views.case_transition, name="case_transition"),
    path("<uuid:case_id>/assessment/", views.assessment_edit, name="assessment_edit"),
    path("<uuid:case_id>/victim/", views.victim_edit, name="victim_edit"),
]
