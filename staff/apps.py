from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StaffConfig(AppConfig):
    name = "staff"

    def ready(self) -> None:
        from staff.permissions import sync_practice_managers_group

        # Sent once per app after migrate; ours runs when the staff app's turn comes.
        post_migrate.connect(sync_practice_managers_group, sender=self)
