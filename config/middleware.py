"""Project-wide response rules."""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """Pages and API answers may carry personal data or money figures: no
    browser or proxy cache keeps them. (Static files are answered by
    WhiteNoise before this middleware and keep their own caching.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
