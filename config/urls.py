from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views import home

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include("referrals.api_urls")),
    path("", include("fund.api_urls")),
    path("", include("audit.api_urls")),
    path("", include("standards.api_urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("cases/", include("referrals.urls")),
    path("fund/", include("fund.urls")),
    path("audit/", include("audit.urls")),
    path("reports/", include("reports.urls")),
    path("standards/", include("standards.urls")),
    path("api/v1/", include((api_v1, "api"))),
]

handler403 = "config.error_pages.forbidden"
handler404 = "config.error_pages.not_found"
handler500 = "config.error_pages.server_error"
