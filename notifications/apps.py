from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from accounts.hooks import register_set_password_link_sender
        from audit.listeners import register_event_listener
        from notifications.events import notify_for_event
        from notifications.set_password_links import set_password_link_email

        register_event_listener(notify_for_event)
        register_set_password_link_sender(set_password_link_email)
