"""Notifications API: a person's own notices, and marking one read."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_schema import ErrorSerializer
from notifications.selectors import notification_get_for_user, notifications_for_user
from notifications.serializers import NotificationSerializer
from notifications.services import notification_mark_read

NOT_AUTHENTICATED = OpenApiResponse(ErrorSerializer, description="not_authenticated")


@extend_schema(tags=["notifications"])
class NotificationListAPI(generics.ListAPIView):
    serializer_class = NotificationSerializer

    @extend_schema(
        summary="My notifications, unread first",
        responses={200: NotificationSerializer(many=True), 401: NOT_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return notifications_for_user(user=self.request.user)


@extend_schema(tags=["notifications"])
class NotificationReadAPI(APIView):
    @extend_schema(
        summary="Mark one of my notifications read",
        request=None,
        responses={
            200: NotificationSerializer,
            401: NOT_AUTHENTICATED,
            404: OpenApiResponse(ErrorSerializer, description="not_found: no such notification of yours"),
        },
    )
    def post(self, request, notification_id):
        notification = notification_get_for_user(user=request.user, notification_id=notification_id)
        notification = notification_mark_read(notification=notification)
        return Response(NotificationSerializer(notification).data)
