"""Forms render in the NHS.UK design system: labels, hints, error messages and an error summary."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class NHSFormRenderer(TemplatesSetting):
    form_template_name = "forms/nhsuk_form.html"
    field_template_name = "forms/nhsuk_field.html"
