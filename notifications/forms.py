from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)
    email_on = forms.MultipleChoiceField(
        label=_("Send me these by e-mail"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
