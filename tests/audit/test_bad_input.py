"""Implausible input on the audit pages and API answers 400 or 404, never 500."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_user


@pytest.fixture
def auditor(db):
    return make_user("auditor")


@pytest.mark.parametrize("query", ["since=0001-01-01", "until=0001-01-01"])
@pytest.mark.parametrize("path", ["/audit/", "/audit/access/"])
def test_very_early_dates_on_pages_are_form_errors(auditor, path, query):
    client = Client()
    client.force_login(auditor)
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert "2000" in response.content.decode()  # the earliest date accepted is named


@pytest.mark.parametrize("query", ["until=0001-01-01", "since=0001-01-01T01:00:00"])
def test_very_early_dates_on_the_api_are_validation_errors(auditor, query):
    client = APIClient()
    client.force_authenticate(auditor)
    response = client.get(f"/api/v1/audit/events/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize("path", ["/audit/cases/VAF%00/", "/audit/cases/VAF-2026-000001/?before=%C2%B2"])
def test_malformed_reference_or_cursor_is_not_a_server_error(auditor, path):
    client = Client()
    client.force_login(auditor)
    assert client.get(path).status_code == 404
