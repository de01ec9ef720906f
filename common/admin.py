"""Admin plumbing: a practice manager sees and edits only their own practice's rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest


def staff_practice_id(request: HttpRequest) -> int | None:
    """The practice whose rows the user may see in the admin: that of their *active* staff
    membership; None otherwise (an inactive member sees and changes nothing, whatever Django
    flags their login still carries). Which kinds of row is the managers' group's to say
    (``staff.permissions``). Not ``policy.actor``: the admin plumbing is imported by apps that
    may not see what the policy sees (import-linter)."""
    staff = getattr(request.user, "staff", None)
    return staff.practice_id if staff is not None and staff.active else None


class PracticeScopedAdmin(admin.ModelAdmin):
    """Filter rows by ``practice_lookup`` (a path to the practice id) unless superuser."""

    practice_lookup = "practice"

    def _admitted(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser) or staff_practice_id(request) is not None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._admitted(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admitted(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._admitted(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admitted(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admitted(request) and super().has_delete_permission(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        practice_id = staff_practice_id(request)
        if practice_id is None:
            return qs.none()
        return qs.filter(**{f"{self.practice_lookup}_id": practice_id})

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new row starts at the manager's own practice (the only one they can choose)."""
        initial = super().get_changeform_initial_data(request)
        practice_id = staff_practice_id(request)
        if "__" not in self.practice_lookup and practice_id is not None:
            initial.setdefault(self.practice_lookup, str(practice_id))
        return initial

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        _limit_to_practice(field, db_field.related_model, request)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        _limit_to_practice(field, db_field.related_model, request)
        return field


def _limit_to_practice(field: Any, model: Any, request: HttpRequest) -> None:
    if field is None or request.user.is_superuser:
        return
    practice_id = staff_practice_id(request)
    names = {f.name for f in model._meta.get_fields()}
    if model._meta.label == "practices.Practice":
        field.queryset = field.queryset.filter(pk=practice_id)
    elif "practice" in names:
        field.queryset = field.queryset.filter(practice_id=practice_id)
