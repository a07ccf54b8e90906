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
    assert first["count"] == 3 and len(first["results"]) == 6 and first["next"] is None  # the rows, not the count
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


def test_past_the_cap_the_api_keeps_paging_until_the_rows_end(people, api, settings):
    settings.VAF_LIST_COUNT_CAP = 30  # pages of 25
    _cases(people, 55)
    client = api.as_user(people.caseworker)
    seen, url, pages = [], "/api/v1/cases/", 0
    while url:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).json()
        assert page["count"] == 30  # the cap, never more rows counted than cap + 1
        assert all("LIMIT 31" in q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper())
        seen += [case["reference"] for case in page["results"]]
        url, pages = page["next"], pages + 1
    assert pages == 3 and len(seen) == len(set(seen)) == 55  # every case reached, none twice
    assert client.get("/api/v1/cases/?page=4").status_code == 404
    assert client.get("/api/v1/cases/?page=0").status_code == 404


def test_past_the_cap_the_case_list_page_offers_the_next_page_without_a_total(people, browser, settings):
    settings.VAF_LIST_COUNT_CAP = 30
    _cases(people, 55)
    client = browser(people.caseworker)
    third = client.get("/cases/?page=3")
    assert third.status_code == 200 and len(third.context["page"]) == 5
    assert not third.context["page"].has_next()
    second = client.get("/cases/?page=2")
    assert second.context["page"].has_next() and b"page=3" in second.content
    assert "Page 2" in second.content.decode() and "Page 2 of" not in second.content.decode()
