"""The documents' pages: upload from the case page, download.

The upload view reads the body itself, with the sealing upload handler
installed first, so it is exempt from the CSRF middleware and checks the
CSRF token itself once the handler is in place (Django's documented way to
change upload handlers on a protected view).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from config.errors import DomainError, Gone, NotFound, PermissionDenied
from documents import selectors, services
from documents.download import attachment_response
from documents.forms import DocumentUploadForm
from documents.sealing import FIELD, install_upload_handler
from referrals.selectors import case_get_for_user


@csrf_exempt
@require_POST
@login_required
def upload(request, case_id):
    handler = install_upload_handler(request)
    return _upload(request, case_id, handler)


@csrf_protect
def _upload(request, case_id, handler):
    try:
        case = case_get_for_user(user=request.user, case_id=case_id)
    except NotFound:
        raise Http404 from None
    back = reverse("referrals:case_detail", args=[case.pk]) + "#documents-heading"
    form = DocumentUploadForm(request.POST, case=case)
    try:
        if handler.refusal == "too_large":
            raise services.upload_refused_as_too_large()
        if not form.is_valid():
            raise DomainError(_("Choose the document's kind."))
        services.document_upload(
            actor=request.user,
            case=case,
            upload=request.FILES.get(FIELD),
            kind=form.cleaned_data["kind"],
            disbursement_id=form.cleaned_data["disbursement"] or None,
        )
    except PermissionDenied:
        raise HttpForbidden from None
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect(back)
    messages.success(request, _("The document was added, encrypted."))
    return redirect(back)


@require_GET
@login_required
def download(request, pk) -> HttpResponse:
    try:
        document = selectors.document_get_for_user(user=request.user, document_id=pk)
        result = services.document_download(actor=request.user, document=document)
    except NotFound:
        raise Http404 from None
    except Gone as exc:
        return HttpResponse(exc.detail, status=410, content_type="text/plain; charset=utf-8")
    except DomainError as exc:
        return HttpResponse(exc.detail, status=exc.status, content_type="text/plain; charset=utf-8")
    return attachment_response(request.user, result)
