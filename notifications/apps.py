from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from audit.listeners import register_event_listener
        from notifications.events import notify_for_event

        register_event_listener(notify_for_event)
