"""`{{ event.action|action_label }}`, `{{ event.object_type|object_type_label }}`,
`{{ name|field_label }}`: built into every template (settings TEMPLATES)."""

from django import template

from audit import labels

register = template.Library()
register.filter("action_label", labels.action_label)
register.filter("object_type_label", labels.object_type_label)
register.filter("field_label", labels.field_label)
