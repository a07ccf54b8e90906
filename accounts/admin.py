from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import ApiToken, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Organisation", {"fields": ("organisation",)}))
    list_display = ["username", "email", "organisation", "is_active", "is_staff"]
    list_select_related = ["organisation"]
    list_filter = ["groups", "organisation", "is_active"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "key_hash", "user", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # keys are issued by `manage.py create_api_token`, shown once
