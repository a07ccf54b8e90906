"""API serializers for the fund and disbursements (DESIGN.md §8).

Input serializers check shapes and types; the services check the rules.
Amounts travel as decimal strings ("250.00"). On input a JSON integer is
accepted too, but a JSON number with a fraction or exponent is refused: the
JSON parser has already made it a binary float, which is never money.
Refusals name the field and never repeat the value sent (it may be personal
data).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.errors import ValidationFailed
from fund.choices import DisbursementStatus, PayeeType
from fund.hooks import disbursement_evidence
from fund.payee import payee_account_elsewhere
from fund.permissions import approver_deciding, available_transitions, current_approvals
from fund.policy import parse_amount
from fund.selectors import payee_details, sealed_text
from referrals.choices import AssistanceCategory

DECIMAL_SCHEMA = {"type": "string", "format": "decimal", "example": "250.00"}


@extend_schema_field(DECIMAL_SCHEMA)
class AmountField(serializers.Field):
    default_error_messages = {
        "invalid": _('Enter the amount as a decimal string such as "250.00".'),
        "float": _('Send the amount as a decimal string such as "250.00", not as a JSON number with decimals.'),
    }

    def to_internal_value(self, data):
        if isinstance(data, float):
            self.fail("float")
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            self.fail("invalid")
        try:
            return parse_amount(data)
        except ValidationFailed as exc:
            raise serializers.ValidationError((exc.errors or {}).get("amount", [exc.detail])) from None

    def to_representation(self, value):
        return str(value)


class NamedChoiceField(serializers.ChoiceField):
    """A choice whose refusal names the field and lists the valid choices.

    DRF's own message repeats the value sent ('"Amina Karimova" is not a
    valid choice.'), which may be personal data typed into the wrong field.
    """

    def fail(self, key, **kwargs):
        if key == "invalid_choice":
            message = _("%(field)s must be one of: %(choices)s.") % {
                "field": self.field_name,
                "choices": ", ".join(str(choice) for choice in self.choices),
            }
            raise serializers.ValidationError(message, code=key)
        super().fail(key, **kwargs)


class DisbursementCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    category = NamedChoiceField(choices=AssistanceCategory.choices)
    amount = AmountField()
    payee_type = NamedChoiceField(choices=PayeeType.choices)
    payee_name = serializers.CharField(max_length=200, help_text="Account holder's name (stored encrypted).")
    payee_account = serializers.CharField(
        max_length=64, help_text="IBAN; spaces and lower case accepted (stored encrypted, normalised)."
    )
    justification = serializers.CharField(max_length=2000)


class DisbursementUpdateSerializer(serializers.Serializer):
    category = NamedChoiceField(choices=AssistanceCategory.choices, required=False)
    amount = AmountField(required=False)
    payee_type = NamedChoiceField(choices=PayeeType.choices, required=False)
    payee_name = serializers.CharField(max_length=200, required=False)
    payee_account = serializers.CharField(max_length=64, required=False)
    justification = serializers.CharField(max_length=2000, required=False)


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Reason, or the approver's comment."
    )
    payment_reference = serializers.CharField(required=False, allow_blank=True, max_length=100)
    statement_reference = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ApprovalSerializer(serializers.Serializer):
    approver = serializers.CharField(source="approver_username", help_text="Username of the approver.")
    at = serializers.DateTimeField(source="created_at")
    comment = serializers.SerializerMethodField(
        help_text='Sealed under the case\'s data key; "[erased]" after erasure.'
    )

    def get_comment(self, obj) -> str:
        return sealed_text(obj, "comment") or ""


class MakerSerializer(serializers.Serializer):
    user = serializers.CharField(source="username", help_text="Username of the maker.")
    role = serializers.CharField(help_text="creator, editor or submitter.")
    fields = serializers.ListField(child=serializers.CharField(), help_text="For an edit: the fields it changed.")
    at = serializers.DateTimeField(source="created_at")


class EvidenceDocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    download_url = serializers.CharField()


class DisbursementSerializer(serializers.Serializer):
    """Pass `evidence` (fund.hooks.disbursement_evidence of the page) in the
    context to read every row's documents at once."""

    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    case_reference = serializers.CharField(source="case.reference")
    status = serializers.ChoiceField(choices=DisbursementStatus.choices)
    category = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    payee_type = serializers.CharField()
    payee_name = serializers.SerializerMethodField(help_text="Masked, except for an approver deciding it.")
    payee_account = serializers.SerializerMethodField(
        help_text="The IBAN, masked to its last four characters except for an approver deciding it."
    )
    payee_shown_in_full = serializers.SerializerMethodField()
    payee_account_on_other_cases = serializers.SerializerMethodField(
        help_text="For an approver deciding it: references of other cases paying the same IBAN (a warning)."
    )
    justification = serializers.SerializerMethodField()
    approvals_required = serializers.IntegerField()
    approvals = serializers.SerializerMethodField()
    makers = MakerSerializer(many=True, help_text="Creator, every edit of the draft and every submission.")
    available_transitions = serializers.SerializerMethodField()
    requested_by = serializers.CharField(source="requested_by.username")
    payment_reference = serializers.CharField()
    statement_reference = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    reconciled_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    documents = serializers.SerializerMethodField(help_text=_("Supporting documents attached to this request."))
    invoice_attached = serializers.SerializerMethodField()

    def _evidence(self, obj) -> dict:
        evidence = self.context.get("evidence")
        if evidence is None:
            evidence = disbursement_evidence(self.context["request"].user, [obj])
        return evidence.get(obj.pk, {})

    @extend_schema_field(EvidenceDocumentSerializer(many=True))
    def get_documents(self, obj):
        return [
            {"id": d["id"], "kind": d["kind"], "download_url": d["api_url"]}
            for d in self._evidence(obj).get("documents", [])
        ]

    def get_invoice_attached(self, obj) -> bool:
        return bool(self._evidence(obj).get("invoice_attached"))

    def _deciding(self, obj) -> bool:
        cache = self.context.setdefault("deciding", {})
        if obj.pk not in cache:
            cache[obj.pk] = approver_deciding(self.context["request"].user, obj)
        return cache[obj.pk]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_payee_name(self, obj) -> str | None:
        return payee_details(obj, revealed=self._deciding(obj))["payee_name"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_payee_account(self, obj) -> str | None:
        return payee_details(obj, revealed=self._deciding(obj))["payee_account"]

    def get_payee_shown_in_full(self, obj) -> bool:
        return self._deciding(obj)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_payee_account_on_other_cases(self, obj) -> list[str]:
        return payee_account_elsewhere(obj) if self._deciding(obj) else []

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_justification(self, obj) -> str | None:
        return sealed_text(obj, "justification")

    @extend_schema_field(ApprovalSerializer(many=True))
    def get_approvals(self, obj):
        return ApprovalSerializer(current_approvals(obj), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_transitions(self, obj) -> list[str]:
        return available_transitions(self.context["request"].user, obj)


class FundSerializer(serializers.Serializer):
    currency = serializers.CharField()
    deposited = serializers.CharField(help_text="Decimal string.")
    committed = serializers.CharField(help_text="Committed and neither released nor paid. Decimal string.")
    paid = serializers.CharField(help_text="Decimal string.")
    available = serializers.CharField(help_text="deposited - committed - paid. Decimal string.")
    dual_approval_threshold = serializers.CharField(help_text="Two approvals at or above this amount.")
    case_limit = serializers.CharField(help_text="Most a case may have approved or paid.")


class DepositCreateSerializer(serializers.Serializer):
    amount = AmountField()
    source = serializers.CharField(max_length=200, help_text="For example: government budget 2026, a donor.")
    reference = serializers.CharField(max_length=100)


class LedgerEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    disbursement = serializers.UUIDField(source="disbursement_id", allow_null=True)
    source = serializers.CharField()
    reference = serializers.CharField()
    created_by = serializers.CharField(source="created_by_username")
    created_at = serializers.DateTimeField()


class DepositSerializer(LedgerEntrySerializer):
    currency = serializers.CharField(source="fund.currency")
    fund = FundSerializer(source="fund_summary")
