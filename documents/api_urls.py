from django.urls import path

from documents import api

# Ids are matched as text so a malformed id answers the JSON 404.
urlpatterns = [
    path("cases/<str:case_id>/documents/", api.CaseDocumentsAPI.as_view(), name="case_documents"),
    path("documents/<str:document_id>/download/", api.DocumentDownloadAPI.as_view(), name="document_download"),
]
