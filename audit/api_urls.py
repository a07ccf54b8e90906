from django.urls import path

from audit import api

urlpatterns = [
    path("audit/events/", api.AuditEventListAPI.as_view(), name="audit-events"),
    path("audit/verify/", api.AuditVerifyAPI.as_view(), name="audit-verify"),
    path("audit/log/key/", api.AuditLogKeyAPI.as_view(), name="audit-log-key"),
    path("audit/log/checkpoint/", api.AuditLogCheckpointAPI.as_view(), name="audit-log-checkpoint"),
    path("audit/log/proof/inclusion/", api.AuditLogInclusionProofAPI.as_view(), name="audit-log-inclusion"),
    path("audit/log/proof/consistency/", api.AuditLogConsistencyProofAPI.as_view(), name="audit-log-consistency"),
]
