"""The "Practice managers" auth group: what a practice manager may do in the admin.

The group is (re)built after every ``migrate`` by a post_migrate handler, so every database,
production included, gets it, and models added to these apps later are covered without a new
data migration. Rows are still limited to the manager's own practice by the admin classes
(``common.admin.PracticeScopedAdmin``); the group only says which kinds of thing they may touch.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import DEFAULT_DB_ALIAS

PRACTICE_MANAGERS_GROUP = "Practice managers"

# Per model: which of Django's view/add/change/delete actions the group has. Nothing is ever
# deleted through the admin: patients and staff leave (deceased, inactive), they are not erased.
# Federations and localities are shared by several practices, and a manager cannot create a
# second practice, so those are view-only (plus change for their own practice's details).
MODEL_ACTIONS: dict[str, tuple[str, ...]] = {
    "practices.federation": ("view",),
    "practices.locality": ("view",),
    "practices.practice": ("view", "change"),
    "practices.site": ("view", "add", "change"),
    "practices.openinghours": ("view", "add", "change"),
    "staff.staffmember": ("view", "add", "change"),
    # Logins that read records and changes of role are requested here and approved by
    # another manager or a clinical lead (ADR 0030, "Separation of duties").
    "staff.staffaccessrequest": ("view", "add"),
    "patients.patient": ("view", "add", "change"),
    # The rota is the manager's to edit; sessions and slots are generated from it, and
    # appointments change only through the booking services, so those are view-only.
    "appointments.appointmenttype": ("view", "add", "change"),
    "appointments.appointmenttyperole": ("view", "add", "change"),
    "appointments.sessiontemplate": ("view", "add", "change"),
    "appointments.rotaexception": ("view", "add", "change"),
    "appointments.session": ("view",),
    "appointments.slot": ("view",),
    "appointments.appointment": ("view",),
    "appointments.appointmentevent": ("view",),
}
# Permissions of the model's own (Meta.permissions), beyond view/add/change/delete.
EXTRA_PERMISSIONS: set[tuple[str, str]] = {("staff", "approve_staffaccessrequest")}
# Whole apps granted at once (none: new models are denied until listed above).
APP_ACTIONS: dict[str, tuple[str, ...]] = {}


def wanted_codenames(apps: Any = global_apps) -> set[tuple[str, str]]:
    """(app_label, codename) pairs the group should hold, for the models that exist now."""
    wanted: set[tuple[str, str]] = set(EXTRA_PERMISSIONS)
    for label, actions in MODEL_ACTIONS.items():
        app_label, model_name = label.split(".")
        wanted.update((app_label, f"{action}_{model_name}") for action in actions)
    for app_label, actions in APP_ACTIONS.items():
        try:
            models = apps.get_app_config(app_label).get_models()
        except LookupError:
            continue
        for model in models:
            name = model._meta.model_name
            wanted.update((app_label, f"{action}_{name}") for action in actions)
    return wanted


def sync_practice_managers_group(
    sender: AppConfig | None = None,
    *,
    apps: Any = global_apps,
    using: str = DEFAULT_DB_ALIAS,
    **kwargs: Any,
) -> None:
    """Create the group if missing and set its permissions to exactly ``wanted_codenames``."""
    labels = {label.split(".")[0] for label in MODEL_ACTIONS} | set(APP_ACTIONS)
    for label in sorted(labels):
        try:
            app_config = global_apps.get_app_config(label)
        except LookupError:
            continue
        # post_migrate handlers run app by app; make sure the permissions exist before use.
        create_contenttypes(app_config, verbosity=0, using=using, apps=apps)
        create_permissions(app_config, verbosity=0, using=using, apps=apps)

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.using(using).get_or_create(name=PRACTICE_MANAGERS_GROUP)
    wanted = wanted_codenames(apps)
    permissions = [
        p
        for p in permission_model.objects.using(using).select_related("content_type")
        if (p.content_type.app_label, p.codename) in wanted
    ]
    group.permissions.set(permissions)
