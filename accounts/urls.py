from django.urls import path

from accounts import user_admin, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("users/", user_admin.user_list, name="user_list"),
    path("users/new/", user_admin.user_new, name="user_new"),
    path("users/<uuid:user_id>/", user_admin.user_edit, name="user_edit"),
    path("tokens/<uuid:token_id>/revoke/", user_admin.token_revoke, name="token_revoke"),
]
