from django.urls import path

from standards import api

urlpatterns = [
    path("exports/htcds/", api.HtcdsExportAPI.as_view(), name="export_htcds"),
    path("exports/ctdc/", api.CtdcExportAPI.as_view(), name="export_ctdc"),
]
