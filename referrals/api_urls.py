from django.urls import path

from referrals import api

# Case ids are matched as text so a malformed id answers the JSON 404 of a
# missing case rather than the HTML one.
urlpatterns = [
    path("referrals/", api.ReferralCreateAPI.as_view(), name="referral_create"),
    path("cases/", api.CaseListAPI.as_view(), name="case_list"),
    path("cases/<str:case_id>/", api.CaseDetailAPI.as_view(), name="case_detail"),
    path("cases/<str:case_id>/reveal/", api.CaseRevealAPI.as_view(), name="case_reveal"),
    path("cases/<str:case_id>/transitions/<str:name>/", api.CaseTransitionAPI.as_view(), name="case_transition"),
]
