"""Template helpers that put NHS.UK classes and ARIA links on Django form widgets."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def widget_type(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


@register.filter
def nhsuk_widget(field: forms.BoundField, css_class: str) -> SafeString:
    """Render the widget with the NHS.UK class, error modifier and aria-describedby."""
    attrs: dict[str, Any] = dict(field.field.widget.attrs)
    classes = [css_class, attrs.get("class", "")]
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        if css_class in {"nhsuk-input", "nhsuk-select", "nhsuk-textarea"}:
            classes.append(f"{css_class}--error")
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    attrs["class"] = " ".join(c for c in classes if c)
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms_: forms.Form) -> dict[str, Any]:
    """An NHS.UK error summary linking each message to its field."""
    items: list[tuple[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for error in form.non_field_errors():
            items.append(("", str(error)))
        for bound in form:
            for error in bound.errors:
                items.append((f"#{bound.auto_id}", str(error)))
    return {"error_items": items}
