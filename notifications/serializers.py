from __future__ import annotations

from rest_framework import serializers

from notifications.kinds import Kind
from notifications.selectors import notification_message, notification_note, notification_url


class NotificationSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    message = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField(help_text="The approver's reason, for a returned request or case.")
    object_type = serializers.CharField(read_only=True)
    object_id = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    read = serializers.SerializerMethodField()

    def get_message(self, obj) -> str:
        return notification_message(obj)

    def get_note(self, obj) -> str:
        return notification_note(obj)

    def get_url(self, obj) -> str:
        return notification_url(obj)

    def get_read(self, obj) -> bool:
        return obj.read_at is not None
