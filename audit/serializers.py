"""Serializers of the audit API (DESIGN.md §8)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from audit.chain import EVENT_FIELDS
from audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = list(EVENT_FIELDS)
        read_only_fields = fields


class AuditEventQuerySerializer(serializers.Serializer):
    """The query-string filters of GET /api/v1/audit/events/."""

    object_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    action = serializers.CharField(required=False, allow_blank=True, max_length=64)
    actor = serializers.CharField(required=False, allow_blank=True, max_length=150, help_text=_("Username."))
    since = serializers.DateTimeField(required=False, help_text=_("ISO 8601 date-time, inclusive."))
    until = serializers.DateTimeField(required=False, help_text=_("ISO 8601 date-time, inclusive."))

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except OverflowError:
            # Dates near year 1 overflow the conversion to the server's time zone.
            raise serializers.ValidationError({"since": [_("Dates before 2000 are not accepted.")]}) from None


class VerificationSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField(help_text=_("Events recomputed and linked before any problem."))
    head_seq = serializers.IntegerField(allow_null=True)
    head_hash = serializers.CharField(allow_null=True)
    first_bad_seq = serializers.IntegerField(allow_null=True)
    problem = serializers.ChoiceField(
        allow_null=True,
        choices=[
            "edited",
            "missing",
            "inserted",
            "out_of_order",
            "broken_link",
            "truncated",
            "checkpoint_mismatch",
            "checkpoint_signature",
            "checkpoint_file",
            "fork",
            "tree_mismatch",
            "configuration",
        ],
    )
    detail = serializers.CharField(allow_blank=True)
    checkpoints_checked = serializers.IntegerField()
    checkpoint_files_checked = serializers.IntegerField(
        help_text=_("Checkpoint files (kept outside the database) checked against the log.")
    )
    tree_size = serializers.IntegerField()
    root = serializers.CharField(allow_null=True, help_text=_("Hex Merkle tree root at tree_size."))
    from_size = serializers.IntegerField(
        help_text=_("The verified checkpoint this verification started from (0: all).")
    )
    witnesses = serializers.ListField(
        child=serializers.CharField(), help_text=_("Known witnesses that co-signed the newest checkpoint.")
    )


class LogKeySerializer(serializers.Serializer):
    origin = serializers.CharField()
    vkey = serializers.CharField(help_text=_("The checkpoint verifier key: name+key id+base64 key."))


class InclusionProofSerializer(serializers.Serializer):
    leaf_index = serializers.IntegerField()
    tree_size = serializers.IntegerField()
    hashes = serializers.ListField(child=serializers.CharField(), help_text=_("Base64 hashes, RFC 9162 order."))


class ConsistencyProofSerializer(serializers.Serializer):
    first = serializers.IntegerField()
    second = serializers.IntegerField()
    hashes = serializers.ListField(child=serializers.CharField(), help_text=_("Base64 hashes, RFC 9162 order."))
