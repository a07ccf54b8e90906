"""Forms of the auditor's pages: event filters."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.selectors import REVEAL_ACTIONS, EventFilters, event_filters_build, known_actions
from config.errors import ValidationFailed

# No event predates the system; far earlier dates overflow time-zone arithmetic.
EARLIEST_DATE = dt.date(2000, 1, 1)


class DateInput(forms.DateInput):
    input_type = "date"


def start_of_day(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def end_of_day(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


class EventFilterForm(forms.Form):
    """Filters of the event list (GET). The date range is inclusive, in the
    user's time zone; `before`/`after` are the keyset cursors."""

    actor = forms.CharField(label=_("Actor (username)"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    reference = forms.CharField(label=_("Case reference"), required=False, max_length=20)
    since = forms.DateField(
        label=_("From"), required=False, widget=DateInput, validators=[MinValueValidator(EARLIEST_DATE)]
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=DateInput, validators=[MinValueValidator(EARLIEST_DATE)]
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    restrict_actions: tuple[str, ...] = ()
    filter_fields = ("actor", "action", "object_id", "reference", "since", "until")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed_actions = list(self.restrict_actions) or known_actions()
        self.fields["action"].choices = [("", _("Any action")), *self.action_choices()]
        self.fields["action"].error_messages["invalid_choice"] = _(
            "Unknown action: no event in the log has this action."
        )
        for name in self.filter_fields:
            self.fields[name].widget.attrs.setdefault("class", "form-select" if name == "action" else "form-control")
        self.filters: EventFilters | None = None

    def action_choices(self) -> list[tuple[str, str]]:
        return [(action, action) for action in self.allowed_actions]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.filters = event_filters_build(
                actor=data.get("actor", ""),
                action=data.get("action", ""),
                object_id=data.get("object_id", ""),
                reference=data.get("reference", ""),
                since=start_of_day(data.get("since")),
                until=end_of_day(data.get("until")),
                allowed_actions=self.allowed_actions,
            )
        except ValidationFailed as exc:
            for name, messages in (exc.errors or {}).items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return data

    def filter_items(self) -> list[tuple[str, str]]:
        """The filters given (without cursors), for pager links and exports."""
        return [(name, self.data[name]) for name in self.filter_fields if self.data.get(name)]

    def query_string(self) -> str:
        return urlencode(self.filter_items())


class AccessReviewFilterForm(EventFilterForm):
    """The personal-data access review: reveals of case data and payee details."""

    restrict_actions = REVEAL_ACTIONS
    filter_fields = ("actor", "action", "reference", "since", "until")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["object_id"]
        self.fields["action"].label = _("What was revealed")

    def action_choices(self) -> list[tuple[str, str]]:
        return [
            ("case.pii_revealed", _("Case personal data")),
            ("disbursement.payee_revealed", _("Payee details")),
            ("fund.batch_exported", _("Payment batch for the bank")),
        ]
