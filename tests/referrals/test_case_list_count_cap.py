"""The case lists count matching cases only up to VAF_LIST_COUNT_CAP, so a
list costs the same at 500 or 100,000 cases."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals import services
from tests.referrals.conftest import referral_input


def _cases(people, n: int) -> None:
    for _ in range(n):
        services.referral_create(actor=people.caseworker, referral=referral_input())


def test_below_the_cap_the_count_is_exact(people, api, settings):
    settings.VAF_LIST_COUNT_CAP = 10
    _cases(people, 4)
    page = api.as_user(people.caseworker).get("/api/v1/cases/").json()
    assert page["count"] == 4 and len(page["results"]) == 4 and page["next"] is None


def test_above_the_cap_the_count_stops_at_it_reading_at_most_cap_plus_one_rows(people, api, settings):
    settings.VAF_LIST_COUNT_CAP = 3
    _cases(people, 6)
    client = api.as_user(people.caseworker)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/api/v1/cases/").json()
    assert first["count"] == 3 and len(first["results"]) == 3
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 4" in sql for sql in counts)  # the count reads at most cap + 1 rows


def test_no_cap_counts_every_case(people, api, settings):
    settings.VAF_LIST_COUNT_CAP = 0
    _cases(people, 5)
    assert api.as_user(people.caseworker).get("/api/v1/cases/").json()["count"] == 5


def test_the_case_list_page_shows_the_capped_pages(people, browser, settings):
    settings.VAF_LIST_COUNT_CAP = 30
    _cases(people, 31)
    response = browser(people.caseworker).get("/cases/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 30
    assert response.context["page"].paginator.count_capped is True
    assert response.context["page"].paginator.num_pages == 2
