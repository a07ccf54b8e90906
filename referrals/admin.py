"""Cases are deliberately not registered with the Django admin.

Administrators manage users and roles and have no access to victims' data
(DESIGN.md §1); the admin site would show case rows, and its generic change
forms would bypass the case services, their rules and their audit events.
Cases are worked through the case pages and the API only.
"""
