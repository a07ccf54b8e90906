from django.urls import path

from notifications import api

urlpatterns = [
    path("notifications/", api.NotificationListAPI.as_view(), name="notification-list"),
    path("notifications/<str:notification_id>/read/", api.NotificationReadAPI.as_view(), name="notification-read"),
]
