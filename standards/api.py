"""API v1 for the standards' exports (DESIGN.md §8, §12).

`?format=` names the export's file format here, so DRF's own use of that
query parameter (choosing a renderer) is turned off for these views.
"""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_schema import error_responses
from config.errors import PermissionDenied
from standards.exports import ExportFilter, ctdc_csv, ctdc_export, htcds_export, htcds_workbook
from standards.permissions import may_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _values(help_text: str):
    return serializers.ListField(child=serializers.CharField(), help_text=help_text)


class HtcdsRecordSerializer(serializers.Serializer):
    """One de-identified HTCDS v2.0 record (schema only; docs/htcds.md)."""

    vaf_record_id = serializers.CharField(help_text=gettext_lazy("Pseudonym of the case, stable across exports."))
    con_Consent = serializers.BooleanField()
    prs_Gender = serializers.CharField()
    prs_Citizenship = _values(gettext_lazy("ISO 3166-1 alpha-2 codes."))
    vic_TraffickingStatus = serializers.CharField(allow_null=True)
    vic_TraffickingStatusDecisionMakingOrg = serializers.CharField(allow_null=True)
    vic_MethodOfRecruitment = _values("")
    vic_MethodsOfControl = _values("")
    vic_TypeOfExploitation = _values("")
    cas_Status = serializers.CharField()
    cas_IncomingReferralDate = serializers.DateField()
    vic_RelationshipToTrafficker = serializers.CharField(allow_null=True)
    vic_AgeWhenTrafficked = serializers.IntegerField(allow_null=True)
    spl_Type = _values("")
    vaf_AgeBand = serializers.CharField(allow_null=True)
    vaf_TypeOfExploitationOther = _values(gettext_lazy("Our exploitation types exported as Other."))
    vaf_CaseStatus = serializers.CharField()


class FirstRenderer(DefaultContentNegotiation):
    """JSON for every answer these views render themselves (errors, records)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportQuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False, help_text=gettext_lazy("First referral date, YYYY-MM-DD."))
    until = serializers.DateField(required=False, help_text=gettext_lazy("Last referral date, YYYY-MM-DD."))

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["until"] < attrs["since"]:
            raise serializers.ValidationError({"until": [_("The end of the range is before its start.")]})
        return attrs

    def export_filter(self) -> ExportFilter:
        return ExportFilter(since=self.validated_data.get("since"), until=self.validated_data.get("until"))


class HtcdsQuerySerializer(ExportQuerySerializer):
    format = serializers.ChoiceField(choices=["json", "xlsx"], required=False, default="json")


class ExportAPIView(APIView):
    content_negotiation_class = FirstRenderer
    query_serializer = ExportQuerySerializer

    def parsed_query(self, request):
        if not may_export(request.user):
            raise PermissionDenied(_("Only approvers and auditors may export case data."))
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query


class HtcdsExportAPI(ExportAPIView):
    query_serializer = HtcdsQuerySerializer

    @extend_schema(
        operation_id="export_htcds",
        summary=gettext_lazy("De-identified HTCDS v2.0 records"),
        description=gettext_lazy(
            "Approvers and auditors. One record per case referred in the range, with HTCDS v2.0 field and value "
            "names; no names, document numbers, phones, addresses, dates of birth or free text. `vaf_record_id` "
            "is a pseudonym stable across exports. format=xlsx answers a workbook laid out like the HTCDS Excel "
            "template. Recorded as export.htcds."
        ),
        parameters=[HtcdsQuerySerializer],
        responses={
            (200, "application/json"): OpenApiResponse(HtcdsRecordSerializer(many=True)),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY),
            **error_responses(400, 401, 403),
        },
        tags=["exports"],
    )
    def get(self, request):
        query = self.parsed_query(request)
        export_filter = query.export_filter()
        fmt = query.validated_data["format"]
        records = htcds_export(actor=request.user, export_filter=export_filter, fmt=fmt)
        if fmt == "xlsx":
            return FileResponse(
                htcds_workbook(records),
                as_attachment=True,
                filename=export_filter.filename("htcds", "xlsx"),
                content_type=XLSX,
            )
        return Response(records, headers={"X-VAF-Record-Count": str(len(records))})


class CtdcExportAPI(ExportAPIView):
    @extend_schema(
        operation_id="export_ctdc",
        summary=gettext_lazy("k-anonymised CTDC-style CSV"),
        description=gettext_lazy(
            "Approvers and auditors. One row per published case with CTDC's column names; generalised, then "
            "records whose combination of values is shared by fewer than VAF_CTDC_K records are suppressed. "
            "Headers X-VAF-CTDC-K, X-VAF-CTDC-Suppressed and X-VAF-CTDC-Generalised give the counts. "
            "Recorded as export.ctdc."
        ),
        parameters=[ExportQuerySerializer],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR), **error_responses(400, 401, 403)},
        tags=["exports"],
    )
    def get(self, request):
        query = self.parsed_query(request)
        export_filter = query.export_filter()
        result = ctdc_export(actor=request.user, export_filter=export_filter)
        response = HttpResponse(ctdc_csv(result.rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{export_filter.filename("ctdc", "csv")}"'
        response["X-VAF-CTDC-K"] = str(result.k)
        response["X-VAF-CTDC-Suppressed"] = str(result.suppressed)
        response["X-VAF-CTDC-Generalised"] = str(result.generalised)
        response["X-VAF-Record-Count"] = str(len(result.rows))
        return response
