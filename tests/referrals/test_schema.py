"""The OpenAPI schema describes the referral and case endpoints."""

from __future__ import annotations

import json

from django.test import Client


def test_schema_describes_referrals_and_cases(people):
    client = Client()
    client.force_login(people.caseworker)
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    create = paths["/api/v1/referrals/"]["post"]
    assert create["operationId"] == "referral_create"
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert {"201", "400", "403", "422"} <= set(create["responses"])
    listing = paths["/api/v1/cases/"]["get"]
    assert any(p["name"] == "status" for p in listing["parameters"])
    page_schema = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert {"count", "next", "previous", "results"} <= set(schema["components"]["schemas"][page_schema]["properties"])
    detail = paths["/api/v1/cases/{case_id}/"]
    assert {"get", "patch"} <= set(detail)
    assert "/api/v1/cases/{case_id}/reveal/" in paths
    transition = paths["/api/v1/cases/{case_id}/transitions/{name}/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(transition["responses"])
    detail_props = schema["components"]["schemas"]["CaseDetail"]["properties"]
    assert {"victim", "pii_visible", "possible_duplicates", "available_transitions", "assessment"} <= set(detail_props)


def test_docs_page_is_served_locally(people):
    client = Client()
    client.force_login(people.caseworker)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
    assert b"cdn" not in response.content.lower()
