"""The same spreadsheet imported by several uploads at once creates each
row's case once (PostgreSQL, real threads, so a transactional test)."""

from __future__ import annotations

import pytest

from referrals.models import Case
from standards.intake.services import spreadsheet_import
from standards.models import ImportedRow
from tests.conftest import postgresql_only
from tests.referrals.test_concurrency import _in_threads
from tests.standards.conftest import People
from tests.standards.test_intake import htcds_row, workbook_bytes

pytestmark = postgresql_only()


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_of_one_file_create_each_row_once():
    people = People()
    data = workbook_bytes([htcds_row(n) for n in range(1, 4)])

    def upload(_i):
        report = spreadsheet_import(actor=people.caseworker, name="p.xlsx", data=data, default_agency="")
        return len(report.created)

    created = _in_threads(3, upload)
    assert sum(created) == 3
    assert Case.objects.count() == 3
    assert ImportedRow.objects.count() == 3
