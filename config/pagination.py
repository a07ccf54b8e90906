"""Page lists without counting every row.

A paginated list shows how many rows match; at 100,000 cases the COUNT costs
more than reading the page. Counting stops at `VAF_LIST_COUNT_CAP` rows
(`SELECT COUNT(*) FROM (… LIMIT cap + 1)`, without the list's order): below
the cap the count is exact; above it the list reports the cap, says there are
more, and keeps paging past it — each page reads one row more than it shows
to know whether another page follows — so nothing is out of reach and no
request counts more than cap + 1 rows. 0 turns the cap off.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination


class CappedPage(Page):
    """A page of a list longer than the cap: whether another page follows is
    known from the extra row read with this one, not from the count."""

    def __init__(self, object_list, number, paginator, *, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class CappedPaginator(Paginator):
    count_capped = False

    @cached_property
    def count(self) -> int:
        cap = getattr(settings, "VAF_LIST_COUNT_CAP", 0)
        if not cap or not hasattr(self.object_list, "query"):
            return super().count
        # Counting needs no order: without it the database stops at the first
        # cap + 1 rows it finds instead of walking them in the list's order.
        counted = self.object_list.order_by()[: cap + 1].count()
        self.count_capped = counted > cap
        return min(counted, cap)

    def validate_number(self, number) -> int:
        if self.count and self.count_capped:
            # Past the cap the last page is not known: any page from 1 on may
            # exist, and page() finds out by reading it.
            try:
                if isinstance(number, float) and not number.is_integer():
                    raise ValueError
                number = int(number)
            except (TypeError, ValueError):
                raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
            if number < 1:
                raise EmptyPage(self.error_messages["min_page"])
            return number
        return super().validate_number(number)

    def page(self, number):
        number = self.validate_number(number)
        if not self.count_capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class CappedPageNumberPagination(PageNumberPagination):
    """DRF's page-number pagination (`{count, next, previous, results}`) with
    the capped count; past the cap `next` follows the rows, not the count."""

    django_paginator_class = CappedPaginator
