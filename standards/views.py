"""The spreadsheet intake page: upload, dry run, import; and the templates.

The upload is kept in memory (never written to a temporary file: it holds
personal data) and refused before it is read when it is over the size limit.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from config.errors import DomainError
from standards.forms import SpreadsheetForm
from standards.intake.files import SheetRefused
from standards.intake.services import file_sha256, spreadsheet_check, spreadsheet_import
from standards.intake.templates import template_csv, template_xlsx
from standards.permissions import may_import_spreadsheet

CHECKED_SESSION_KEY = "vaf_intake_checked"
FORM_OVERHEAD = 64 * 1024  # the multipart envelope and the other fields


class IntakeUploadHandler(MemoryFileUploadHandler):
    """Keeps the upload in memory; a body over the limit is not kept at all."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = content_length <= settings.VAF_INTAKE_MAX_BYTES + FORM_OVERHEAD


def _caseworker(request) -> None:
    if not may_import_spreadsheet(request.user):
        raise HttpForbidden


def _too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.VAF_INTAKE_MAX_BYTES + FORM_OVERHEAD


@csrf_exempt
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def intake(request):
    request.upload_handlers = [IntakeUploadHandler(request)]
    return _intake(request)


@csrf_protect
def _intake(request):
    _caseworker(request)
    if request.method == "GET":
        return _page(request, SpreadsheetForm())
    if _too_large(request):
        form = SpreadsheetForm()
        form.add_error(
            None, _("The file is larger than the %(n)d bytes allowed.") % {"n": settings.VAF_INTAKE_MAX_BYTES}
        )
        return _page(request, form, status=400)
    form = SpreadsheetForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    agency = form.cleaned_data["referring_agency"]
    checked = request.session.get(CHECKED_SESSION_KEY, [])
    digest = file_sha256(data)
    wants_import = request.POST.get("action") == "import"
    try:
        if wants_import and digest in checked:
            report = spreadsheet_import(actor=request.user, name=upload.name, data=data, default_agency=agency)
        else:
            report = spreadsheet_check(actor=request.user, name=upload.name, data=data, default_agency=agency)
            request.session[CHECKED_SESSION_KEY] = [*checked[-9:], digest]
    except SheetRefused as exc:
        form.add_error("file", str(exc))
        return _page(request, form, status=400)
    except DomainError as exc:
        form.add_error(None, exc.detail)
        return _page(request, form, status=400)
    context = {
        "report": report,
        "imported": wants_import and digest in checked,
        "must_check_first": wants_import and digest not in checked,
        "filename": upload.name,
    }
    return _page(request, SpreadsheetForm(initial={"referring_agency": agency}), **context)


def _page(request, form, status: int = 200, **context):
    context.update(form=form, max_rows=settings.VAF_INTAKE_MAX_ROWS, max_bytes=settings.VAF_INTAKE_MAX_BYTES)
    return render(request, "standards/intake.html", context, status=status)


@require_GET
@login_required
def intake_template(request, fmt: str):
    _caseworker(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "csv":
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="vaf-referrals-template.{fmt}"'
    return response
