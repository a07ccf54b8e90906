"""Read-only admin views of the fund. Administrators manage users, not money:
nothing here can be added, changed or deleted, and payee details (personal
data) are not shown at all."""

from django.contrib import admin

from fund.models import Approval, Disbursement, Fund, LedgerEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Fund)
class FundAdmin(ReadOnlyAdmin):
    list_display = ["name", "currency", "created_at"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "amount", "reference", "created_by_username"]
    list_filter = ["kind"]
    fields = ["fund", "kind", "amount", "disbursement", "source", "reference", "created_by_username", "created_at"]


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "status", "category", "amount", "currency"]
    list_filter = ["status", "category"]
    list_select_related = ["case"]
    fields = ["case", "status", "category", "amount", "currency", "payee_type", "approvals_required_at_submission"]


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "approver_username", "round"]
    fields = ["disbursement", "approver_username", "round", "created_at"]
