from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class _UserFields(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class UserCreateForm(_UserFields):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    field_order = ["username", "email", "organisation", "roles"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].initial = settings.VAF_INTAKE_ORGANISATION


class UserEditForm(_UserFields):
    is_active = forms.BooleanField(label=_("Account active"), required=False)

    @classmethod
    def for_user(cls, user, data=None):
        initial = {
            "organisation": user.organisation.name if user.organisation else "",
            "roles": list(user.groups.filter(name__in=Role.values).values_list("name", flat=True)),
            "is_active": user.is_active,
        }
        return cls(data, initial=initial)
