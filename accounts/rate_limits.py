"""Fixed-window rate limits on the pages people type secrets into (failed
sign-ins and second-factor codes, forgotten-password requests), per client
address, in Django's cache.

Several app servers must share the cache (Redis in production) for the limit
to hold across them; with the local-memory cache each process counts alone.
"""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/15m' -> (30, 900); '1200/m' -> (1200, 60)."""
    match = _RATE.match(rate or "")
    if not match:
        raise ImproperlyConfigured(f"Rate {rate!r} is not like '30/15m' (count/period, period in s, m, h or d).")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _SECONDS[unit]


def _window(rate: str | None) -> tuple[int, int, int, int]:
    limit, window = parse_rate(rate or settings.VAF_SIGNIN_RATE)
    now = int(time.time())
    return limit, window, now, now - now % window


def rate_limit_hit(*, bucket: str, key: str, rate: str | None = None) -> int | None:
    """Count one attempt; None if allowed, else the seconds to wait."""
    limit, window, now, window_start = _window(rate)
    cache_key = f"vaf-rate:{bucket}:{key}:{window_start}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window + 5)
        count = 1
    if count > limit:
        return max(1, window_start + window - now)
    return None


def rate_limit_wait(*, bucket: str, key: str, rate: str | None = None) -> int | None:
    """Without counting: None if another attempt is allowed now, else the
    seconds to wait. With `rate_limit_hit` on failures only, this limits
    failures (password spraying) without limiting an office's sign-ins."""
    limit, window, now, window_start = _window(rate)
    if (cache.get(f"vaf-rate:{bucket}:{key}:{window_start}") or 0) >= limit:
        return max(1, window_start + window - now)
    return None
