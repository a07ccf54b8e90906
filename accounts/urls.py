from django.urls import path

from accounts import access_views, second_factor_views, user_admin, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/forgotten/", access_views.password_forgotten, name="password_forgotten"),
    path("password/set/<str:secret>/", access_views.set_password, name="set_password"),
    path("two-factor/verify/", second_factor_views.mfa_verify, name="mfa_verify"),
    path("two-factor/setup/", second_factor_views.mfa_setup, name="mfa_setup"),
    path("two-factor/", second_factor_views.mfa_devices, name="mfa_devices"),
    path("two-factor/<int:device_id>/remove/", second_factor_views.mfa_device_remove, name="mfa_device_remove"),
    path("two-factor/recovery-codes/", second_factor_views.recovery_codes_new, name="recovery_codes_new"),
    path("users/", user_admin.user_list, name="user_list"),
    path("users/new/", user_admin.user_new, name="user_new"),
    path("users/<uuid:user_id>/", user_admin.user_edit, name="user_edit"),
    path("users/<uuid:user_id>/reset/<str:kind>/", user_admin.user_reset, name="user_reset"),
    path("access-changes/", access_views.access_change_list, name="access_change_list"),
    path(
        "access-changes/<uuid:change_id>/approve/",
        access_views.access_change_approve_view,
        name="access_change_approve",
    ),
    path(
        "access-changes/<uuid:change_id>/reject/", access_views.access_change_reject_view, name="access_change_reject"
    ),
    path("tokens/<uuid:token_id>/revoke/", user_admin.token_revoke, name="token_revoke"),
]
