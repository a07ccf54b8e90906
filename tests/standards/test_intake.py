"""Spreadsheet intake: dry run row by row, import through the intake
service, re-upload creates nothing, and every bad input named with its cell.
All people in these sheets are fake."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from referrals.models import Case
from standards.intake.files import SheetRefused
from standards.intake.services import spreadsheet_check, spreadsheet_import

URL = "/standards/intake/"
HTCDS_HEADER = [
    None,
    "cas_CaseOwner",
    "prs_FirstName",
    "prs_SecondName",
    "con_Consent",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "prs_MobilePhone",
    "vic_TraffickingStatus",
    "vic_TraffickinStatusDecisionMakingOrg",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "cas_ReferringOrganisation",
    "cas_IncomingReferralDate",
]
LABELS = [None, "Case Owner", "First Name", "Second Name", "Consent", "Birthdate", "Gender", "Citizenship"]


def htcds_row(n, **overrides):
    row = {
        "cas_CaseOwner": "someone",
        "prs_FirstName": "Fake",
        "prs_SecondName": f"Person{n}",
        "con_Consent": True,
        "prs_Birthdate": "1991-02-03",
        "prs_Gender": "Feminine",
        "prs_Citizenship": "PH;ID",
        "prs_MobilePhone": f"+96650000{n:04d}",
        "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
        "vic_TraffickinStatusDecisionMakingOrg": "NGO",
        "vic_MethodsOfControl": "DebtBondage;WithholdsDocuments",
        "vic_TypeOfExploitation": "ForcedLabour",
        "cas_ReferringOrganisation": "Fake Shelter",
        "cas_IncomingReferralDate": "2026-01-05",
    }
    row.update(overrides)
    return [n] + [row[name] for name in HTCDS_HEADER[1:]]


def workbook_bytes(rows, *, header=HTCDS_HEADER, labels=LABELS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    if labels:
        sheet.append(labels)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def check(people, data, name="partner.xlsx"):
    return spreadsheet_check(actor=people.caseworker, name=name, data=data, default_agency="")


def test_dry_run_reports_each_row_and_creates_nothing(people):
    data = workbook_bytes([htcds_row(1), htcds_row(2, prs_Gender="Femenine"), htcds_row(3)])
    report = check(people, data)
    assert Case.objects.count() == 0
    assert [row.number for row in report.rows] == [3, 4, 5]
    assert [row.ok for row in report.rows] == [True, False, True]
    [issue] = report.rows[1].errors
    assert issue.cell == "G4"
    assert issue.column == "prs_Gender"
    assert "Feminine" in issue.message and "NonSpecifiedUnknown" in issue.message
    assert "Femenine" not in issue.message
    assert report.rows[0].preview["full_name"] == "F*** P***"
    assert "cas_CaseOwner" in report.ignored_columns


def test_import_creates_valid_rows_through_the_intake_service(people):
    data = workbook_bytes([htcds_row(1), htcds_row(2, vic_TypeOfExploitation="Slavery"), htcds_row(3)])
    report = spreadsheet_import(actor=people.caseworker, name="p.xlsx", data=data, default_agency="")
    assert len(report.created) == 2
    case = Case.objects.get(reference=report.created[0])
    assert case.intake_channel == "sheet"
    assert case.organisation == people.caseworker.organisation
    assert case.victim.full_name == "Fake Person1"
    assert case.victim.citizenship == ["ID", "PH"]
    assert case.victim.nationality == "PH"
    assert case.trafficking_status == "PossibleVictimOfTrafficking"
    assert case.status_decided_by == "NGO"  # the template's misspelt column
    assert case.methods_of_control == ["DebtBondage", "WithholdsDocuments"]
    assert case.consent_given and case.consent_date.isoformat() == "2026-01-05"
    assert case.referring_agency == "Fake Shelter"
    assert AuditEvent.objects.filter(action="case.referred").count() == 2
    event = AuditEvent.objects.get(action="intake.spreadsheet_imported")
    assert event.payload["rows_with_errors"] == [4]
    assert "Fake" not in str(event.payload)


def test_uploading_the_same_file_again_creates_nothing(people):
    data = workbook_bytes([htcds_row(1), htcds_row(2)])
    spreadsheet_import(actor=people.caseworker, name="p.xlsx", data=data, default_agency="")
    again = spreadsheet_import(actor=people.caseworker, name="p.xlsx", data=data, default_agency="")
    assert again.created == []
    assert again.already_imported == [3, 4]
    assert Case.objects.count() == 2


def test_possible_duplicates_are_listed(people):
    people.case(full_name="Fake Person1", dob=None, phone="+966500000001")
    data = workbook_bytes([htcds_row(1), htcds_row(1, prs_MobilePhone="+966599999999")])
    report = check(people, data)
    assert report.rows[0].duplicates and report.rows[0].duplicates[0].startswith("VAF-")


def test_a_formula_cell_is_an_error_in_its_cell(people):
    data = workbook_bytes([htcds_row(1, prs_SecondName='=HYPERLINK("http://x.invalid","x")')])
    [row] = check(people, data).rows
    assert [(i.cell, i.column) for i in row.errors] == [("D3", "prs_SecondName")]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("p.xlsm", b"anything", "Macro"),
        ("p.xlsx", b"not a zip", "not a valid"),
        ("p.pdf", b"%PDF", "Upload an .xlsx"),
    ],
)
def test_files_refused_whole(people, name, data, message):
    with pytest.raises(SheetRefused, match=message):
        check(people, data, name=name)


def test_a_workbook_with_macros_is_refused_whatever_its_name(people):
    buffer = io.BytesIO(workbook_bytes([htcds_row(1)]))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"fake vba")
    with pytest.raises(SheetRefused, match="macros"):
        check(people, buffer.getvalue())


def test_too_many_rows_are_refused(people, settings):
    settings.VAF_INTAKE_MAX_ROWS = 2
    with pytest.raises(SheetRefused, match="more than 2 rows"):
        check(people, workbook_bytes([htcds_row(n) for n in range(1, 4)]))


def test_too_large_a_file_is_refused(people, settings):
    settings.VAF_INTAKE_MAX_BYTES = 100
    with pytest.raises(SheetRefused, match="larger than"):
        check(people, workbook_bytes([htcds_row(1)]))


def test_wrong_headers_are_named(people):
    data = workbook_bytes([["x", "y"]], header=["full_name", "shoe_size"], labels=None)
    with pytest.raises(SheetRefused, match=r"B1 \(shoe_size\)"):
        check(people, data)
    with pytest.raises(SheetRefused, match="Missing columns: exploitation_types, consent_given"):
        check(people, workbook_bytes([["x"]], header=["full_name"], labels=None))


def test_the_projects_own_csv_template(people):
    text = (
        "full_name,date_of_birth,sex,nationality,exploitation_types,consent_given,consent_date,referring_agency,phone\n"
        "Fake Csvperson,1990-05-06,male,NP,forced_labour;forced_criminality,TRUE,2026-01-03,Fake Office,+9665000\n"
        "=cmd|' /C calc'!A0,1990-05-06,male,NP,forced_labour,TRUE,2026-01-03,Fake Office,\n"
        "Other Fake,1990-05-06,robot,NP,forced_labour,TRUE,2026-01-03,Fake Office,\n"
    )
    report = check(people, text.encode(), name="ours.csv")
    assert [row.ok for row in report.rows] == [True, False, False]
    assert report.rows[1].errors[0].cell == "A3"
    assert report.rows[2].errors[0].cell == "C4"
    assert report.rows[0].referral.exploitation_types == ["forced_criminality", "forced_labour"]


def test_missing_required_values_are_reported_with_the_cell(people):
    data = workbook_bytes([htcds_row(1, vic_TypeOfExploitation=None, prs_FirstName=None, prs_SecondName=None)])
    [row] = check(people, data).rows
    cells = {issue.cell for issue in row.errors}
    assert {"M3", "C3"} <= cells


class TestThePage:
    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def upload(self, client, data, action, name="partner.xlsx"):
        return client.post(URL, {"file": SimpleUploadedFile(name, data), "action": action, "referring_agency": ""})

    def test_check_then_import(self, people):
        client = self.client(people.caseworker)
        data = workbook_bytes([htcds_row(1), htcds_row(2)])
        response = self.upload(client, data, "import")
        assert response.status_code == 200
        assert Case.objects.count() == 0  # not checked yet: a dry run only
        assert "Would be created" in response.content.decode()
        response = self.upload(client, data, "import")
        assert Case.objects.count() == 2
        assert "2 referrals created" in response.content.decode()

    def test_a_refused_file_is_explained(self, people):
        response = self.upload(self.client(people.caseworker), b"x", "check", name="m.xlsm")
        assert response.status_code == 400
        assert "Macro-enabled" in response.content.decode()

    def test_templates_download_and_import(self, people):
        client = self.client(people.caseworker)
        response = client.get("/standards/intake/template.xlsx")
        sheet = load_workbook(io.BytesIO(response.content)).active
        header = [c.value for c in sheet[1]]
        assert header[:2] == ["referring_agency", "full_name"]
        csv_header = client.get("/standards/intake/template.csv").content.decode().strip()
        assert csv_header.split(",") == header
        assert client.get("/standards/intake/template.pdf").status_code == 404

    @pytest.mark.parametrize("role", ["approver", "auditor", "finance", "intake"])
    def test_other_roles_are_refused(self, people, role):
        assert self.client(getattr(people, role)).get(URL).status_code == 403

    def test_the_page_renders_for_caseworkers(self, people):
        response = self.client(people.caseworker).get(URL)
        assert response.status_code == 200
        assert "template.xlsx" in response.content.decode()


def test_a_value_missing_with_its_column_names_the_row_and_the_column(people):
    header = [h for h in HTCDS_HEADER if h != "cas_ReferringOrganisation"]
    row = [v for h, v in zip(HTCDS_HEADER, htcds_row(1), strict=True) if h != "cas_ReferringOrganisation"]
    [parsed] = check(people, workbook_bytes([row], header=header)).rows
    assert [(i.cell, i.column) for i in parsed.errors] == [("row 3", "cas_ReferringOrganisation")]
    report = spreadsheet_check(
        actor=people.caseworker, name="p.xlsx", data=workbook_bytes([row], header=header), default_agency="Fake NGO"
    )
    assert report.rows[0].ok and report.rows[0].referral.referring_agency == "Fake NGO"


def test_the_real_htcds_template_imports(people):
    from pathlib import Path

    template = Path(__file__).parent / "data" / "htcds-excel-template-v2.0.xlsx"
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    columns = {cell.value: cell.column for cell in sheet[1] if cell.value}
    assert "vic_TraffickinStatusDecisionMakingOrg" in columns  # the template's own spelling
    assert check(people, template.read_bytes()).rows == []  # blank: numbered rows only
    for row, (first, gender) in enumerate([("Fake", "Feminine"), ("Other", "Masculine")], start=3):
        for field, value in {
            "prs_FirstName": first,
            "prs_SecondName": "Templateperson",
            "con_Consent": "TRUE",
            "prs_Gender": gender,
            "prs_Citizenship": "NP",
            "vic_TraffickingStatus": "ActualVictimOfTrafficking",
            "vic_TraffickinStatusDecisionMakingOrg": "Police",
            "vic_TypeOfExploitation": "ForcedLabour;Servitude",
            "cas_ReferringOrganisation": "Fake Hotline",
        }.items():
            sheet.cell(row=row, column=columns[field], value=value)
    out = io.BytesIO()
    workbook.save(out)
    report = spreadsheet_import(actor=people.caseworker, name="template.xlsx", data=out.getvalue(), default_agency="")
    assert [row.ok for row in report.rows] == [True, True]
    assert len(report.created) == 2
    case = Case.objects.get(reference=report.created[1])
    assert (case.victim.sex, case.status_decided_by) == ("male", "Police")
    assert case.exploitation_types == ["domestic_servitude", "forced_labour"]


def test_too_wide_a_sheet_is_refused(people):
    header = ["full_name", "exploitation_types", "consent_given", *[f"col{n}" for n in range(300)]]
    with pytest.raises(SheetRefused, match="more than 200 columns"):
        check(people, workbook_bytes([["x"]], header=header, labels=None))
    with pytest.raises(SheetRefused, match="more than 200 columns"):
        check(people, (",".join(header) + "\n").encode(), name="wide.csv")
