"""Page lists without counting every row.

A paginated list shows how many rows match; at 100,000 cases the COUNT costs
more than reading the page. Counting stops at `VAF_LIST_COUNT_CAP` rows
(`SELECT COUNT(*) FROM (… LIMIT cap + 1)`): below the cap the count is exact,
above it the list reports the cap and offers the pages up to it — narrow the
list with its filters to reach older rows. 0 turns the cap off.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination


class CappedPaginator(Paginator):
    count_capped = False

    @cached_property
    def count(self) -> int:
        cap = getattr(settings, "VAF_LIST_COUNT_CAP", 0)
        if not cap or not hasattr(self.object_list, "query"):
            return super().count
        counted = self.object_list[: cap + 1].count()
        self.count_capped = counted > cap
        return min(counted, cap)


class CappedPageNumberPagination(PageNumberPagination):
    """DRF's page-number pagination (`{count, next, previous, results}`) with the capped count."""

    django_paginator_class = CappedPaginator
