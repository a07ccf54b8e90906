from django.urls import path

from audit import api

urlpatterns = [
    path("audit/events/", api.AuditEventListAPI.as_view(), name="audit-events"),
    path("audit/verify/", api.AuditVerifyAPI.as_view(), name="audit-verify"),
]
