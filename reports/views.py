"""The committee's reports: charts and tables, each exportable as CSV.

For approvers, finance officers and auditors. The figures are aggregates
(no personal data), so exports are not audited.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.roles import Role, user_roles
from audit.exports import csv_response
from reports.tables import all_tables, table_named
from standards.permissions import may_export

REPORT_ROLES = {Role.APPROVER, Role.FINANCE, Role.AUDITOR}


def report_reader_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not user_roles(request.user) & REPORT_ROLES:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@report_reader_required
def index(request):
    context = {"tables": all_tables(), "generated_at": timezone.now(), "may_export": may_export(request.user)}
    return render(request, "reports/index.html", context)


@require_GET
@report_reader_required
def export_csv(request, name: str):
    table = table_named(name)
    if table is None:
        raise Http404
    filename = f"vaf-{name.replace('_', '-')}-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_response(header=table.export_headers, rows=table.export_rows, filename=filename)
