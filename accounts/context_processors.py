from accounts.roles import user_roles


def roles(request):
    user = getattr(request, "user", None)
    return {"user_roles": user_roles(user) if user is not None else frozenset()}


def session_limits(request):
    """The idle timeout, for the warning script (data attribute on <body>)."""
    from django.conf import settings

    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {"session_idle_seconds": settings.VAF_SESSION_IDLE_MINUTES * 60 if signed_in else 0}
