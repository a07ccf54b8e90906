from notifications.selectors import unread_count


def bell(request):
    """The unread count shown on the bell of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": unread_count(user=user)}
