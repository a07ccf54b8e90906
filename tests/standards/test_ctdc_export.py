"""The CTDC export: k-anonymity of every file (property-based), ordinary
groups published, counts reported in headers and the audit event."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from referrals.choices import AgeBand, ExploitationType, MethodOfControl, Sex, TraffickerRelationship
from standards import ctdc

URL = "/api/v1/exports/ctdc/"

facts = st.builds(
    ctdc.CaseFacts,
    year=st.sampled_from([2024, 2025, 2026]),
    sex=st.sampled_from(Sex.values),
    age_band=st.sampled_from(AgeBand.values),
    citizenship=st.sampled_from(["PH", "ID", "NP", "ET", "KE", "BD", "LK", "IN", "NG", ""]),
    exploitation_types=st.lists(st.sampled_from(ExploitationType.values), min_size=1, max_size=3, unique=True).map(
        tuple
    ),
    methods_of_control=st.lists(st.sampled_from(MethodOfControl.values), max_size=4, unique=True).map(tuple),
    relationship_to_trafficker=st.sampled_from(["", *TraffickerRelationship.values]),
)


def combinations(rows) -> Counter:
    return Counter(tuple(row[c] for c in ctdc.COLUMNS) for row in rows)


@settings(max_examples=150, deadline=None)
@given(population=st.lists(facts, max_size=120), k=st.integers(min_value=2, max_value=15))
def test_every_published_combination_occurs_at_least_k_times(population, k):
    rows = [ctdc.ctdc_row(f, country="SA") for f in population]
    result = ctdc.k_anonymise(rows, k=k)
    assert all(count >= k for count in combinations(result.rows).values())
    assert len(result.rows) + result.suppressed == len(population)
    assert 0 <= result.generalised <= len(result.rows)
    assert all(set(row) == set(ctdc.COLUMNS) for row in result.rows)


@settings(max_examples=60, deadline=None)
@given(common=facts, size=st.integers(min_value=11, max_value=40), rare=st.lists(facts, max_size=10))
def test_a_group_of_k_or_more_identical_cases_is_published(common, size, rare):
    rows = [ctdc.ctdc_row(f, country="SA") for f in [common] * size + rare]
    result = ctdc.k_anonymise(rows, k=11)
    assert len(result.rows) >= size


def test_rare_values_are_generalised_before_suppression():
    base = ctdc.CaseFacts(2026, "female", "25-34", "PH", ("forced_labour",), ("DebtBondage",), "Familial")
    population = (
        [base] * 12
        + [ctdc.CaseFacts(2026, "female", "25-34", "ZA", ("forced_labour",), ("DebtBondage",), "Familial")] * 3
        + [ctdc.CaseFacts(2026, "female", "25-34", "KE", ("forced_labour",), ("DebtBondage",), "Familial")] * 8
    )
    result = ctdc.k_anonymise([ctdc.ctdc_row(f, country="SA") for f in population], k=11)
    assert result.suppressed == 0
    assert result.generalised == 11
    assert Counter(r["citizenship"] for r in result.rows) == {"PH": 12, "Africa": 11}


def test_regions_still_rarer_than_k_become_other():
    def person(country):
        return ctdc.CaseFacts(2026, "male", "18-24", country, ("forced_labour",), (), "")

    population = [person("NP")] * 11 + [person("BR")] * 5 + [person("FR")] * 6
    result = ctdc.k_anonymise([ctdc.ctdc_row(f, country="SA") for f in population], k=11)
    assert Counter(r["citizenship"] for r in result.rows) == {"NP": 11, "Other": 11}
    assert (result.suppressed, result.generalised) == (0, 11)


def test_every_country_has_a_region():
    import pycountry

    from standards.regions import region_of

    assert [c.alpha_2 for c in pycountry.countries if region_of(c.alpha_2) is None] == ["AQ"]


class TestTheEndpoint:
    def cases(self, people, n, **kwargs):
        return [people.case(**kwargs) for _ in range(n)]

    def read(self, response):
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))

    def test_ordinary_groups_are_published_and_rare_ones_suppressed(self, people, api):
        self.cases(people, 12, nationality="PH", coded={"methods_of_control": ["DebtBondage"]})
        self.cases(people, 2, nationality="ET", sex="male", types=["organ_removal"])
        response = api(people.approver).get(URL)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = self.read(response)
        assert len(rows) == 12
        assert all(count >= 11 for count in combinations(rows).values())
        assert rows[0]["citizenship"] == "PH"
        assert rows[0]["meansOfControlDebtBondage"] == "1"
        assert rows[0]["isForcedLabour"] == "1"
        assert rows[0]["gender"] == "Female"
        assert rows[0]["CountryOfExploitation"] == "SA"
        assert response["X-VAF-CTDC-Suppressed"] == "2"
        assert response["X-VAF-CTDC-K"] == "11"
        event = AuditEvent.objects.get(action="export.ctdc")
        assert (event.payload["records"], event.payload["rows"], event.payload["suppressed"]) == (14, 12, 2)
        assert "generalised" in event.payload

    def test_no_identifier_appears(self, people, api):
        self.cases(people, 11, full_name="Unique Fakename")
        body = api(people.auditor).get(URL).content.decode()
        assert "Unique Fakename" not in body and "Fake Street" not in body

    def test_k_is_a_setting(self, people, api, settings):
        settings.VAF_CTDC_K = 3
        self.cases(people, 3)
        assert len(self.read(api(people.approver).get(URL))) == 3

    def test_an_empty_range_has_the_header_only(self, people, api):
        response = api(people.approver).get(URL, {"until": "2001-01-01"})
        assert response.status_code == 200
        assert response.content.decode().strip() == ",".join(ctdc.COLUMNS)

    @pytest.mark.parametrize("role", ["caseworker", "finance", "intake"])
    def test_other_roles_are_refused(self, people, api, role):
        response = api(getattr(people, role)).get(URL)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_bad_dates_answer_validation_error(self, people, api):
        response = api(people.approver).get(URL, {"since": "not-a-date"})
        assert (response.status_code, response.json()["code"]) == (400, "validation_error")


@pytest.mark.parametrize("population", [0, 5, 30])
def test_database_export_is_k_anonymous(people, api, population):
    for i in range(population):
        people.case(nationality=["PH", "ID", "NP"][i % 3], sex=["female", "male"][i % 2])
    rows = list(csv.DictReader(io.StringIO(api(people.approver).get(URL).content.decode())))
    assert all(count >= 11 for count in combinations(rows).values())
